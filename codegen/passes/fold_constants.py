"""Evaluate constant subgraphs at compile time (e.g. SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE).

Only integer shape arithmetic is folded; the ops here never touch activations.
"""
from __future__ import annotations

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op


def _strided_slice(op: Op, x: np.ndarray, begin: np.ndarray, end: np.ndarray,
                   strides: np.ndarray) -> np.ndarray:
    o = op.options
    if o.get("ellipsis_mask", 0) or o.get("new_axis_mask", 0):
        raise CompileError(f"layer {op.index} (STRIDED_SLICE): ellipsis/new-axis masks are not "
                           "supported in constant folding; simplify the shape computation.")
    slices, shrink = [], []
    for d in range(len(begin)):
        b = None if o.get("begin_mask", 0) >> d & 1 else int(begin[d])
        e = None if o.get("end_mask", 0) >> d & 1 else int(end[d])
        s = int(strides[d])
        if o.get("shrink_axis_mask", 0) >> d & 1:
            b = int(begin[d])
            e = b + 1 if b != -1 else None
            shrink.append(d)
        slices.append(slice(b, e, s))
    out = x[tuple(slices)]
    return out.reshape([n for d, n in enumerate(out.shape) if d not in shrink])


def _evaluate(op: Op, graph: Graph) -> np.ndarray | None:
    """Value of op's single output if it can be computed now, else None."""
    t = graph.tensors
    ins = [t[i] for i in op.inputs if i >= 0]
    out = t[op.outputs[0]]
    if op.kind == "SHAPE":
        return np.array(ins[0].shape, dtype=out.dtype)  # static shape is known even for activations
    if not ins or not all(x.is_const for x in ins):
        return None
    v = [x.data for x in ins]
    if op.kind == "STRIDED_SLICE":
        return _strided_slice(op, v[0], v[1], v[2], v[3])
    if op.kind == "PACK":
        return np.stack(v, axis=op.options.get("axis", 0))
    if op.kind in ("RESHAPE", "SQUEEZE", "EXPAND_DIMS"):
        return v[0].reshape(out.shape)
    if op.kind == "CAST":
        return v[0].astype(out.dtype)
    if op.kind == "CONCATENATION" and out.quant is None:
        return np.concatenate(v, axis=op.options.get("axis", 0))
    if op.kind == "GATHER" and out.quant is None:
        return np.take(v[0], v[1], axis=op.options.get("axis", 0))
    if op.kind in ("ADD", "SUB", "MUL") and out.dtype in ("int32", "int64"):
        fn = {"ADD": np.add, "SUB": np.subtract, "MUL": np.multiply}[op.kind]
        return fn(v[0], v[1]).astype(out.dtype)
    return None


def fold_constants(graph: Graph) -> None:
    changed = True
    while changed:
        changed = False
        for op in list(graph.ops):
            if len(op.outputs) != 1 or op.outputs[0] in graph.outputs:
                continue
            out = graph.tensors[op.outputs[0]]
            try:
                value = _evaluate(op, graph)
                if value is None:
                    continue
                out.data = np.asarray(value, dtype=out.dtype).reshape(out.shape)
            except (ValueError, IndexError, TypeError) as exc:  # numpy on inconsistent constants
                raise CompileError(f"layer {op.index} ({op.kind}): its constant inputs cannot be "
                                   f"evaluated into output '{out.name}' of shape "
                                   f"{list(out.shape)} ({exc}). The model is malformed; "
                                   "re-export it with the TFLite converter.") from None
            graph.ops.remove(op)
            changed = True
    _drop_unused_constants(graph)


def _drop_unused_constants(graph: Graph) -> None:
    used = {i for op in graph.ops for i in op.inputs} | set(graph.outputs) | set(graph.inputs)
    for idx in [i for i, x in graph.tensors.items() if x.is_const and i not in used]:
        del graph.tensors[idx]
