"""CONCATENATION -> one tp_concat_s8 / tp_concat_lut_s8 call per input.

TFLite's int8 concatenation (concatenation.cc) requires every input to share the
output's scale and zero point and no fused activation; it then copies. The converter
guarantees that, so the normal case is tp_concat_s8. Two cases TFLite's int8 kernel
does not run still compile, through a 256-entry lookup table per input:
  - a RELU fused in by our fuse_activation pass (an exact clamp, as TFLite's RELU is
    for equal quantization);
  - an input quantized differently (e.g. from a graph rewrite), requantized with the
    float arithmetic of TFLite's ConcatenationWithScaling:
    round(x * (in_scale * (1 / out_scale)) + (-in_zp * scale)) + out_zp.
"""
from __future__ import annotations

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op, Tensor
from ..kernels import make_call, select
from ..lowering import ConstArray, KernelCall, Target, TensorArg
from .common import clamp_range, require_int8, tensor


def _round_half_away(v: np.ndarray) -> np.ndarray:
    """std::round of float32 values (exact: v - trunc(v) is exact in binary floating point)."""
    t = np.trunc(v.astype(np.float64))
    frac = v.astype(np.float64) - t
    return t + (frac >= 0.5) - (frac <= -0.5)


def requant_lut(inp: Tensor, out: Tensor, act_min: int, act_max: int) -> np.ndarray:
    """Output int8 value for every input int8 value, indexed by x + 128."""
    x = np.arange(-128, 128, dtype=np.float32)
    if inp.scale == out.scale and inp.zero_point == out.zero_point:
        value = x.astype(np.int64)
    else:
        scale = np.float32(inp.scale) * (np.float32(1.0) / np.float32(out.scale))
        bias = np.float32(-inp.zero_point) * scale
        value = _round_half_away((x * scale).astype(np.float32) + bias).astype(np.int64)
        value += out.zero_point
    return np.clip(value, act_min, act_max).astype(np.int8)


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    out = tensor(graph, op, 0, output=True)
    inputs = [graph.tensors[i] for i in op.inputs]
    require_int8(op, out, *inputs)
    rank = len(out.shape)
    axis = int(op.options.get("axis", 0))
    if not -rank <= axis < rank:
        raise CompileError(f"layer {op.index} ({op.kind}): axis {axis} is out of range for "
                           f"rank-{rank} tensors; the model is malformed.")
    axis %= rank
    for t in inputs:
        if (len(t.shape) != rank
                or any(t.shape[d] != out.shape[d] for d in range(rank) if d != axis)):
            raise CompileError(f"layer {op.index} ({op.kind}): input '{t.name}' shape "
                               f"{list(t.shape)} does not fit output {list(out.shape)} along "
                               f"axis {axis}; the model is malformed.")
    if sum(t.shape[axis] for t in inputs) != out.shape[axis]:
        raise CompileError(f"layer {op.index} ({op.kind}): inputs do not add up to the output's "
                           f"{out.shape[axis]} elements along axis {axis}; the model is malformed.")
    act_min, act_max = clamp_range(op, out)
    outer = int(np.prod(out.shape[:axis], dtype=np.int64))
    inner = int(np.prod(out.shape[axis + 1:], dtype=np.int64))

    calls, offset = [], 0
    for i, t in enumerate(inputs):
        params: dict = {"outer": outer, "in_slice": t.shape[axis] * inner,
                        "out_slice": out.shape[axis] * inner, "out_offset": offset}
        offset += t.shape[axis] * inner
        lut = requant_lut(t, out, act_min, act_max)
        if np.array_equal(lut, np.arange(-128, 128)):
            variant, how = "portable", "copy"
        else:
            params["lut"] = ConstArray(lut)
            variant, how = "lut", "requantize/clamp"
        calls.append(make_call(select("concat", variant), params,
                               [TensorArg(t.index), TensorArg(out.index)],
                               comment=f"input {i} of {len(inputs)} along axis {axis}: {how}"))
    return calls
