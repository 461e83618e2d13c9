"""FULLY_CONNECTED -> tp_fully_connected_s8[_dsp][_int] (DSP variant on DSP targets).

TFLite 2.21's int8 FULLY_CONNECTED (BUILTIN_REF) requantises in binary64, not with the
Q31 multiplier its Prepare also computes: out = round(double(acc) * scale), with
scale = double(input_scale) * double(weight_scale) / double(output_scale) per channel,
or once for per-tensor weights (not the float32 product GetQuantizedConvolutionMultipler
uses for the Q31 multiplier). Established against the interpreter with crafted scales,
see tests/kernels/test_kernels_fully_connected.py.

Targets with a double-precision FPU multiply in binary64 as the reference does (scale_bits);
the others get the _int kernels, which compute the same rounding from the scale's exact
significand with 32-bit multiplies (scale_int, see kernels_c/tp_fc_round.h), instead of a
soft-float multiply that costs more than a short dot product.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import ConstArray, KernelCall, ScratchArg, Target, TensorArg
from .common import clamp_range, require_int8, tensor
from .conv import check_weights, fold_input_zero_point, optional_bias
from .dsp import use_dsp

INT_SHIFT_LIMIT = 32  # tp_fc_round_int: beyond +-32 every result is 0 or saturates


def int_scale(scale: float) -> tuple[int, int, int]:
    """(m_lo, m_hi, shift) of tp_fc_round_int for a finite binary64 scale >= 0:
    scale = m * 2^-(shift + 65) with m = m_hi * 2^32 + m_lo, 2^62 <= m < 2^63, the
    53-bit significand shifted left by 10 (exact, subnormal scales included), and shift
    clamped to +-INT_SHIFT_LIMIT. A zero scale gives m = 0 and the shift that yields 0."""
    assert math.isfinite(scale) and scale >= 0.0, scale
    if scale == 0.0:
        return 0, 0, INT_SHIFT_LIMIT
    frac, exp = math.frexp(scale)       # scale = frac * 2^exp, 1/2 <= frac < 1
    m = int(math.ldexp(frac, 63))       # exact: frac has at most 53 significant bits
    shift = min(max(63 - exp - 65, -INT_SHIFT_LIMIT), INT_SHIFT_LIMIT)
    return m & 0xFFFFFFFF, m >> 32, shift


def _int32_words(words: list[int]) -> np.ndarray:
    return np.array(words, np.int64).astype(np.uint32).view(np.int32)


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    inp, w, out = tensor(graph, op, 0), tensor(graph, op, 1), tensor(graph, op, 0, output=True)
    bias = optional_bias(op, graph, 2)
    require_int8(op, inp, out)
    if op.options.get("weights_format", 0) != 0:
        raise CompileError(f"layer {op.index} ({op.kind}): shuffled weights format is not "
                           "supported. Convert the model with the default weights format.")
    check_weights(op, w, axis=0)
    if len(w.shape) != 2:
        raise CompileError(f"layer {op.index} ({op.kind}): weights shape {list(w.shape)} is not "
                           "2-D; the model is malformed.")
    units, depth = w.shape
    if inp.size % depth or out.size != inp.size // depth * units:
        raise CompileError(f"layer {op.index} ({op.kind}): input {list(inp.shape)}, weights "
                           f"{list(w.shape)} and output {list(out.shape)} do not agree; the "
                           "model is malformed.")
    rows = inp.size // depth
    # Python floats are binary64: the same IEEE operations as the interpreter's
    scales = np.array([float(inp.scale) * float(s) / float(out.scale)
                       for s in np.asarray(w.quant.scale, np.float32).reshape(-1)], np.float64)
    act_min, act_max = clamp_range(op, out)
    weights = w.data.astype(np.int8)
    params = {
        "rows": rows, "depth": depth, "out_c": units, "per_channel": int(w.quant.per_channel),
        "output_zp": out.zero_point, "act_min": act_min, "act_max": act_max,
        "weights": ConstArray(weights.reshape(-1)),
        "bias": ConstArray(fold_input_zero_point(bias, weights, inp.zero_point)),
    }
    # negative or non-finite scales (malformed quantisation) stay with the reference multiply
    use_int = not target.fpu_double and all(math.isfinite(s) and s >= 0.0 for s in scales)
    if use_int:
        params["scale_int"] = ConstArray(_int32_words(
            [word for s in scales for word in int_scale(float(s))]))
    else:
        # binary64 bit patterns as (low, high) int32 words: exact and endian-independent
        params["scale_bits"] = ConstArray(scales.astype("<f8").view("<u4").astype(np.uint32)
                                          .view(np.int32))
    variant = ("dsp" if use_dsp(target) else "portable") + ("_int" if use_int else "")
    if use_dsp(target):  # SMLAD on the widened input row, same results
        return [make_call(select("fully_connected", variant), params,
                          [TensorArg(inp.index), TensorArg(out.index), ScratchArg()],
                          f"fully connected {rows}x{depth} -> {units} (DSP)")]
    return [make_call(select("fully_connected", variant), params,
                      [TensorArg(inp.index), TensorArg(out.index)],
                      f"fully connected {rows}x{depth} -> {units}")]
