"""PAD / PADV2 -> tp_pad_s8.

TFLite's int8 pad (pad.cc, EvalInt) copies bytes: the padded elements take the output
zero point (PAD) or the scalar constant input (PADV2, which TFLite requires to share
the output's scale and zero point). Shapes are extended to rank 4 on the left.
"""
from __future__ import annotations

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import ConstArray, KernelCall, Target, TensorArg
from .common import require_int8, tensor
from .transpose import const_ints


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    inp, out = tensor(graph, op, 0), tensor(graph, op, 0, output=True)
    require_int8(op, inp, out)
    rank = len(inp.shape)
    if rank > 4:
        raise CompileError(f"layer {op.index} ({op.kind}): input has rank {rank}; at most "
                           "rank 4 is supported. Reshape the tensor to 4 dims or fewer.")
    pads = const_ints(op, graph, 1, "paddings")
    if pads.shape != (rank, 2) or (pads < 0).any():
        raise CompileError(f"layer {op.index} ({op.kind}): paddings {pads.tolist()} must be "
                           f"{rank} non-negative [before, after] pairs; the model is malformed.")
    expect = tuple(int(d + b + a) for d, (b, a) in zip(inp.shape, pads))
    if tuple(out.shape) != expect:
        raise CompileError(f"layer {op.index} ({op.kind}): output shape {list(out.shape)} is "
                           f"not the padded input shape {list(expect)}; the model is malformed.")

    pad_value = out.zero_point
    if len(op.inputs) > 2 and op.inputs[2] >= 0:  # PADV2 constant value
        cv = tensor(graph, op, 2)
        if cv.data is None or cv.dtype != "int8" or cv.data.size != 1:
            raise CompileError(f"layer {op.index} ({op.kind}): the pad value must be a constant "
                               "int8 scalar; re-export the model with a constant pad value.")
        if cv.quant is None or cv.scale != out.scale or cv.zero_point != out.zero_point:
            raise CompileError(f"layer {op.index} ({op.kind}): the pad value is quantized "
                               "differently from the output, which TFLite does not allow; "
                               "re-convert the model with the TFLite converter.")
        pad_value = int(cv.data.reshape(-1)[0])

    lead = 4 - rank
    in_shape = [1] * lead + list(inp.shape)
    before = [0] * lead + [int(b) for b, _ in pads]
    out_shape = [1] * lead + list(expect)
    return [make_call(select("pad"),
                      {"in_shape": ConstArray(np.array(in_shape, np.int32)),
                       "out_shape": ConstArray(np.array(out_shape, np.int32)),
                       "pad_before": ConstArray(np.array(before, np.int32)),
                       "pad_value": pad_value},
                      [TensorArg(inp.index), TensorArg(out.index)],
                      comment=f"pad {pads.tolist()} with {pad_value}")]
