"""The simulator's layers in the native library (see __init__.py): for one kernel call's
params, a callable with the numpy kernel's signature (kernels.Kernel) that runs the whole
batch in one C call, or None where the numpy kernel runs it."""
from __future__ import annotations

import ctypes
from typing import Callable

import numpy as np

from codegen.lowering import ConstArray

from .. import kernels
from .loader import P8, P32, PF64, NativeError, conv_kind, function, ptr

Kernel = Callable[[dict, list[np.ndarray]], None]
# per convolution build (sim_conv.c): output channels per packed block, filter values per
# 4-byte word, and their type
CONV_PACKING = {"vnni": (16, 4, np.int8), "avx2": (8, 2, np.int16)}
MAX_RUNS = 64  # runs per window (sim_conv.c TP_SIM_MAX_RUNS), taps per filter row
               # (sim_depthwise.c TP_SIM_DW_MAX_K)


class Requant(ctypes.Structure):  # sim_requant.h tp_sim_requant
    _fields_ = [("bias", P32), ("mult", P32), ("shift", P32),
                ("output_zp", ctypes.c_int32), ("act_min", ctypes.c_int32),
                ("act_max", ctypes.c_int32), ("scale", PF64), ("offset", PF64)]


_GEOMETRY = ("in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "k_h", "k_w", "stride_h",
             "stride_w", "dil_h", "dil_w", "pad_top", "pad_left")


class Conv(ctypes.Structure):  # sim_conv.c tp_sim_conv
    _fields_ = [(f, ctypes.c_int32) for f in _GEOMETRY + ("input_zp", "k4", "blocks")] + [
        ("packed", ctypes.c_void_p), ("q", Requant)]


class Depthwise(ctypes.Structure):  # sim_depthwise.c tp_sim_depthwise
    _fields_ = [(f, ctypes.c_int32) for f in _GEOMETRY + ("depth_mult", "input_offset")] + [
        ("filter", P8), ("q", Requant)]


class Pool(ctypes.Structure):  # kernels_c/tp_pool.h tp_pool_params
    _fields_ = [(f, ctypes.c_int32) for f in (
        "in_h", "in_w", "c", "out_h", "out_w", "k_h", "k_w", "stride_h", "stride_w", "pad_top",
        "pad_left", "act_min", "act_max")]


class Softmax(ctypes.Structure):  # kernels_c/tp_softmax.h tp_softmax_params
    _fields_ = [(f, ctypes.c_int32) for f in (
        "rows", "depth", "input_multiplier", "input_left_shift", "diff_min")]


class Reduce(ctypes.Structure):  # kernels_c/tp_reduce.h tp_reduce_params
    _fields_ = [("out_shape", P32), ("out_strides", P32), ("red_shape", P32),
                ("red_strides", P32)] + [(f, ctypes.c_int32) for f in (
                    "count", "in_zp", "out_zp", "multiplier", "shift")]


def _const(v) -> np.ndarray:
    return v.values if isinstance(v, ConstArray) else np.asarray(v)


class _Call:
    """One layer's native call: function(&layer, input, output, batch[, input size, output
    size][, flag]). `keep` holds the arrays the struct points into."""

    def __init__(self, name: str, struct: type, layer: ctypes.Structure,
                 keep: list[np.ndarray], sized: bool = False, flag: int | None = None):
        args = [ctypes.POINTER(struct), P8, P8, ctypes.c_int32]
        args += [ctypes.c_int64, ctypes.c_int64] if sized else []
        args += [ctypes.c_int32] if flag is not None else []
        self.function = function(name, args)
        self.layer, self.keep, self.sized, self.flag = layer, keep, sized, flag

    def __call__(self, _: dict, args: list[np.ndarray]) -> None:
        x, out = np.ascontiguousarray(args[0]), args[1]
        if not out.flags.c_contiguous:
            raise NativeError("output buffer must be C-contiguous")
        extra = (x.shape[1], out.shape[1]) if self.sized else ()
        extra += (self.flag,) if self.flag is not None else ()
        rc = self.function(ctypes.byref(self.layer), ptr(x, P8), ptr(out, P8), x.shape[0],
                           *extra)
        if rc == -1:
            raise MemoryError("native kernel could not allocate its scratch")
        if rc != 0:
            raise NativeError(f"native kernel rejected its parameters (code {rc})")


def _requant(p: dict, bias: np.ndarray, bound: np.ndarray, keep: list[np.ndarray],
             width: int = 0) -> Requant:
    """The layer's requantisation constants, arrays zero-padded to `width` channels, with
    the single float64 rounding where it is proven for accumulators within `bound` (see
    kernels.single_rounding); arrays go in `keep` so they live as long as the struct."""
    out_c = p["out_c"]
    single = kernels.single_rounding(p, bias, bound)
    columns: list[tuple[np.ndarray, type]] = [
        (bias, np.int32), (_const(p["mult"]), np.int32), (_const(p["shift"]), np.int32)]
    if single is not None:
        columns += [(single[0], np.float64), (single[1], np.float64)]
    arrays = []
    for values, dtype in columns:
        a = np.zeros(max(width, out_c), dtype)
        a[:out_c] = np.broadcast_to(np.asarray(values), (out_c,))
        arrays.append(a)
    if (arrays[1] < 0).any() or (np.abs(arrays[2]) > 31).any():
        raise NativeError("requantisation multipliers must be >= 0 and shifts within +-31")
    keep += arrays
    scale, offset = ((ptr(arrays[3], PF64), ptr(arrays[4], PF64)) if single is not None
                     else (None, None))
    return Requant(ptr(arrays[0], P32), ptr(arrays[1], P32), ptr(arrays[2], P32),
                   p["output_zp"], p["act_min"], p["act_max"], scale, offset)


def _pack_filter(w: np.ndarray, dil_w: int, kind: str) -> np.ndarray:
    """(out_c, k_h, k_w, in_c) int8 -> sim_conv.c's [blocks][words][lanes][per word] for
    build `kind` (CONV_PACKING): the window as its runs (a filter row's k_w * in_c values,
    or one tap's in_c values when dil_w > 1), each zero-padded to whole words; out_c
    zero-padded to whole blocks."""
    lanes, per_word, dtype = CONV_PACKING[kind]
    out_c, k_h, k_w, in_c = w.shape
    runs = w.reshape(out_c, k_h, k_w * in_c) if dil_w == 1 else w.reshape(out_c, k_h * k_w, in_c)
    words = -(-runs.shape[2] // per_word)
    blocks = -(-out_c // lanes)
    full = np.zeros((blocks * lanes, runs.shape[1], words * per_word), dtype)
    full[:out_c, :, :runs.shape[2]] = runs
    k4 = runs.shape[1] * words
    return np.ascontiguousarray(
        full.reshape(blocks, lanes, k4, per_word).transpose(0, 2, 1, 3))


def conv(p: dict) -> Kernel | None:
    """tp_conv_s8 / tp_conv_1x1_s8 (same params); None on hosts without AVX-512 VNNI or
    AVX2, where numpy's BLAS products beat portable C loops, and for windows of over
    MAX_RUNS runs."""
    runs = p["k_h"] if p["dil_w"] == 1 else p["k_h"] * p["k_w"]
    kind = conv_kind()
    if kind is None or runs > MAX_RUNS:
        return None
    w = _const(p["filter"]).astype(np.int8).reshape(p["out_c"], p["k_h"], p["k_w"], p["in_c"])
    packed = _pack_filter(w, p["dil_w"], kind)
    blocks, k4, lanes = packed.shape[:3]
    # the products see x + 128 (<= 255): take 128 * sum(w) back out of the bias
    w2d = w.reshape(p["out_c"], -1).astype(np.int64)
    bias = _const(p["bias"]).astype(np.int64) - 128 * w2d.sum(axis=1)
    bound = np.abs(w2d).sum(axis=1).astype(np.float64) * 255
    keep: list[np.ndarray] = [packed]
    layer = Conv(*(p[f] for f in _GEOMETRY), p["input_zp"], k4, blocks,
                 packed.ctypes.data_as(ctypes.c_void_p),
                 _requant(p, bias, bound, keep, blocks * lanes))
    return _Call("tp_sim_conv_s8", Conv, layer, keep)


def depthwise(p: dict) -> Kernel | None:
    """tp_depthwise_s8; None for filters wider than MAX_RUNS taps."""
    if p["k_w"] > MAX_RUNS:
        return None
    w = np.ascontiguousarray(_const(p["filter"]), np.int8)
    # |x + offset| <= 255
    bound = np.abs(w.astype(np.int64)).reshape(-1, p["out_c"]).sum(axis=0).astype(np.float64) * 255
    keep: list[np.ndarray] = [w]
    layer = Depthwise(*(p[f] for f in _GEOMETRY), p["depth_mult"], p["input_offset"],
                      ptr(w, P8), _requant(p, _const(p["bias"]), bound, keep))
    return _Call("tp_sim_depthwise_s8", Depthwise, layer, keep)


def avgpool(p: dict) -> Kernel:
    """tp_avgpool_s8 (the firmware's), once per sample."""
    return _Call("tp_sim_pool_s8", Pool, Pool(*(p[f] for f, _ in Pool._fields_)), [], flag=0)


def maxpool(p: dict) -> Kernel:
    """tp_maxpool_s8 (the firmware's), once per sample."""
    return _Call("tp_sim_pool_s8", Pool, Pool(*(p[f] for f, _ in Pool._fields_)), [], flag=1)


def softmax(p: dict) -> Kernel:
    """tp_softmax_s8 (the firmware's) over the batch's rows in one call."""
    return _Call("tp_sim_softmax_s8", Softmax, Softmax(*(p[f] for f, _ in Softmax._fields_)), [])


def _reduce(p: dict, is_max: bool) -> Kernel:
    keep = [np.ascontiguousarray(_const(p[f]), np.int32)
            for f in ("out_shape", "out_strides", "red_shape", "red_strides")]
    scalars = [p.get(f, 0) for f in ("count", "in_zp", "out_zp", "multiplier", "shift")]
    layer = Reduce(*(ptr(a, P32) for a in keep), *scalars)
    return _Call("tp_sim_reduce_s8", Reduce, layer, keep, sized=True, flag=int(is_max))


def reduce_mean(p: dict) -> Kernel:
    """tp_reduce_mean_s8 (the firmware's), once per sample."""
    return _reduce(p, False)


def reduce_max(p: dict) -> Kernel:
    """tp_reduce_max_s8 (the firmware's), once per sample."""
    return _reduce(p, True)


class _Pair:
    """tp_add_s8 / tp_mul_s8 on same-shape inputs: one table lookup per element."""

    def __init__(self, table: np.ndarray):
        self.table = np.ascontiguousarray(table, np.int8)
        self.function = function("tp_sim_pair_s8", [P8, P8, P8, P8, ctypes.c_int64])

    def __call__(self, _: dict, args: list[np.ndarray]) -> None:
        a, b, out = np.ascontiguousarray(args[0]), np.ascontiguousarray(args[1]), args[2]
        if a.shape != out.shape or b.shape != out.shape or not out.flags.c_contiguous:
            raise NativeError("pair kernel needs same-shape contiguous operands")
        self.function(ptr(self.table, P8), ptr(a, P8), ptr(b, P8), ptr(out, P8), out.size)


def add(p: dict) -> Kernel | None:
    """tp_add_s8 without broadcasting; None (numpy) with it."""
    return _Pair(kernels.add_table(p)) if kernels.same_shape(p) else None


def mul(p: dict) -> Kernel | None:
    """tp_mul_s8 without broadcasting; None (numpy) with it."""
    return _Pair(kernels.mul_table(p)) if kernels.same_shape(p) else None


# kernel name -> builder of its native version for one call's params (None: not native)
BUILDERS: dict[str, Callable[[dict], Kernel | None]] = {
    "tp_conv_s8": conv, "tp_conv_1x1_s8": conv, "tp_depthwise_s8": depthwise,
    "tp_avgpool_s8": avgpool, "tp_maxpool_s8": maxpool, "tp_add_s8": add, "tp_mul_s8": mul,
    "tp_softmax_s8": softmax, "tp_reduce_mean_s8": reduce_mean, "tp_reduce_max_s8": reduce_max}
