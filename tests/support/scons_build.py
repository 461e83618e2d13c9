"""Build a model for a board through SCons, exactly as a user does, and check it there."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from boards import load_board
from host_tools.measure.inference import run_inference
from host_tools.reference.golden import default_inputs, reference_tensors
from tests.support.paths import REPO_ROOT as ROOT, SHARED_MODELS  # noqa: F401 (tests import it from here)


def scons(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "SCons", "-Q", *args], cwd=ROOT,
                          capture_output=True, text=True)


def scons_build(board: str, model: Path) -> tuple[Path, dict]:
    """Returns (firmware image, model.json metadata); fails the test with SCons' output."""
    proc = scons(f"board={board}", f"model={model}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = ROOT / "build" / board / Path(model).stem
    image = out / ("firmware" if board == "host" else "firmware.elf")
    return image, json.loads((out / "gen" / "model.json").read_text())


def check_on_board(board_name: str, model, inputs=None) -> None:
    """Build with SCons, run on the board, every layer bit-exact with TFLite (needs TensorFlow)."""
    image, meta = scons_build(board_name, model)
    inputs = default_inputs(meta["inputs"]) if inputs is None else inputs
    result = run_inference(load_board(board_name), image, meta, inputs,
                           reference_tensors(model, inputs))
    assert result.bit_exact, result.mismatch
    assert result.checked_layers == len(meta["layers"])
    assert result.total > 0 and all(layer.count > 0 for layer in result.layers)
