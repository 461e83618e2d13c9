"""Standalone RELU / RELU6 / RELU_N1_TO_1 (the ones fuse_activations could not fuse).

TFLite's int8 kernel requantizes (input scale / output scale, QuantizeMultiplier in
double) and clamps to the activation range rounded with roundf in float. Every one of
the 256 results is computed here with the same integer arithmetic, so the device only
looks values up.
"""
from __future__ import annotations

import math

import numpy as np

from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import ConstArray, KernelCall, Target, TensorArg
from ..quant import quantize_multiplier, requantize
from .common import require_int8

_RANGES = {"RELU": (0.0, math.inf), "RELU6": (0.0, 6.0), "RELU_N1_TO_1": (-1.0, 1.0)}


def _roundf(x: np.float32) -> int:
    return int(math.copysign(math.floor(abs(float(x)) + 0.5), float(x)))


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    src, dst = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    require_int8(op, src, dst)
    lo, hi = _RANGES[op.kind]
    scale = np.float32(dst.scale)
    act_min = max(-128, dst.zero_point + _roundf(np.float32(lo) / scale))
    act_max = 127 if math.isinf(hi) else min(127, dst.zero_point + _roundf(np.float32(hi) / scale))
    mult, shift = quantize_multiplier(float(np.float32(src.scale)) / float(scale))
    lut = np.array([min(max(dst.zero_point + requantize(x - src.zero_point, mult, shift), act_min),
                        act_max) for x in range(-128, 128)], dtype=np.int8)
    return [make_call(select("lut"), {"size": dst.size, "lut": ConstArray(lut)},
                      [TensorArg(op.inputs[0]), TensorArg(op.outputs[0])],
                      comment=f"{op.kind} as a 256-entry table")]
