"""Whole models, compiled with SCons, run on QEMU boards, every layer bit-exact with TFLite."""
from __future__ import annotations

import shutil
import sys
import subprocess

import numpy as np
import pytest

from boards import list_boards, load_board
from host_tools.reference.golden import reference_tensors
from tests.support.scons_build import ROOT, SHARED_MODELS, check_on_board, scons, scons_build

QEMU_BOARDS = [b for b in list_boards() if load_board(b).run_method == "qemu"]


@pytest.mark.tf
@pytest.mark.qemu
@pytest.mark.parametrize("board", QEMU_BOARDS)
@pytest.mark.parametrize("model", SHARED_MODELS, ids=lambda p: p.stem)
def test_shared_model_bit_exact(board, model):
    check_on_board(board, model)


@pytest.mark.tf
@pytest.mark.qemu
def test_scons_run_check_prints_results():
    model = ROOT.parent / "shared/models/dscnn_kws_int8.tflite"
    proc = scons("board=mps2-an386", f"model={model}", "run=qemu", "check=1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert any(ln.startswith("instructions: ") and int(ln.split()[1]) > 1_000_000 for ln in lines)
    assert "bit-exact: yes (12 layers)" in lines
    assert "per-layer instructions" in proc.stdout


@pytest.mark.tf
@pytest.mark.qemu
def test_run_cli_with_given_input(tmp_path):
    model = ROOT.parent / "shared/models/fc_autoencoder_ad_int8.tflite"
    image, meta = scons_build("mps2-an500", model)
    x = np.random.default_rng(5).integers(-128, 128, size=(1, 640), dtype=np.int8)
    np.save(tmp_path / "x.npy", x)
    proc = subprocess.run([sys.executable, "-m", "host_tools", "run", "--board", "mps2-an500",
                           "--elf", str(image), "--input", str(tmp_path / "x.npy"), "--check",
                           "--model", str(model)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "bit-exact: yes (10 layers)" in proc.stdout
    ref = reference_tensors(model, [x])[meta["outputs"][0]["tensor"]]
    assert str(ref.reshape(-1)[:5].tolist()[0]) in proc.stdout


def test_rebuild_is_incremental(tmp_path):
    """Nothing changed -> nothing rebuilt; a changed model file -> rebuilt."""
    model = tmp_path / "m.tflite"
    shutil.copy(ROOT.parent / "shared/models/fc_autoencoder_ad_int8.tflite", model)
    scons_build("host", model)
    assert scons("-q", "board=host", f"model={model}").returncode == 0  # up to date
    shutil.copy(ROOT.parent / "shared/models/dscnn_kws_int8.tflite", model)
    assert scons("-q", "board=host", f"model={model}").returncode != 0  # out of date
    shutil.rmtree(ROOT / "build" / "host" / "m", ignore_errors=True)
