"""Memory scheduling after lowering: the patch stage (patch=...) and in-place depthwise / 1x1.

patch=auto tries every stage length n the model allows and p = 2..8, and keeps the
(p, n) with the smallest arena whose recomputed halo costs at most `patch_overhead` of
the model's MACs; it keeps per-layer inference when no patch stage lowers the arena.
"""
from __future__ import annotations

from dataclasses import dataclass

from .inplace import apply_inplace
from .ir import Graph
from .memoptions import MemoryOptions
from .lifetimes import plan_memory
from .patch import build_stage, chain_length
from .model import Layer

MAX_AUTO_P = 8


@dataclass(frozen=True)
class PatchChoice:
    p: int
    n: int
    arena_bytes: int
    extra_macs: int


def arena_of(graph: Graph, layers: list[Layer]) -> int:
    return plan_memory(graph, layers).arena_bytes


def _with_inplace(graph: Graph, layers: list[Layer], inplace: bool, keep_all: bool = False) -> list[Layer]:
    if not inplace:
        return layers
    return apply_inplace(graph, layers, lambda ls: arena_of(graph, ls), keep_all=keep_all)


def _trial_arena(graph: Graph, layers: list[Layer], inplace: bool) -> int:
    """Arena of `layers` with every eligible depthwise in place, graph left unchanged."""
    saved = dict(graph.aliases)
    try:
        return arena_of(graph, _with_inplace(graph, layers, inplace, keep_all=True))
    finally:
        graph.aliases.clear()
        graph.aliases.update(saved)


def choose_patch(graph: Graph, layers: list[Layer], options: MemoryOptions) -> PatchChoice | None:
    """Best (p, n) for patch=auto, or None when no stage lowers the arena within budget."""
    total = sum(layer.macs for layer in layers) or 1
    best = PatchChoice(0, 0, _trial_arena(graph, layers, options.inplace), 0)
    for n in range(1, chain_length(graph, layers) + 1):
        p_out = layers[n - 1].calls[0].params
        for p in range(2, min(MAX_AUTO_P, p_out["out_h"], p_out["out_w"]) + 1):
            staged = build_stage(graph, layers, p, n)
            extra = staged[0].extra_macs
            if extra > options.patch_overhead * total:
                continue
            arena = _trial_arena(graph, staged, options.inplace)
            if (arena, extra) < (best.arena_bytes, best.extra_macs):
                best = PatchChoice(p, n, arena, extra)
    return best if best.p else None


def schedule_memory(graph: Graph, layers: list[Layer], options: MemoryOptions) -> list[Layer]:
    spec = options.patch_spec()
    if options.patch == "auto":
        choice = choose_patch(graph, layers, options)
        if choice is not None:
            layers = build_stage(graph, layers, choice.p, choice.n)
    elif spec is not None:
        layers = build_stage(graph, layers, spec.p, spec.n)
    return _with_inplace(graph, layers, options.inplace)
