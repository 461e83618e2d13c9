"""Arena per memory mode (per-layer, in-place depthwise, patch=auto), modelled by the
compiler's memory plan, for bench's peak-SRAM-per-mode columns."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from boards import Board
from codegen.compile import compile_model
from codegen.lowering import Target
from codegen.memoptions import MemoryOptions


@dataclass
class ModeArenas:
    per_layer: int      # arena bytes, no in-place, no patches
    inplace: int        # + in-place depthwise and 1x1 convolution
    patch: int          # + patch=auto (default 20% MAC budget)
    patch_extra_macs: int


def mode_arenas(board: Board, model: Path) -> ModeArenas:
    target = Target.for_board(board)
    arenas = [compile_model(model, target, o) for o in
              (MemoryOptions(inplace=False), MemoryOptions(), MemoryOptions(patch="auto"))]
    return ModeArenas(*(m.plan.arena_bytes for m in arenas),
                      sum(layer.extra_macs for layer in arenas[2].layers))
