"""Is the graph the reader built well-formed? Checked once at the reader/IR boundary so that
every pass after it may index tensors, shapes and quantization parameters freely.

Each check raises CompileError naming the tensor or op; a model file that fails one is
corrupt or was not written by the TFLite converter.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import CompileError
from .ir import DTYPE_BYTES, Graph, Op, Tensor

MAX_DIM = 1 << 24           # elements along one axis
MAX_ELEMENTS = 1 << 28      # elements of one tensor (256 MiB of int8: far beyond any MCU)
MAX_RANK = 8
_INT_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}

# (fewest, most) inputs; every op has exactly one output
_ARITY = {"ADD": (2, 2), "MUL": (2, 2), "AVERAGE_POOL_2D": (1, 1), "MAX_POOL_2D": (1, 1),
          "CONCATENATION": (1, 1 << 16), "CONV_2D": (2, 3), "DEPTHWISE_CONV_2D": (2, 3),
          "FULLY_CONNECTED": (2, 3), "DEQUANTIZE": (1, 1), "QUANTIZE": (1, 1),
          "EXPAND_DIMS": (2, 2), "HARD_SWISH": (1, 1), "MEAN": (2, 2), "REDUCE_MAX": (2, 2),
          "PAD": (2, 2), "PADV2": (2, 3), "RELU": (1, 1), "RELU6": (1, 1), "RELU_N1_TO_1": (1, 1),
          "RESHAPE": (1, 2), "RESIZE_NEAREST_NEIGHBOR": (2, 2), "SOFTMAX": (1, 1),
          "SQUEEZE": (1, 1), "TRANSPOSE": (2, 2),
          # folded at compile time (shape arithmetic)
          "SHAPE": (1, 1), "STRIDED_SLICE": (4, 4), "PACK": (1, 1 << 16), "CAST": (1, 1),
          "GATHER": (2, 2), "SUB": (2, 2)}
_OPTIONAL_INPUT = {"CONV_2D": 2, "DEPTHWISE_CONV_2D": 2, "FULLY_CONNECTED": 2, "PADV2": 2,
                   "RESHAPE": 1}
# option -> smallest allowed value (all are small positive integers in a real model)
_POSITIVE_OPTIONS = ("stride_h", "stride_w", "dilation_h", "dilation_w", "filter_h", "filter_w",
                     "depth_multiplier")

_FIX = "The model file is corrupt or was not written by the TFLite converter; re-export it."


def _tensors(n: int) -> str:
    return f"tensors 0..{n - 1}" if n else "no tensors"


def _bad(what: str) -> CompileError:
    return CompileError(f"{what}. {_FIX}")


def check_tensor(t: Tensor) -> None:
    """Shape bounded and positive, constant data of the right size, quantization consistent."""
    label = f"tensor {t.index} ('{t.name}')"
    if len(t.shape) > MAX_RANK:
        raise _bad(f"{label} has rank {len(t.shape)} (at most {MAX_RANK} is supported)")
    if any(d < 0 or d > MAX_DIM for d in t.shape):
        raise _bad(f"{label} has an invalid shape {list(t.shape)} (each dimension must be "
                   f"1..{MAX_DIM})")
    if math.prod(t.shape) > MAX_ELEMENTS:
        raise _bad(f"{label} has {math.prod(t.shape)} elements (shape {list(t.shape)}), more than "
                   f"the {MAX_ELEMENTS} any target can hold")
    q = t.quant
    if q is None:
        return
    if q.zero_point.size != q.scale.size:
        raise _bad(f"{label} has {q.scale.size} quantization scales but {q.zero_point.size} "
                   "zero points")
    if not np.all(np.isfinite(q.scale)) or not np.all(q.scale > 0):
        raise _bad(f"{label} has a quantization scale that is zero, negative, NaN or infinite "
                   f"({q.scale[~(np.isfinite(q.scale) & (q.scale > 0))][0]})")
    if q.scale.size > 1:
        if not 0 <= q.axis < len(t.shape):
            raise _bad(f"{label} is quantized along axis {q.axis} but has shape {list(t.shape)}")
        if q.scale.size != t.shape[q.axis]:
            raise _bad(f"{label} has {q.scale.size} per-channel scales but {t.shape[q.axis]} "
                       f"channels along axis {q.axis}")
    lo, hi = _INT_RANGES.get(t.dtype, (-(1 << 31), (1 << 31) - 1))
    if q.zero_point.min() < lo or q.zero_point.max() > hi:
        raise _bad(f"{label} has a zero point outside the {t.dtype} range [{lo}, {hi}]")


def check_const_data(t: Tensor, nbytes: int) -> None:
    """A constant's buffer holds exactly its shape's elements."""
    want = math.prod(t.shape) * DTYPE_BYTES[t.dtype]
    if nbytes != want:
        raise _bad(f"tensor {t.index} ('{t.name}') has shape {list(t.shape)} ({want} bytes of "
                   f"{t.dtype}) but its buffer holds {nbytes} bytes")


def _check_op(op: Op, graph: Graph) -> None:
    label = f"layer {op.index} ({op.kind})"
    n = len(graph.tensors)
    for role, refs in (("input", op.inputs), ("output", op.outputs)):
        for k, i in enumerate(refs):
            if not (-1 <= i < n) or (i == -1 and role == "output"):
                raise _bad(f"{label} {role} {k} refers to tensor {i}, but the model has "
                           f"{_tensors(n)}")
    arity = _ARITY.get(op.kind)
    if arity is None:
        return  # unsupported: check_supported names it
    lo, hi = arity
    if not lo <= len(op.inputs) <= hi or len(op.outputs) != 1:
        raise _bad(f"{label} has {len(op.inputs)} inputs and {len(op.outputs)} outputs; "
                   f"{op.kind} takes {lo}..{hi} inputs and 1 output")
    for k, i in enumerate(op.inputs):
        if i == -1 and _OPTIONAL_INPUT.get(op.kind) != k:
            raise _bad(f"{label} leaves its required input {k} out")
    for key, value in op.options.items():
        if key in _POSITIVE_OPTIONS and not 1 <= value <= MAX_DIM:
            raise _bad(f"{label} has {key} = {value}; it must be at least 1")


def check_graph(graph: Graph) -> None:
    """Indices in range, one producer per tensor, ops in an order where every tensor is
    produced before it is read (so no cycle), inputs and outputs distinct."""
    n = len(graph.tensors)
    for role, refs in (("input", graph.inputs), ("output", graph.outputs)):
        for i in refs:
            if not 0 <= i < n:
                raise _bad(f"model '{graph.name}' {role} refers to tensor {i}, but the model has "
                           f"{_tensors(n)}")
    for i in set(graph.inputs) & set(graph.outputs):
        raise _bad(f"tensor {i} ('{graph.tensors[i].name}') is both a model input and a model "
                   "output")
    # a tensor with no elements (e.g. an empty axis list) holds nothing to produce
    available = set(graph.inputs) | {i for i, t in graph.tensors.items()
                                     if t.is_const or (0 in t.shape and not t.dynamic)}
    produced: dict[int, int] = {}
    for op in graph.ops:
        _check_op(op, graph)
        for i in op.inputs:
            if i >= 0 and i not in available:
                what = ("is its own output" if i in op.outputs else
                        "is produced later (a cycle or an operator out of order)" if any(
                            i in o.outputs for o in graph.ops) else "is never produced")
                raise _bad(f"layer {op.index} ({op.kind}) reads tensor {i} "
                           f"('{graph.tensors[i].name}'), which {what}")
        for i in op.outputs:
            t = graph.tensors[i]
            if i in produced or i in graph.inputs or t.is_const:
                source = (f"layer {produced[i]} already writes" if i in produced else
                          "is a model input" if i in graph.inputs else "is a constant")
                raise _bad(f"layer {op.index} ({op.kind}) writes tensor {i} ('{t.name}'), which "
                           f"{source}")
            produced[i] = op.index
            available.add(i)
    for i in [*graph.inputs, *produced]:  # activations: every dimension at least 1
        t = graph.tensors[i]
        if 0 in t.shape and not t.dynamic:
            raise _bad(f"tensor {i} ('{t.name}') has an invalid shape {list(t.shape)} (each "
                       f"dimension of a model input or a layer output must be 1..{MAX_DIM})")
    for i in graph.outputs:
        if graph.tensors[i].is_const:
            raise _bad(f"model output tensor {i} ('{graph.tensors[i].name}') is a constant")
        if i not in available:
            raise _bad(f"model output tensor {i} ('{graph.tensors[i].name}') is never produced")
