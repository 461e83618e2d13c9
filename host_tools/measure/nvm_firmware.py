"""Builds a model with intermittent-inference options through SCons, as a user does."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from boards import Board

from ..errors import ToolError
from codegen.nvm.options import NvmOptions, build_tag

ROOT = Path(__file__).resolve().parents[2]


def scons_args(opts: NvmOptions) -> list[str]:
    args = [f"nvm={opts.nvm}", f"ql={opts.ql}", f"seed={opts.seed}", f"fault={opts.fault}",
            f"cap_uf={opts.cap_uf:g}", f"v_on={opts.v_on:g}", f"v_off={opts.v_off:g}"]
    if opts.qlmap:
        args.append(f"qlmap={Path(opts.qlmap).resolve()}")
    if opts.qltable:
        args.append(f"qltable={Path(opts.qltable).resolve()}")
    return args


def build_nvm(board: Board, model: Path, opts: NvmOptions, extra: Sequence[str] = ()
              ) -> tuple[Path, dict]:
    """(firmware ELF, model.json) of `model` built for `board` with `opts` (nvm=mram);
    `extra`: more scons arguments, e.g. patch=auto (same build folder)."""
    opts = replace(opts, nvm="mram")
    proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", f"board={board.name}",
                           f"model={model}", *scons_args(opts), *extra], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        msg = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.startswith("error:")]
        raise ToolError(f"building {model.name} for {board.name} failed: "
                        f"{msg[0][7:] if msg else proc.stderr.strip()[-2000:]}")
    out = ROOT / "build" / board.name / f"{model.stem}{build_tag(opts)}"
    return out / "firmware.elf", json.loads((out / "gen" / "model.json").read_text())
