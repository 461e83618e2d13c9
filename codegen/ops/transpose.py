"""TRANSPOSE -> tp_transpose_s8.

A pure data movement (TFLite's reference Transpose). The output is described as up to
4 dims, each with the input stride it walks; dims that stay contiguous are merged so
the kernel's inner loop is as long as possible. The strided-layout helpers here are
shared with the reduce lowering.
"""
from __future__ import annotations

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import ConstArray, KernelCall, Target, TensorArg
from .common import require_int8, tensor


def row_major_strides(shape: tuple[int, ...]) -> list[int]:
    strides, step = [], 1
    for d in reversed(shape):
        strides.append(step)
        step *= d
    return strides[::-1]


def merge_dims(dims: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drops size-1 dims of a (size, stride) walk and merges neighbours that are
    contiguous (outer stride == inner size * inner stride); the walk order is unchanged."""
    out: list[tuple[int, int]] = []
    for size, stride in dims:
        if size == 1:
            continue
        if out and out[-1][1] == size * stride:
            out[-1] = (out[-1][0] * size, stride)
        else:
            out.append((size, stride))
    return out


def walk4(op: Op, dims: list[tuple[int, int]]) -> tuple[ConstArray, ConstArray]:
    """A merged walk padded on the left to 4 dims, as (shape, strides) int32 arrays."""
    dims = merge_dims(dims)
    if len(dims) > 4:  # cannot happen for rank <= 4 inputs; guards future callers
        raise CompileError(f"layer {op.index} ({op.kind}): needs {len(dims)} dims; at most 4 "
                           "are supported.")
    dims = [(1, 0)] * (4 - len(dims)) + dims
    return (ConstArray(np.array([d[0] for d in dims], np.int32)),
            ConstArray(np.array([d[1] for d in dims], np.int32)))


def const_ints(op: Op, graph: Graph, i: int, what: str) -> np.ndarray:
    """A constant integer input of the op (axes, paddings, sizes) as int64."""
    t = tensor(graph, op, i)
    if t.data is None and t.size == 0 and t.dtype in ("int32", "int64"):
        return np.zeros(t.shape, np.int64)  # an empty constant has no buffer data
    if t.data is None or t.dtype not in ("int32", "int64"):
        raise CompileError(f"layer {op.index} ({op.kind}): the {what} (input {i}) must be a "
                           "constant int32/int64 tensor; re-export the model with fixed "
                           f"{what}.")
    return t.data.astype(np.int64)


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    inp, out = tensor(graph, op, 0), tensor(graph, op, 0, output=True)
    require_int8(op, inp, out)
    rank = len(inp.shape)
    perm = const_ints(op, graph, 1, "permutation").reshape(-1)
    if rank > 4:
        raise CompileError(f"layer {op.index} ({op.kind}): input has rank {rank}; at most "
                           "rank 4 is supported. Reshape the tensor to 4 dims or fewer.")
    if (len(perm) != rank or any(not -rank <= p < rank for p in perm)
            or sorted(int(p) % rank for p in perm) != list(range(rank))):
        raise CompileError(f"layer {op.index} ({op.kind}): permutation {perm.tolist()} is not a "
                           f"permutation of the {rank} input dims; the model is malformed.")
    perm = [int(p) % rank for p in perm]  # TFLite accepts negative entries
    strides = row_major_strides(inp.shape)
    shape, in_strides = walk4(op, [(inp.shape[p], strides[p]) for p in perm])
    return [make_call(select("transpose"),
                      {"out_shape": shape, "in_strides": in_strides},
                      [TensorArg(inp.index), TensorArg(out.index)],
                      comment=f"transpose {list(inp.shape)} perm {perm}")]
