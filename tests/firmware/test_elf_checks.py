"""Every real STM32 board builds every shared model that fits it, and each image is
checked with pyelftools: vector table, sections inside the board's regions, arena and
stack where board.toml says, no writable data in flash. Models that cannot fit stop
with the too-big message."""
from __future__ import annotations

import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from boards import REPO_ROOT, Board, MemoryRegion, list_boards, load_board, toolchain
from tests.support.firmware_build import FAKE_MODEL_DIR, FIRMWARE_SOURCES
from tests.support.scons_build import SHARED_MODELS, scons, scons_build

STM32_BOARDS = [b for b in list_boards() if b.startswith("stm32")]
# Models too big for a board, and which memory runs out (checked by the fit check).
TOO_BIG = {
    ("stm32g071", "fc_autoencoder_ad_int8"): "flash",
    ("stm32g071", "resnet8_cifar10_int8"): "RAM",
}


@dataclass
class Image:
    sections: list[tuple[str, int, int, int, bool]]  # name, address, load address, size, writable
    symbols: dict[str, tuple[int, int]]               # name -> (value, size)
    vectors: tuple[int, int]                          # initial SP, reset handler


def read_image(path: Path) -> Image:
    with open(path, "rb") as f:
        elf = ELFFile(f)
        segments = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
        sections = []
        for sec in elf.iter_sections():
            if not sec["sh_flags"] & SH_FLAGS.SHF_ALLOC or sec["sh_size"] == 0:
                continue
            addr = sec["sh_addr"]
            lma = next((seg["p_paddr"] + addr - seg["p_vaddr"] for seg in segments
                        if seg.section_in_segment(sec)), addr)
            sections.append((sec.name, addr, lma, sec["sh_size"],
                             bool(sec["sh_flags"] & SH_FLAGS.SHF_WRITE)))
        symtab = elf.get_section_by_name(".symtab")
        symbols = {s.name: (s["st_value"], s["st_size"]) for s in symtab.iter_symbols() if s.name}
        vec = elf.get_section_by_name(".isr_vector")
        sp, reset = struct.unpack("<II", vec.data()[:8])
        return Image(sections, symbols, (sp, reset))


def inside(region: MemoryRegion, start: int, size: int = 0) -> bool:
    return region.origin <= start and start + size <= region.origin + region.length


def region_of(board: Board, start: int, size: int) -> str | None:
    return next((n for n, r in board.memory.items() if inside(r, start, size)), None)


def check_image(board: Board, image: Image) -> None:
    flash = board.memory["flash"]
    vec = next(s for s in image.sections if s[0] == ".isr_vector")
    assert vec[1] == flash.origin, "vector table must sit at the flash origin"
    sp, reset = image.vectors
    stack = board.memory[board.stack_region]
    assert sp % 8 == 0 and stack.origin < sp <= stack.origin + stack.length, hex(sp)
    assert sp == image.symbols["_estack"][0]
    assert reset & 1, "reset handler must be a Thumb address"
    assert reset == image.symbols["Reset_Handler"][0] and inside(flash, reset & ~1)  # both Thumb (odd)
    stack_bytes = image.symbols["TP_STACK_BYTES"][0]
    assert inside(stack, sp - stack_bytes, stack_bytes)
    for name, addr, lma, size, writable in image.sections:
        assert region_of(board, addr, size), f"{name} at {addr:#x}+{size} is outside every region"
        if writable:
            assert not inside(flash, addr), f"writable {name} in flash"
        if lma != addr:
            assert inside(flash, lma, size), f"{name}'s initialiser is not in flash"
    flash_used = sum(size for name, addr, lma, size, _ in image.sections
                     if inside(flash, lma) and name not in (".stack",))
    assert flash_used <= flash.length
    if "tp_arena" in image.symbols:
        addr, size = image.symbols["tp_arena"]
        where = region_of(board, addr, size)
        first = board.arena_regions[0]
        room = board.memory[first].length - (stack_bytes if board.stack_region == first else 0)
        expected = first if size <= room else board.arena_regions[1]
        assert where == expected, f"arena of {size} B in {where}, expected {expected}"


@pytest.mark.parametrize("board_name", STM32_BOARDS)
@pytest.mark.parametrize("model", SHARED_MODELS, ids=lambda p: p.stem)
def test_model_builds_and_image_is_sound(board_name, model):
    board = load_board(board_name)
    too_big = TOO_BIG.get((board_name, model.stem))
    if too_big:
        proc = scons(f"board={board_name}", f"model={model}")
        assert proc.returncode != 0
        assert f"model too big for {board_name} {too_big}" in proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        return
    image_path, _ = scons_build(board_name, model)
    check_image(board, read_image(image_path))


def test_checks_catch_an_image_for_another_memory_map(fake_firmware):
    """The H743 image keeps .data in AXI SRAM (0x24000000), which the F746 lacks."""
    image = read_image(fake_firmware("stm32h743"))
    check_image(load_board("stm32h743"), image)
    with pytest.raises(AssertionError, match="outside every region"):
        check_image(load_board("stm32f746"), image)


@pytest.mark.parametrize("arena_bytes, region", [(100_000, "dtcm"), (120_000, "ram")])
def test_arena_goes_to_dtcm_when_it_fits_else_axi_sram(tmp_path, arena_bytes, region):
    """128 KB DTCM less the 16 KB stack: 100 kB fits, 120 kB falls back to AXI SRAM."""
    board = load_board("stm32h743")
    arena = tmp_path / "arena.c"
    arena.write_text(f"unsigned char tp_arena[{arena_bytes}] __attribute__((section(\".bss.tp_arena\")));\n"
                     "void *tp_keep_arena(void) { return tp_arena; }\n")
    cmd = ([toolchain.compiler(board)] + toolchain.compile_flags(board, "O2")
           + [f"-I{FAKE_MODEL_DIR}"]
           + [str(REPO_ROOT / s) for s in FIRMWARE_SOURCES] + [str(s) for s in toolchain.sources(board)]
           + [str(FAKE_MODEL_DIR / "model.c"), str(arena), "-Wl,--undefined=tp_keep_arena"]
           + toolchain.link_flags(board) + ["-o", str(tmp_path / "fw.elf")])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    image = read_image(tmp_path / "fw.elf")
    addr, size = image.symbols["tp_arena"]
    assert size == arena_bytes and region_of(board, addr, size) == region
    check_image(board, image)
