"""Benchmark: build, run and check models on a board; one table row and one JSON object per model."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from boards import Board

from ..artifacts.elfinfo import image_size
from ..errors import ToolError
from ..artifacts.memmodes import mode_arenas
from ..reference.golden import default_inputs, reference_tensors
from .inference import load_meta, run_inference
from ..artifacts.stackuse import StackMeasure, image_ram

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BenchRow:
    model: str
    board: str
    macs: int
    instructions: int          # per inference, in `unit`
    unit: str
    insn_per_mac: float
    flash_bytes: int           # whole image in flash (code + weights + init data)
    code_bytes: int            # flash_bytes - weight_bytes
    weight_bytes: int
    peak_sram_bytes: int       # whole image in RAM: .data + .bss (arena) + measured stack high-water
    stack_bytes: int           # stack high-water, measured (painted stack); reserved if not measurable
    stack_reserved_bytes: int  # stack the linker script reserves (TP_STACK_BYTES)
    image_sram_reserved_bytes: int  # .data + .bss + reserved stack, from the ELF
    arena_bytes: int
    arena_lower_bound: int
    arena_per_layer: int       # arena per memory mode (modelled by the memory plan)
    arena_inplace: int
    arena_patch: int           # patch=auto
    patch_extra_macs: int
    layers: int
    bit_exact: bool
    mismatch: str


def build(board: Board, model: Path, extra: Sequence[str] = ()) -> tuple[Path, dict]:
    """Build through SCons (so bench measures exactly what users build); `extra`: more
    scons arguments, e.g. patch=auto (they do not change the build folder)."""
    proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", f"board={board.name}",
                           f"model={model}", *extra], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        msg = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.startswith("error:")]
        raise ToolError(f"building {model.name} for {board.name} failed: "
                        f"{msg[0] if msg else proc.stderr.strip()[-2000:]}")
    out = ROOT / "build" / board.name / model.stem
    elf = out / ("firmware" if board.toolchain == "host" else "firmware.elf")
    return elf, load_meta(out / "gen" / "model.json")


def bench_model(board: Board, model: Path, port: str | None = None) -> BenchRow:
    elf, meta = build(board, model)
    inputs = default_inputs(meta["inputs"])
    result = run_inference(board, elf, meta, inputs, reference_tensors(model, inputs), port)
    flash = board.memory.get("flash")
    size = image_size(elf, flash.origin if flash else 0, flash.length if flash else 0)
    macs = meta["macs"]
    measured = (StackMeasure(result.stack_high_water, result.stack_reserved)
                if result.stack_reserved else None)
    return BenchRow(model=model.stem, board=board.name, macs=macs, instructions=result.total,
                    unit=result.unit, insn_per_mac=round(result.total / macs, 3) if macs else 0.0,
                    flash_bytes=size.flash_bytes, code_bytes=size.flash_bytes - meta["weight_bytes"],
                    weight_bytes=meta["weight_bytes"],
                    peak_sram_bytes=image_ram(size.ram_bytes, size.stack_bytes, measured),
                    stack_bytes=measured.high_water if measured else size.stack_bytes,
                    stack_reserved_bytes=size.stack_bytes, image_sram_reserved_bytes=size.ram_bytes,
                    arena_bytes=meta["arena_bytes"], arena_lower_bound=meta["arena_lower_bound"],
                    **_modes(board, model),
                    layers=len(meta["layers"]), bit_exact=bool(result.bit_exact),
                    mismatch=result.mismatch)


def _modes(board: Board, model: Path) -> dict:
    m = mode_arenas(board, model)
    return {"arena_per_layer": m.per_layer, "arena_inplace": m.inplace, "arena_patch": m.patch,
            "patch_extra_macs": m.patch_extra_macs}


def format_table(rows: list[BenchRow]) -> str:
    head = (f"{'model':<28} {'board':<11} {'MACs':>10} {'insn':>12} {'insn/MAC':>8} "
            f"{'flash code/weights B':>22} {'SRAM arena/image B':>20} {'bit-exact':>9} "
            f"{'arena B per-layer/in-place/patch':>32}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.model:<28} {r.board:<11} {r.macs:>10} {r.instructions:>12} "
                     f"{r.insn_per_mac:>8.2f} {f'{r.code_bytes}/{r.weight_bytes}':>22} "
                     f"{f'{r.arena_bytes}/{r.peak_sram_bytes}':>20} {'yes' if r.bit_exact else 'NO':>9} "
                     f"{f'{r.arena_per_layer}/{r.arena_inplace}/{r.arena_patch}':>32}")
    units = sorted({r.unit for r in rows})
    lines.append(f"insn = {', '.join(units)} per inference"
                 + (" (QEMU -icount shift=0, SysTick)" if units == ["instructions"] else "")
                 + "; flash from the ELF (pyelftools); image SRAM = .data + .bss (ELF) + stack"
                 + " high-water (measured, painted stack; reserved size where not measurable);"
                 + " arena from the memory plan"
                 + " (per mode: modelled; patch = patch=auto, <= 20% extra MACs).")
    if units == ["instructions"]:
        lines.append("insn/MAC bound with SIMD: 0.50 (one SMLAD = 2 MACs); per-layer counts: "
                     "python -m host_tools run --board <board> --elf <firmware.elf>.")
    return "\n".join(lines)


def write_json(rows: list[BenchRow], path: str | Path) -> None:
    Path(path).write_text(json.dumps([asdict(r) for r in rows], indent=1) + "\n")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
