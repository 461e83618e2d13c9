"""The measured stack high-water mark, kept beside the ELF it was measured on.

`run` and `bench` read it from the device (painted stack) and store it in
<elf>.stack.json with the ELF's SHA-256, so `memreport=1` can use the measured figure
for the whole image's RAM, and ignores it once the ELF is rebuilt.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class StackMeasure:
    high_water: int   # bytes, deepest use since boot (painted stack)
    reserved: int     # bytes, TP_STACK_BYTES of the linker script


def _path(elf: Path) -> Path:
    return elf.with_name(elf.name + ".stack.json")


def _digest(elf: Path) -> str:
    return hashlib.sha256(elf.read_bytes()).hexdigest()


def save_measure(elf: str | Path, measure: StackMeasure) -> None:
    """Stores a measurement (only a real one: reserved 0 means the board cannot measure)."""
    elf = Path(elf)
    if measure.reserved:
        _path(elf).write_text(json.dumps({"elf_sha256": _digest(elf), "high_water": measure.high_water,
                                          "reserved": measure.reserved}) + "\n")


def load_measure(elf: str | Path) -> StackMeasure | None:
    """The measurement stored for exactly this ELF, or None."""
    elf = Path(elf)
    path = _path(elf)
    if not path.is_file() or not elf.is_file():
        return None
    data = json.loads(path.read_text())
    if data.get("elf_sha256") != _digest(elf):
        return None
    return StackMeasure(int(data["high_water"]), int(data["reserved"]))


def image_ram(ram_with_reserved_stack: int, reserved: int, measure: StackMeasure | None) -> int:
    """Whole image's RAM: .data + .bss + the measured high-water mark when there is one,
    else + the reserved stack."""
    if measure is None:
        return ram_with_reserved_stack
    return ram_with_reserved_stack - reserved + measure.high_water
