"""SOFTMAX (int8 -> int8) -> tp_softmax_s8, scaling derived as TFLite's SoftmaxPrepare
(kReference path: PreprocessSoftmaxScaling + CalculateInputRadius) does."""
from __future__ import annotations

import math

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import KernelCall, Target, TensorArg
from ..quant import quantize_multiplier
from .add import require_per_tensor
from .common import require_int8, tensor

SCALED_DIFF_INTEGER_BITS = 5  # input differences are fed to exp() in Q5.26


def softmax_scaling(op: Op, beta: float, input_scale: float) -> tuple[int, int, int]:
    """(input_multiplier, input_left_shift, diff_min) as TFLite computes them."""
    # PreprocessSoftmaxScaling: min(beta * scale * 2^(31 - bits), 2^31 - 1) in double
    real = min(float(np.float32(beta)) * float(np.float32(input_scale))
               * float(1 << (31 - SCALED_DIFF_INTEGER_BITS)), float((1 << 31) - 1))
    if not real > 1.0:  # QuantizeMultiplierGreaterThanOne aborts in TFLite
        raise CompileError(f"layer {op.index} ({op.kind}): beta * input scale ({real / 2**26:.3g}) "
                           "is too small for TFLite's int8 softmax; use a larger beta or input "
                           "scale.")
    mult, shift = quantize_multiplier(real)
    # CalculateInputRadius(5, shift): floor((2^5 - 1) * 2^26 / 2^shift)
    radius = math.floor(((1 << SCALED_DIFF_INTEGER_BITS) - 1)
                        * float(1 << (31 - SCALED_DIFF_INTEGER_BITS)) / float(1 << shift))
    return mult, shift, -radius


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    x, y = tensor(graph, op, 0), tensor(graph, op, 0, output=True)
    require_int8(op, x, y)
    require_per_tensor(op, x, y)
    if y.zero_point != -128 or abs(y.scale - 1.0 / 256) > 0.001 / 256:
        raise CompileError(f"layer {op.index} ({op.kind}): int8 softmax needs output scale 1/256 "
                           f"and zero point -128 (got {y.scale:.6g}, {y.zero_point}); "
                           "re-convert the model with the TFLite converter.")
    if not x.shape:
        raise CompileError(f"layer {op.index} ({op.kind}): softmax of a scalar is not supported.")
    beta = float(op.options.get("beta", 1.0))
    mult, shift, diff_min = softmax_scaling(op, beta, x.scale)
    depth = int(x.shape[-1])
    rows = x.size // depth if depth else 0
    params = {"rows": rows, "depth": depth, "input_multiplier": mult, "input_left_shift": shift,
              "diff_min": diff_min}
    return [make_call(select("softmax"), params,
                      [TensorArg(op.inputs[0]), TensorArg(op.outputs[0])],
                      comment=f"{rows} rows of {depth}, beta {beta:g}")]
