"""Tensor lifetimes of a compiled graph's layers, as buffers for the arena planner.

memplan.py packs any set of buffers; this module says which buffers a model has: its
activations (aliased tensors share their storage's buffer), the calls' scratch, patch
tiles, and the groups of buffers that in-place layers and patch stages overlap.
"""
from __future__ import annotations

from collections.abc import Iterable

from .ir import Graph
from .memplan import Buffer, MemoryPlan, plan_arena
from .model import Layer


def _join(buffers: list[Buffer], src: Buffer, dst: Buffer, shift: int, name: str) -> None:
    """Put dst `shift` bytes after src in one group, merging groups they are already in.

    Chains arise from consecutive sharing layers (pointwise in place, then the next one
    reading its output). A buffer is the output of one layer and the overwritten input of
    at most one (its last reader), so a group is a chain x0 -> x1 -> ... in which x_k dies
    when x_(k+1) is written, before x_(k+2) is: only neighbours share bytes in time.
    """
    if src.group and src.group == dst.group:
        return  # already placed relative to each other (cannot happen in a chain)
    if not src.group:
        src.group, src.shift = name, 0
    if dst.group:
        move, old = src.shift + shift - dst.shift, dst.group
        for b in buffers:
            if b.group == old:
                b.group, b.shift = src.group, b.shift + move
    else:
        dst.group, dst.shift = src.group, src.shift + shift
    low = min(b.shift for b in buffers if b.group == src.group)
    for b in buffers:  # shifts stay >= 0
        if b.group == src.group:
            b.shift -= low


def layer_buffers(graph: Graph, layers: Iterable[Layer]) -> list[Buffer]:
    """Lifetimes in layer indices: graph inputs from -1, graph outputs to the end.

    A layer reads `layer.inputs` (its op's inputs, or a patch stage's first input), writes
    `layer.output`, and owns its calls' scratch and its `local_bytes` (patch tiles) while
    it runs. Aliased tensors (dropped reshapes, in-place depthwise) share their storage
    tensor's buffer, whose lifetime covers all of them.
    """
    layers = list(layers)
    end = len(layers)
    spans: dict[int, list[int]] = {}

    def touch(tensor: int, at: int) -> None:
        s = graph.storage(tensor)
        if graph.tensors[s].is_const:
            return
        span = spans.setdefault(s, [at, at])
        span[0], span[1] = min(span[0], at), max(span[1], at)

    for t in graph.inputs:
        touch(t, -1)
    for layer in layers:
        for t in layer.inputs:
            if t >= 0:
                touch(t, layer.index)
        touch(layer.output, layer.index)
    for t in graph.outputs:
        touch(t, end)
    buffers = [Buffer(f"t{t}", graph.tensors[t].nbytes, a, b) for t, (a, b) in spans.items()]
    by_key = {b.key: b for b in buffers}
    for layer in layers:
        shift = layer.share_shift
        if shift is None:
            continue
        src = by_key.get(f"t{graph.storage(layer.inputs[0])}")
        dst = by_key.get(f"t{graph.storage(layer.output)}")
        # Only when this layer is the input's last reader: the layer overwrites it.
        if src is None or dst is None or src is dst or src.last != layer.index:
            continue
        _join(buffers, src, dst, shift, f"g{layer.index}")
    for layer in layers:
        for k, call in enumerate(layer.calls):
            if call.scratch_bytes:
                buffers.append(Buffer(f"s{layer.index}_{k}", call.scratch_bytes,
                                      layer.index, layer.index))
        if layer.local_bytes:
            buffers.append(Buffer(f"p{layer.index}", layer.local_bytes, layer.index, layer.index))
    return buffers


def plan_memory(graph: Graph, layers: list[Layer]) -> MemoryPlan:
    """Whole-graph arena plan from tensor lifetimes."""
    return plan_arena(layer_buffers(graph, layers))
