"""The compiler's front door: model file + board + options -> model.c, model.h, model.json.

SConstruct and `python -m codegen` both generate through `generate`, so a build and the
command line produce the same files from the same options (codegen/option_table.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from boards import Board

from .compile import compile_model
from .emit import EmittedModel, emit_model
from .fit import check_fits
from .lowering import Target
from .memoptions import MemoryOptions
from .model import CompiledModel
from .nvm.options import NvmOptions


@dataclass
class Generated:
    model: CompiledModel
    emitted: EmittedModel


def write_outputs(emitted: EmittedModel, out_dir: Path) -> None:
    """Write model.c / model.h / model.json into out_dir, all or nothing."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"model.c": emitted.model_c, "model.h": emitted.model_h,
             "model.json": json.dumps(emitted.metadata, indent=1)}
    tmp = {name: out_dir / f".{name}.tmp" for name in files}
    try:
        for name, text in files.items():
            tmp[name].write_text(text)
        for name in files:
            tmp[name].replace(out_dir / name)
    finally:
        for p in tmp.values():
            p.unlink(missing_ok=True)


def generate(model_path: str | Path, board: Board, memory: MemoryOptions, nvm: NvmOptions,
             out_dir: Path) -> Generated:
    """Compile once, check that arena (+ emulated NVM) and constants fit the board, then
    write the files. CompileError, and nothing written, on any problem."""
    target = Target.for_board(board)
    model = compile_model(model_path, target, memory, nvm)
    emitted = emit_model(model, Path(model_path).name)
    nvm_bytes = model.persist.nvm_bytes if model.persist else 0

    def patch_auto_arena() -> int:  # only asked when RAM is short, for the hint
        return compile_model(model_path, target, MemoryOptions(patch="auto")).plan.arena_bytes

    check_fits(board, model.plan.arena_bytes + nvm_bytes, emitted.const_bytes,
               patch_auto_arena if memory.patch == "off" else None)
    write_outputs(emitted, out_dir)
    return Generated(model, emitted)
