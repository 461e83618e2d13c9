"""QUANTIZE / DEQUANTIZE at model edges -> tp_quantize_* / tp_requantize_* / tp_dequantize_*.

Parameters as TFLite's quantize.cc / dequantize.cc Prepare derive them: float paths keep
the float32 scale (the reference divides / multiplies by it), requantization uses
QuantizeMultiplier(input_scale / output_scale) computed in double.
"""
from __future__ import annotations

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op, Tensor
from ..kernels import make_call, select
from ..lowering import KernelCall, Target, TensorArg
from ..quant import quantize_multiplier
from .common import tensor

_SHORT = {"int8": "s8", "uint8": "u8", "float32": "f32"}


def _quantized(op: Op, t: Tensor) -> None:
    if t.quant is None:
        raise CompileError(f"layer {op.index} ({op.kind}): tensor '{t.name}' has no quantization "
                           "parameters; re-convert the model with the TFLite converter.")
    if t.quant.per_channel:
        raise CompileError(f"layer {op.index} ({op.kind}): tensor '{t.name}' is quantized per "
                           "channel; only per-tensor (de)quantization is supported.")


def _unsupported(op: Op, src: Tensor, dst: Tensor) -> CompileError:
    return CompileError(f"layer {op.index} ({op.kind}): {src.dtype} -> {dst.dtype} is not "
                        "supported (supported: float32 -> int8/uint8, int8/uint8 -> int8/uint8, "
                        "int8/uint8 -> float32). Use int8, uint8 or float32 model inputs and "
                        "outputs.")


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    src, dst = tensor(graph, op, 0), tensor(graph, op, 0, output=True)
    if src.dtype not in _SHORT or dst.dtype not in _SHORT or src.dtype == dst.dtype == "float32":
        raise _unsupported(op, src, dst)
    args = [TensorArg(op.inputs[0]), TensorArg(op.outputs[0])]
    size = src.size
    if src.dtype == "float32":  # QUANTIZE: AffineQuantize, float division by the scale
        _quantized(op, dst)
        params = {"size": size, "scale": float(np.float32(dst.scale)),
                  "output_zero_point": dst.zero_point}
        family = "quantize"
    elif dst.dtype == "float32":  # DEQUANTIZE
        _quantized(op, src)
        params = {"size": size, "scale": float(np.float32(src.scale)),
                  "input_zero_point": src.zero_point}
        family = "dequantize"
    else:  # QUANTIZE between integer types: Requantize
        _quantized(op, src)
        _quantized(op, dst)
        real = float(np.float32(src.scale)) / float(np.float32(dst.scale))  # double, as quantize.cc
        mult, shift = quantize_multiplier(real)
        params = {"size": size, "input_zero_point": src.zero_point,
                  "output_zero_point": dst.zero_point, "multiplier": mult, "shift": shift}
        family = "requantize"
    return [make_call(select(family, "portable", f"{_SHORT[src.dtype]}_{_SHORT[dst.dtype]}"),
                      params, args, comment=f"{src.dtype} -> {dst.dtype}")]
