"""The kernel registry: one record per C kernel function the compiler emits.

Lowering, baking, in-place and patch planning ask this table instead of spelling or
matching C names: `select` picks the kernel a layer needs, `kernel_of` tells what an
emitted call runs. Scratch sizes live here only; each mirrors the C expression in
`scratch_c` (tests/kernels/test_kernel_registry.py compares them over a grid of shapes, checks
every declaration in its header and that every emitted name resolves).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .lowering import KernelCall

Params = dict  # a KernelCall's params: the C struct's fields by name


def _round4(n: int) -> int:
    return (n + 3) & ~3


def _pair_q15(k: int) -> int:
    """int16 slots of a tp_conv_dsp column pair (TP_CONV_DSP_PAIR_Q15)."""
    return 2 * _round4(k) + 8


def conv_scratch(k: int) -> int:
    """TP_CONV_DSP_SCRATCH_BYTES: a column pair of two widened windows of k values + one
    int8 window rounded up to whole words (zero-padded so it widens by words)."""
    return 4 + 2 * _pair_q15(k) + _round4(k)


def conv_1x1_scratch(in_c: int) -> int:
    """TP_CONV_1X1_DSP_SCRATCH_BYTES: a column pair of two widened input pixels."""
    return 4 + 2 * _pair_q15(in_c)


def conv_pk_scratch(k: int) -> int:
    """TP_CONV_PK_SCRATCH_BYTES: a column pair of two widened windows (2 x k4 int16) and
    one int8 window."""
    return 4 + 5 * _round4(k)


def fc_scratch(depth: int) -> int:
    """TP_FC_DSP_SCRATCH_BYTES: the input row widened to int16."""
    return 4 + 2 * _round4(depth)


def depthwise_plane(p: Params) -> tuple[int, int, int]:
    """(rows, pitch, output columns) of the DSP depthwise kernels' int16 channel plane
    (tp_dw_plane_geometry)."""
    if p["transposed"]:
        rows, cols, k_h, k_w, s_h, s_w, d_h, d_w = (p["out_w"], p["out_h"], p["k_w"], p["k_h"],
                                                    p["stride_w"], p["stride_h"],
                                                    p["dil_w"], p["dil_h"])
    else:
        rows, cols, k_h, k_w, s_h, s_w, d_h, d_w = (p["out_h"], p["out_w"], p["k_h"], p["k_w"],
                                                    p["stride_h"], p["stride_w"],
                                                    p["dil_h"], p["dil_w"])
    plane_rows = (rows - 1) * s_h + (k_h - 1) * d_h + 1
    plane_cols = (cols - 1) * s_w + (k_w - 1) * d_w + 1
    return plane_rows, (plane_cols + s_w + 2) & ~1, cols


def depthwise_scratch(p: Params) -> int:
    """tp_dw_scratch_bytes: one channel's padded int16 plane (+ 4 bytes to align it) and
    one row of int32 sums (an even number)."""
    rows, pitch, cols = depthwise_plane(p)
    return 4 + 2 * rows * pitch + 4 * ((cols + 1) & ~1)


def _window(p: Params) -> int:
    return p["k_h"] * p["k_w"] * p["in_c"]


def _pk_suffix(p: Params) -> str:
    """tp_conv_pk_s8_dsp_k<k4>: the window depth rounded up to a multiple of 4."""
    return f"_k{_round4(_window(p))}"


def _dw_suffix(p: Params) -> str:
    """The DSP depthwise specialisation for the layer's geometry ("" if none)."""
    k, s = p["k_h"], p["stride_h"]
    if (k in (3, 5) and p["k_w"] == k and s in (1, 2) and p["stride_w"] == s
            and p["dil_h"] == 1 and p["dil_w"] == 1):
        return f"_k{k}s{s}"
    return ""


@dataclass(frozen=True)
class Kernel:
    """One C kernel function, or a family member generated per size (`suffixes`)."""
    function: str               # C name; a specialised member's is function + suffix
    family: str                 # the operation: conv, conv_1x1, depthwise, add, ...
    variant: str                # portable, dsp, dsp_rs, packed, inline, lut, ...
    params_type: str            # C struct its first argument points to
    header: str                 # kernels_c/ header declaring it
    dtype: str = "s8"           # element types (quantize family: source_destination)
    filter_layout: str = "none"  # ohwi, 1hwo, oi, pk (packed int16 + records), dw_pairs
    dsp: bool = False           # needs the DSP extension (SMLAD, SXTB16)
    in_place: bool = False      # a schedule whose output overwrites its input
    output_over_input: bool = False  # output may be the input itself (no schedule needed)
    inplace_form: str | None = None  # in-place kernel running this one's layers
    inline_form: str | None = None   # always-inline body to bake per layer
    scratch: Callable[[Params], int] | None = None  # bytes from the call's params
    scratch_c: str | None = None     # the C expression over `p` that `scratch` mirrors
    suffixes: tuple[str, ...] = ("",)  # specialisations generated in C
    specialise: Callable[[Params], str] | None = None  # a call's suffix from its params

    def named(self, suffix: str = "") -> str:
        """The C name of one specialisation (an unknown one is a compiler bug)."""
        if suffix not in self.suffixes:
            raise KeyError(f"{self.function} has no specialisation {suffix!r}")
        return self.function + suffix

    def names(self) -> list[str]:
        return [self.function + s for s in self.suffixes]

    def scratch_bytes(self, p: Params) -> int:
        return 0 if self.scratch is None else self.scratch(p)


_CONV_H, _CONV_DSP_H, _PK_H = "tp_conv.h", "tp_conv_dsp.h", "tp_conv_pk_dsp.h"
_DW_H, _DW_DSP_H, _PW_INPLACE_H = "tp_depthwise.h", "tp_depthwise_dsp.h", "tp_conv_1x1_inplace.h"
_CONV_P, _DW_P, _PW_INPLACE_P = "tp_conv_params", "tp_depthwise_params", "tp_conv_1x1_inplace_params"
_DW_INPLACE_P, _FC_P = "tp_depthwise_inplace_params", "tp_fully_connected_params"
_CONV_DSP_SCRATCH = "TP_CONV_DSP_SCRATCH_BYTES(p->k_h * p->k_w * p->in_c)"
_PW_DSP_SCRATCH = "TP_CONV_1X1_DSP_SCRATCH_BYTES(p->in_c)"
_FC_DSP_SCRATCH = "TP_FC_DSP_SCRATCH_BYTES(p->depth)"
_DW_DSP_SCRATCH = "tp_dw_scratch_bytes(p)"
# tp_depthwise_dsp.h: k_h == k_w == 3 or 5, stride_h == stride_w == 1 or 2, dilation 1
DW_SUFFIXES = ("", "_k3s1", "_k3s2", "_k5s1", "_k5s2")
CONV_PK_MAX_K4 = 64  # TP_CONV_PK_MAX_K4: tp_conv_pk_s8_dsp_k4 ... _k64


def _pw_scratch(p: Params) -> int:
    return conv_1x1_scratch(p["in_c"])


def _quantize(name: str, family: str, dtype: str) -> Kernel:
    return Kernel(name, family, "portable", "tp_quantize_params", "tp_quantize.h", dtype)


KERNELS: tuple[Kernel, ...] = (
    Kernel("tp_conv_s8", "conv", "portable", _CONV_P, _CONV_H, filter_layout="ohwi",
           scratch=_window, scratch_c="tp_conv_s8_scratch_bytes(p)"),
    Kernel("tp_conv_s8_dsp", "conv", "dsp", _CONV_P, _CONV_DSP_H, filter_layout="ohwi",
           dsp=True, scratch=lambda p: conv_scratch(_window(p)), scratch_c=_CONV_DSP_SCRATCH),
    Kernel("tp_conv_s8_dsp_rs", "conv", "dsp_rs", _CONV_P, _CONV_DSP_H, filter_layout="ohwi",
           dsp=True, scratch=lambda p: conv_scratch(_window(p)), scratch_c=_CONV_DSP_SCRATCH),
    Kernel("tp_conv_pk_s8_dsp", "conv", "packed", _CONV_P, _PK_H, filter_layout="pk", dsp=True,
           scratch=lambda p: conv_pk_scratch(_window(p)),
           scratch_c="TP_CONV_PK_SCRATCH_BYTES(p->k_h * p->k_w * p->in_c)",
           suffixes=tuple(f"_k{k4}" for k4 in range(4, CONV_PK_MAX_K4 + 1, 4)),
           specialise=_pk_suffix),
    Kernel("tp_conv_1x1_s8", "conv_1x1", "portable", _CONV_P, _CONV_H, filter_layout="ohwi",
           inplace_form="tp_conv_1x1_inplace_s8"),
    Kernel("tp_conv_1x1_s8_dsp", "conv_1x1", "dsp", _CONV_P, _CONV_DSP_H, filter_layout="ohwi",
           dsp=True, inplace_form="tp_conv_1x1_inplace_s8_dsp",
           scratch=_pw_scratch, scratch_c=_PW_DSP_SCRATCH),
    # pk for the depths TP_CONV_1X1_PK takes (ops/dsp.py: conv_1x1_pk), else ohwi
    Kernel("tp_conv_1x1_s8_dsp_rs", "conv_1x1", "dsp_rs", _CONV_P, _CONV_DSP_H,
           filter_layout="ohwi|pk", dsp=True, inplace_form="tp_conv_1x1_inplace_s8_dsp_rs",
           scratch=_pw_scratch, scratch_c=_PW_DSP_SCRATCH),
    # bands run by the 1x1 kernel above them, with its scratch
    Kernel("tp_conv_1x1_inplace_s8", "conv_1x1", "portable", _PW_INPLACE_P, _PW_INPLACE_H,
           filter_layout="ohwi", in_place=True),
    Kernel("tp_conv_1x1_inplace_s8_dsp", "conv_1x1", "dsp", _PW_INPLACE_P, _PW_INPLACE_H,
           filter_layout="ohwi", dsp=True, in_place=True,
           scratch=_pw_scratch, scratch_c=_PW_DSP_SCRATCH),
    Kernel("tp_conv_1x1_inplace_s8_dsp_rs", "conv_1x1", "dsp_rs", _PW_INPLACE_P, _PW_INPLACE_H,
           filter_layout="ohwi|pk", dsp=True, in_place=True,
           scratch=_pw_scratch, scratch_c=_PW_DSP_SCRATCH),
    Kernel("tp_depthwise_s8", "depthwise", "portable", _DW_P, _DW_H, filter_layout="1hwo",
           inplace_form="tp_depthwise_inplace_s8"),
    Kernel("tp_depthwise_s8_dsp", "depthwise", "dsp", _DW_P, _DW_DSP_H,
           filter_layout="dw_pairs", dsp=True, output_over_input=True,
           inplace_form="tp_depthwise_inplace_s8_dsp", inline_form="tp_depthwise_s8_dsp_inline",
           scratch=depthwise_scratch, scratch_c=_DW_DSP_SCRATCH, suffixes=DW_SUFFIXES,
           specialise=_dw_suffix),
    Kernel("tp_depthwise_s8_dsp_rs", "depthwise", "dsp_rs", _DW_P, _DW_DSP_H,
           filter_layout="dw_pairs", dsp=True, output_over_input=True,
           inplace_form="tp_depthwise_inplace_s8_dsp_rs",
           inline_form="tp_depthwise_s8_dsp_inline",
           scratch=depthwise_scratch, scratch_c=_DW_DSP_SCRATCH, suffixes=DW_SUFFIXES,
           specialise=_dw_suffix),
    # geometry and the _rs choice passed as literal arguments (codegen/bake.py)
    Kernel("tp_depthwise_s8_dsp_inline", "depthwise", "inline", _DW_P,
           "tp_depthwise_dsp_body.h", filter_layout="dw_pairs", dsp=True,
           output_over_input=True, scratch=depthwise_scratch, scratch_c=_DW_DSP_SCRATCH),
    # ring scratch sized by codegen/inplace.py (ring_rows, plus the DSP row's plane)
    Kernel("tp_depthwise_inplace_s8", "depthwise", "portable", _DW_INPLACE_P,
           "tp_depthwise_inplace.h", filter_layout="1hwo", in_place=True),
    Kernel("tp_depthwise_inplace_s8_dsp", "depthwise", "dsp", _DW_INPLACE_P,
           "tp_depthwise_inplace.h", filter_layout="dw_pairs", dsp=True, in_place=True),
    Kernel("tp_depthwise_inplace_s8_dsp_rs", "depthwise", "dsp_rs", _DW_INPLACE_P,
           "tp_depthwise_inplace.h", filter_layout="dw_pairs", dsp=True, in_place=True),
    Kernel("tp_fully_connected_s8", "fully_connected", "portable", _FC_P,
           "tp_fully_connected.h", filter_layout="oi"),
    Kernel("tp_fully_connected_s8_int", "fully_connected", "portable_int", _FC_P,
           "tp_fully_connected.h", filter_layout="oi"),
    Kernel("tp_fully_connected_s8_dsp", "fully_connected", "dsp", _FC_P,
           "tp_fully_connected_dsp.h", filter_layout="oi", dsp=True,
           scratch=lambda p: fc_scratch(p["depth"]), scratch_c=_FC_DSP_SCRATCH),
    Kernel("tp_fully_connected_s8_dsp_int", "fully_connected", "dsp_int", _FC_P,
           "tp_fully_connected_dsp.h", filter_layout="oi", dsp=True,
           scratch=lambda p: fc_scratch(p["depth"]), scratch_c=_FC_DSP_SCRATCH),
    Kernel("tp_add_s8", "add", "portable", "tp_add_params", "tp_add.h"),
    Kernel("tp_add_s8_lut", "add", "lut", "tp_add_lut_params", "tp_add.h"),
    Kernel("tp_mul_s8", "mul", "portable", "tp_mul_params", "tp_mul.h"),
    Kernel("tp_avgpool_s8", "avgpool", "portable", "tp_pool_params", "tp_pool.h"),
    Kernel("tp_maxpool_s8", "maxpool", "portable", "tp_pool_params", "tp_pool.h"),
    Kernel("tp_softmax_s8", "softmax", "portable", "tp_softmax_params", "tp_softmax.h"),
    Kernel("tp_hard_swish_s8", "hard_swish", "portable", "tp_hard_swish_params",
           "tp_hard_swish.h"),
    Kernel("tp_lut_s8", "lut", "portable", "tp_lut_params", "tp_lut.h"),
    Kernel("tp_reduce_mean_s8", "reduce_mean", "portable", "tp_reduce_params", "tp_reduce.h"),
    Kernel("tp_reduce_max_s8", "reduce_max", "portable", "tp_reduce_params", "tp_reduce.h"),
    Kernel("tp_pad_s8", "pad", "portable", "tp_pad_params", "tp_pad.h"),
    Kernel("tp_transpose_s8", "transpose", "portable", "tp_transpose_params", "tp_transpose.h"),
    Kernel("tp_resize_nearest_s8", "resize_nearest", "portable", "tp_resize_params",
           "tp_resize.h"),
    Kernel("tp_concat_s8", "concat", "portable", "tp_concat_params", "tp_concat.h"),
    Kernel("tp_concat_lut_s8", "concat", "lut", "tp_concat_params", "tp_concat.h"),
    Kernel("tp_tile_copy", "tile_copy", "portable", "tp_tile_params", "tp_tile.h",
           dtype="any"),
    _quantize("tp_quantize_f32_s8", "quantize", "f32_s8"),
    _quantize("tp_quantize_f32_u8", "quantize", "f32_u8"),
    _quantize("tp_dequantize_s8_f32", "dequantize", "s8_f32"),
    _quantize("tp_dequantize_u8_f32", "dequantize", "u8_f32"),
    _quantize("tp_requantize_s8_s8", "requantize", "s8_s8"),
    _quantize("tp_requantize_u8_s8", "requantize", "u8_s8"),
    _quantize("tp_requantize_s8_u8", "requantize", "s8_u8"),
    _quantize("tp_requantize_u8_u8", "requantize", "u8_u8"),
)

_BY_NAME: dict[str, Kernel] = {name: k for k in KERNELS for name in k.names()}
_BY_ROLE: dict[tuple[str, str, str, bool], Kernel] = {
    (k.family, k.variant, k.dtype, k.in_place): k for k in KERNELS}
assert len(_BY_NAME) == sum(len(k.suffixes) for k in KERNELS), "a C name is registered twice"
assert len(_BY_ROLE) == len(KERNELS), "two kernels share family, variant, dtype and in_place"


def kernel(function: str) -> Kernel:
    """The record of a C function name, specialisations included."""
    try:
        return _BY_NAME[function]
    except KeyError:
        raise KeyError(f"{function} is not in the kernel registry (codegen/kernels.py)") from None


def kernel_of(call: KernelCall) -> Kernel:
    return kernel(call.function)


def select(family: str, variant: str = "portable", dtype: str = "s8",
           in_place: bool = False) -> Kernel:
    """The kernel a lowering picked by role, e.g. select("conv", "dsp_rs")."""
    return _BY_ROLE[(family, variant, dtype, in_place)]


def make_call(k: Kernel, params: Params, args: list, comment: str = "") -> KernelCall:
    """A call of k, specialised for its params, with its registered params type and scratch."""
    return KernelCall(k.named(k.specialise(params) if k.specialise else ""), k.params_type,
                      params, args, scratch_bytes=k.scratch_bytes(params), comment=comment)
