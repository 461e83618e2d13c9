"""MEAN / REDUCE_MAX -> tp_reduce_mean_s8 / tp_reduce_max_s8.

TF 2.21's reference MEAN (reduce.cc EvalMean with kReference) sends every int8 case
to reference_ops::QuantizedMeanOrSum, an integer algorithm. The 4-D height/width
special path (reference_integer_ops::Mean) and the float requantization of older
releases are no longer used by the reference kernel, and the per-layer check
against the interpreter confirms it (also that an empty axis list requantizes each
element like a 1-element mean). REDUCE_MAX requires equal input and output
quantization (EvalType) and is a plain max.
"""
from __future__ import annotations

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import KernelCall, Target, TensorArg
from ..quant import quantize_multiplier
from .common import require_int8, tensor
from .transpose import const_ints, row_major_strides, walk4


def mean_multiplier(in_scale: float, out_scale: float, count: int) -> tuple[int, int]:
    """QuantizedMeanOrSum's multiplier/shift for in_scale / out_scale / count.

    Prepare quantizes in_scale / out_scale (double); Eval folds 1/count in by shifting
    the multiplier left by floor(log2(count)) (at most 32, and keeping the final shift
    >= -31) and dividing by count with int64 truncation.
    """
    mult, shift = quantize_multiplier(float(in_scale) / float(out_scale))
    s = min(count.bit_length() - 1, 32, 31 + shift)
    return int((mult << s) // count), shift - s


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    inp, out = tensor(graph, op, 0), tensor(graph, op, 0, output=True)
    require_int8(op, inp, out)
    rank = len(inp.shape)
    if not 1 <= rank <= 4:
        raise CompileError(f"layer {op.index} ({op.kind}): input has rank {rank}; ranks 1 to 4 "
                           "are supported. Reshape the tensor to 4 dims or fewer.")
    raw_axes = [int(a) for a in const_ints(op, graph, 1, "axes").reshape(-1)]
    if any(not -rank <= a < rank for a in raw_axes):
        raise CompileError(f"layer {op.index} ({op.kind}): axes {raw_axes} are out of range for "
                           f"a rank-{rank} input; the model is malformed.")
    axes = sorted({a % rank for a in raw_axes})  # ResolveAxis: wrap negatives, drop duplicates
    kept = [d for d in range(rank) if d not in axes]
    if out.size != int(np.prod([inp.shape[d] for d in kept], dtype=np.int64)):
        raise CompileError(f"layer {op.index} ({op.kind}): output shape {list(out.shape)} does "
                           f"not match reducing {list(inp.shape)} over axes {axes}; the model "
                           "is malformed.")
    args = [TensorArg(inp.index), TensorArg(out.index)]
    strides = row_major_strides(inp.shape)
    out_shape, out_strides = walk4(op, [(inp.shape[d], strides[d]) for d in kept])
    red_shape, red_strides = walk4(op, [(inp.shape[d], strides[d]) for d in axes])
    count = int(np.prod([inp.shape[d] for d in axes], dtype=np.int64))
    params: dict = {"out_shape": out_shape, "out_strides": out_strides, "red_shape": red_shape,
                    "red_strides": red_strides, "count": count}
    what = f"over axes {raw_axes} of {list(inp.shape)}"
    if op.kind == "REDUCE_MAX":
        if inp.scale != out.scale or inp.zero_point != out.zero_point:
            raise CompileError(f"layer {op.index} (REDUCE_MAX): input and output quantization "
                               "differ, which TFLite's int8 REDUCE_MAX does not allow; re-convert "
                               "the model with the TFLite converter.")
        return [make_call(select("reduce_max"), params, args,
                          comment=f"max {what}")]
    if count >= 1 << 22:  # keeps sum - count * in_zp inside int32
        raise CompileError(f"layer {op.index} (MEAN): reduces {count} elements per output; at "
                           "most 4194303 are supported.")
    mult, shift = mean_multiplier(inp.scale, out.scale, count)
    if shift > 30:  # outside MultiplyByQuantizedMultiplier's range (undefined in TFLite)
        raise CompileError(f"layer {op.index} (MEAN): the output scale is over 2^30 times "
                           "smaller than the input scale; the model is malformed.")
    params.update(in_zp=inp.zero_point, out_zp=out.zero_point, multiplier=mult, shift=shift)
    return [make_call(select("reduce_mean"), params, args,
                      comment=f"mean {what}")]
