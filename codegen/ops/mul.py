"""MUL (int8) -> tp_mul_s8, parameters derived exactly as TFLite's mul.cc Prepare does."""
from __future__ import annotations

import numpy as np

from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import KernelCall, Target, TensorArg
from ..quant import quantize_multiplier
from .add import require_per_tensor
from .broadcast import broadcast_fields
from .common import clamp_range, require_int8, tensor


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    a, b = tensor(graph, op, 0), tensor(graph, op, 1)
    out = tensor(graph, op, 0, output=True)
    require_int8(op, a, b, out)
    require_per_tensor(op, a, b, out)
    # mul.cc: input1->params.scale * input2->params.scale / output->params.scale is
    # evaluated in float (all three are float), then widened to double
    real = np.float32(a.scale) * np.float32(b.scale) / np.float32(out.scale)  # float32 ops
    mult, shift = quantize_multiplier(float(real))
    act_min, act_max = clamp_range(op, out)
    params = {
        **broadcast_fields(op, a, b, out),
        "input1_offset": -a.zero_point, "input2_offset": -b.zero_point,
        "output_multiplier": mult, "output_shift": shift, "output_offset": out.zero_point,
        "act_min": act_min, "act_max": act_max,
    }
    return [make_call(select("mul"), params,
                      [TensorArg(op.inputs[0]), TensorArg(op.inputs[1]), TensorArg(op.outputs[0])],
                      comment=f"{list(a.shape)} * {list(b.shape)} -> {list(out.shape)}")]
