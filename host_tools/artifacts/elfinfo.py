"""Flash and RAM use of a firmware image, read from the ELF with pyelftools."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile


@dataclass
class ImageSize:
    flash_bytes: int     # everything stored in flash: code, constants, .data initialisers
    ram_bytes: int       # everything placed in RAM: .data, .bss (incl. arena) + reserved stack
    arena_bytes: int     # the tp_arena symbol
    stack_bytes: int     # stack reserved by the linker script (TP_STACK_BYTES)


def image_size(elf_path: str | Path, flash_origin: int, flash_length: int) -> ImageSize:
    flash = ram = 0
    with open(elf_path, "rb") as f:
        elf = ELFFile(f)
        for sec in elf.iter_sections():
            # The STM32 scripts reserve the stack as a ".stack" section; it is counted
            # once, through TP_STACK_BYTES, like the mps2 boards' reserve.
            if not sec["sh_flags"] & SH_FLAGS.SHF_ALLOC or sec["sh_size"] == 0 or sec.name == ".stack":
                continue
            size = sec["sh_size"]
            in_flash = flash_origin <= sec["sh_addr"] < flash_origin + flash_length
            if in_flash:
                flash += size
            else:
                ram += size
                if sec["sh_type"] != "SHT_NOBITS":
                    flash += size  # initialised data is copied from flash at boot
        symtab = elf.get_section_by_name(".symtab")
        arena = _symbol(symtab, "tp_arena", "st_size")
        stack = _symbol(symtab, "TP_STACK_BYTES", "st_value")
    return ImageSize(flash_bytes=flash, ram_bytes=ram + stack, arena_bytes=arena,
                     stack_bytes=stack)


def _symbol(symtab, name: str, field: str) -> int:
    syms = symtab.get_symbol_by_name(name) if symtab is not None else None
    return int(syms[0][field]) if syms else 0
