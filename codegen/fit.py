"""Does a compiled model fit the board? Checked before linking so the user gets bytes, not a linker error."""
from __future__ import annotations

from typing import Callable

from boards import Board

from .errors import CompileError

# What the firmware itself needs besides the model (measured on the mps2 builds with
# margin): stack + protocol buffers in RAM, runtime + kernel code in flash.
FIRMWARE_RAM_BYTES = 12 * 1024
FIRMWARE_FLASH_BYTES = 48 * 1024


def _arena_space(board: Board) -> int:
    """Bytes of the largest RAM region the arena may go to: boards with a fast RAM
    (e.g. DTCM) list it first in arena_regions and the linker falls back to the next."""
    return max(board.memory[r].length for r in board.arena_regions)


def check_fits(board: Board, arena_bytes: int, const_bytes: int,
               patch_auto_arena: Callable[[], int] | None = None) -> None:
    """patch_auto_arena (the arena with patch=auto, computed only when RAM is short) lets
    the message suggest patch=auto when that would fit."""
    if board.memory.get("ram") is None or board.memory.get("flash") is None:
        return  # host board: no fixed memory
    ram, flash = _arena_space(board), board.memory["flash"].length
    need_ram = arena_bytes + FIRMWARE_RAM_BYTES
    need_flash = const_bytes + FIRMWARE_FLASH_BYTES
    if need_ram > ram:
        patched = patch_auto_arena() if patch_auto_arena is not None else None
        hint = (f"Build with patch=auto (patch-based inference of the first layers: arena "
                f"{patched} B, fits), or use a smaller model or a board with more RAM."
                if patched is not None and patched + FIRMWARE_RAM_BYTES <= ram else
                "Use a smaller model (or input resolution) or a board with more RAM.")
        raise CompileError(
            f"model too big for {board.name} RAM: needs about {need_ram} B (arena {arena_bytes} B "
            f"+ firmware {FIRMWARE_RAM_BYTES} B) but the board has {ram} B, {need_ram - ram} B over. "
            + hint)
    if need_flash > flash:
        raise CompileError(
            f"model too big for {board.name} flash: needs about {need_flash} B (weights {const_bytes} B "
            f"+ firmware {FIRMWARE_FLASH_BYTES} B) but the board has {flash} B, {need_flash - flash} B "
            "over. Use a smaller model or a board with more flash.")
