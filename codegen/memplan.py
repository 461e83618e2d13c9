"""Static arena plan: every activation, scratch and patch-tile buffer gets a fixed offset.

Buffers live from the layer that writes them to the last layer that reads them (whole
graph, so branches and residual inputs stay live until their last reader). Offsets are
chosen by first-fit placement (lowest offset that does not collide with an already placed
buffer whose lifetime overlaps), tried under several placement orders; the smallest arena
wins. The lower bound is the largest total size live at any one layer: no plan can be
smaller than that.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

ALIGN = 16


@dataclass
class Buffer:
    key: str          # "t<tensor index>", "s<layer>_<call>" (scratch) or "p<layer>" (patch tiles)
    size: int
    first: int        # first layer index that needs it (-1: before layer 0, e.g. inputs)
    last: int         # last layer index that needs it
    offset: int = -1
    # Buffers with the same non-empty group are placed as one block, each `shift` bytes
    # (a multiple of ALIGN, >= 0) from the block's start, and may overlap each other: the
    # layer that owns the group proved the overlap safe (a patch stage writing its output
    # over input rows no later patch reads; an in-place pointwise layer, see inplace.py).
    group: str = ""
    shift: int = 0

    def same_group(self, other: "Buffer") -> bool:
        return bool(self.group) and self.group == other.group

    def overlaps_in_time(self, other: "Buffer") -> bool:
        return self.first <= other.last and other.first <= self.last


@dataclass
class MemoryPlan:
    buffers: dict[str, Buffer]
    arena_bytes: int
    lower_bound: int

    def offset(self, key: str) -> int:
        return self.buffers[key].offset

    @property
    def gap_percent(self) -> float:
        """How far the arena is above the lower bound, in percent of the lower bound."""
        return 100.0 * (self.arena_bytes - self.lower_bound) / self.lower_bound if self.lower_bound else 0.0

    def live_bytes(self, layer: int) -> int:
        """Bytes of buffers live while `layer` runs (a group's overlapping members once)."""
        return _live_bytes(self.buffers.values(), layer)


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


# Placement orders tried; each is a sort key. Largest-first is TFLM's greedy order;
# the others win on graphs where long-lived small tensors fragment the arena.
_ORDERS: list[Callable[[Buffer], tuple]] = [
    lambda b: (-b.size, b.first, b.key),
    lambda b: (-(b.last - b.first), -b.size, b.key),
    lambda b: (-b.size * (b.last - b.first + 1), b.key),
    lambda b: (b.first, -b.size, b.key),
    lambda b: (-b.last, -b.size, b.key),  # latest-ending first: in-place chains
    lambda b: (-(b.last - b.first), b.size, b.key),  # long-lived, then small scratch first
]


def _blocks(buffers: list[Buffer]) -> list[tuple[Buffer, list[Buffer]]]:
    """Placement units: (a stand-in for sorting, its members); an ungrouped buffer alone."""
    groups: dict[str, list[Buffer]] = {}
    blocks: list[tuple[Buffer, list[Buffer]]] = []
    for b in buffers:
        if b.group:
            groups.setdefault(b.group, []).append(b)
        else:
            blocks.append((b, [b]))
    for name, members in groups.items():
        size = max(m.shift + m.size for m in members)
        blocks.append((Buffer(f"{name}:{members[0].key}", size, min(m.first for m in members),
                              max(m.last for m in members)), members))
    return blocks


def _first_fit(buffers: list[Buffer], order: Callable[[Buffer], tuple]) -> dict[str, int]:
    placed: list[tuple[int, Buffer]] = []
    offsets: dict[str, int] = {}
    for stand_in, members in sorted(_blocks(buffers), key=lambda blk: order(blk[0])):
        # Lowest base where no member collides with a placed buffer live at the same time.
        # The base only grows, and each bump clears one placed buffer for one member for good.
        conflicts = [(off, b.size, m) for m in members for off, b in placed if b.overlaps_in_time(m)]
        base = 0
        moved = True
        while moved:
            moved = False
            for off, size, m in conflicts:
                if base + m.shift < off + size and off < base + m.shift + m.size:
                    base = _align(off + size) - m.shift
                    moved = True
        for m in members:
            offsets[m.key] = base + m.shift
            placed.append((base + m.shift, m))
    return offsets


def plan_arena(buffers: list[Buffer]) -> MemoryPlan:
    best: dict[str, int] | None = None
    best_arena = 0
    for order in _ORDERS:
        offsets = _first_fit(buffers, order)
        arena = _align(max((offsets[b.key] + b.size for b in buffers), default=0))
        if best is None or arena < best_arena:
            best, best_arena = offsets, arena
    assert best is not None or not buffers
    for b in buffers:
        b.offset = best[b.key] if best else 0
    return MemoryPlan({b.key: b for b in buffers}, best_arena, lower_bound(buffers))


def _live_bytes(buffers: Iterable[Buffer], t: int) -> int:
    """Bytes live at layer t: ungrouped buffers' sizes plus, per group, the extent its
    live members cover together (they may share bytes, see Buffer.group)."""
    total = 0
    extents: dict[str, tuple[int, int]] = {}
    for b in buffers:
        if not b.first <= t <= b.last:
            continue
        if not b.group:
            total += b.size
            continue
        lo, hi = extents.get(b.group, (b.shift, b.shift + b.size))
        extents[b.group] = (min(lo, b.shift), max(hi, b.shift + b.size))
    return total + sum(hi - lo for lo, hi in extents.values())


def lower_bound(buffers: list[Buffer]) -> int:
    """Largest sum of sizes of buffers live at the same layer (a group's members counted
    by the bytes they cover together)."""
    points = sorted({b.first for b in buffers} | {b.last for b in buffers})
    return max((_live_bytes(buffers, t) for t in points), default=0)

