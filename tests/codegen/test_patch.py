"""Patch-based inference of the first stage: bit-exact with TFLite per layer, on the host
(ASan) and under QEMU, including odd sizes that patches do not divide, stride-2 layers
inside the stage, p = 1, and patch=auto's MAC budget."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from codegen.compile import compile_model
from codegen.errors import CompileError
from codegen.memoptions import MemoryOptions, parse_overhead
from tests.support.harness import HOST, ROOT, assert_bit_exact
from tests.support.tiny_models import convert_fn


@pytest.fixture(scope="module")
def stage_model(tmp_path_factory):
    """23x21 input (odd), conv s2 -> dw -> pw -> dw s2 -> pw -> dw, then a small head."""
    import tensorflow as tf
    rng = np.random.default_rng(3)
    w0 = tf.constant(rng.normal(0, 0.4, (3, 3, 3, 8)).astype(np.float32))
    d1 = tf.constant(rng.normal(0, 0.4, (3, 3, 8, 1)).astype(np.float32))
    w2 = tf.constant(rng.normal(0, 0.4, (1, 1, 8, 12)).astype(np.float32))
    d3 = tf.constant(rng.normal(0, 0.4, (3, 3, 12, 1)).astype(np.float32))
    w4 = tf.constant(rng.normal(0, 0.4, (1, 1, 12, 16)).astype(np.float32))
    d5 = tf.constant(rng.normal(0, 0.4, (5, 5, 16, 1)).astype(np.float32))
    fc = tf.constant(rng.normal(0, 0.3, (16, 4)).astype(np.float32))

    def fn(x):
        a = tf.nn.relu6(tf.nn.conv2d(x, w0, 2, "SAME"))
        a = tf.nn.relu6(tf.nn.depthwise_conv2d(a, d1, [1, 1, 1, 1], "SAME"))
        a = tf.nn.conv2d(a, w2, 1, "SAME")
        a = tf.nn.relu(tf.nn.depthwise_conv2d(a, d3, [1, 2, 2, 1], "SAME"))
        a = tf.nn.conv2d(a, w4, 1, "SAME")
        a = tf.nn.relu6(tf.nn.depthwise_conv2d(a, d5, [1, 1, 1, 1], "SAME"))
        return tf.matmul(tf.reduce_mean(a, axis=[1, 2]), fc)

    return convert_fn(fn, [(1, 23, 21, 3)], tmp_path_factory.mktemp("patch") / "stage.tflite")


@pytest.mark.tf
@pytest.mark.parametrize("patch", ["1x1@3", "2x2@2", "3x3@4", "4x4@6", "auto"])
def test_patch_bit_exact_on_host(stage_model, patch, tmp_path):
    opts = MemoryOptions(patch=patch, patch_overhead=1.0)
    assert assert_bit_exact(stage_model, None, tmp_path, opts) > 0
    meta = json.loads((tmp_path / "gen" / "model.json").read_text())
    assert "tp_tile_copy" in meta["layers"][0]["kernels"]


@pytest.mark.tf
def test_patch_lowers_arena_and_counts_halo(stage_model):
    per_layer = compile_model(stage_model, HOST, MemoryOptions())
    patched = compile_model(stage_model, HOST, MemoryOptions(patch="3x3@4"))
    stage = patched.layers[0]
    assert len(stage.stage) == 4 and stage.patch_grid == 3
    assert stage.extra_macs > 0  # 3x3 kernels over 3x3 patches recompute halos
    assert stage.macs == sum(la.macs for la in per_layer.layers[:4]) + stage.extra_macs
    assert len(patched.layers) == len(per_layer.layers) - 3
    one = compile_model(stage_model, HOST, MemoryOptions(patch="1x1@4")).layers[0]
    assert one.extra_macs == 0  # p = 1: one patch, no halo
    auto = compile_model(stage_model, HOST, MemoryOptions(patch="auto", patch_overhead=1.0))
    assert auto.plan.arena_bytes < per_layer.plan.arena_bytes  # auto finds a stage that helps


@pytest.mark.tf
def test_auto_respects_mac_budget(stage_model):
    base = sum(la.macs for la in compile_model(stage_model, HOST).layers)
    for budget in (0.0, 0.05, 0.5):
        m = compile_model(stage_model, HOST, MemoryOptions(patch="auto", patch_overhead=budget))
        assert sum(la.extra_macs for la in m.layers) <= budget * base


@pytest.mark.tf
@pytest.mark.parametrize("patch, words", [("2x3@2", "not understood"), ("2x2@99", "n <= "),
                                          ("30x30@1", "p <= ")])
def test_bad_patch_option_is_explained(stage_model, patch, words):
    with pytest.raises(CompileError, match=words):
        compile_model(stage_model, HOST, MemoryOptions(patch=patch))


def test_overhead_parsing():
    assert parse_overhead("0.2") == parse_overhead("20%") == parse_overhead("20") == 0.2
    with pytest.raises(CompileError):
        parse_overhead("lots")


@pytest.mark.tf
@pytest.mark.qemu
def test_patch_and_inplace_bit_exact_on_qemu(stage_model):
    proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", "board=mps2-an386",
                           f"model={stage_model}", "patch=3x3@4", "run=qemu", "check=1",
                           "memreport=1"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert any(ln.startswith("bit-exact: yes") for ln in lines), proc.stdout
    assert lines[-1].startswith("peak SRAM: ") and "(arena " in lines[-1]
    assert "PATCH STAGE (4 ops)" in proc.stdout


@pytest.mark.tf
def test_bad_patch_option_on_command_line_fails_cleanly(stage_model):
    proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", "board=mps2-an500",
                           f"model={stage_model}", "patch=huge"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert "patch=huge is not understood" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.tf
@pytest.mark.parametrize("patch", ["2x2@2", "3x3@4", "4x4@6"])
def test_stage_output_shares_the_input_slot(stage_model, patch):
    """The stage output overlaps the input bytes no later patch reads (bit-exactness of
    the same configurations: test_patch_bit_exact_on_host)."""
    m = compile_model(stage_model, HOST, MemoryOptions(patch=patch))
    stage, g = m.layers[0], m.graph
    src = m.plan.buffers[f"t{g.storage(stage.inputs[0])}"]
    dst = m.plan.buffers[f"t{g.storage(stage.output)}"]
    assert src.group == dst.group != "" and dst.offset - src.offset == stage.share_shift
    assert dst.offset < src.offset + src.size and src.offset < dst.offset + dst.size
    assert m.plan.live_bytes(0) < src.size + dst.size + stage.local_bytes
