"""Models the tests build themselves (Keras + the TFLite int8 converter), bit-exact per layer.

MobileNetV1/V2 as in the issue, and small graphs that together use every supported
operator, including float and uint8 model edges (QUANTIZE / DEQUANTIZE).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from host_tools.reference.golden import default_inputs
from tests.support.harness import ROOT, assert_bit_exact
from tests.support.keras_models import mobilenet_v1, mobilenet_v2
from tests.support.models import op_kinds, tf
from tests.support.scons_build import check_on_board
from tests.support.tiny_models import convert_fn

pytestmark = pytest.mark.tf  # every test here converts a model with TensorFlow


WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _own(path: Path, tag: str) -> Path:
    """A copy under a name of its own. SCons builds per model name: another worker's
    model of the same name (or the same model with other build options) must not be
    rebuilt into this firmware between its build and its run."""
    dst = path.with_name(f"{path.stem}_{tag}{path.suffix}")
    shutil.copy(path, dst)
    return dst


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("keras")
    return {"mobilenet_v1_025_96": mobilenet_v1(d),
            "mobilenet_v2_035_96": mobilenet_v2(d, size=96),
            "ops_float_io": _ops_model(d / "ops_float_io.tflite", tf.float32, tf.float32),
            "ops_uint8_io": _ops_model(d / "ops_uint8_io.tflite", tf.uint8, tf.float32),
            "ops_int8_io": _ops_model(d / "ops_int8_io.tflite", tf.int8, tf.int8)}


def _ops_model(path, input_type, output_type):
    """One graph with PAD, MAX_POOL, CONCATENATION, RESIZE_NEAREST_NEIGHBOR, MUL, HARD_SWISH,
    TRANSPOSE, REDUCE_MAX, MEAN, AVERAGE_POOL, ADD, depthwise and strided/dilated convs."""
    rng = np.random.default_rng(7)
    w1 = tf.constant(rng.normal(0, 0.3, (3, 3, 3, 8)).astype(np.float32))
    dw = tf.constant(rng.normal(0, 0.3, (3, 3, 8, 2)).astype(np.float32))
    w2 = tf.constant(rng.normal(0, 0.3, (1, 1, 16, 8)).astype(np.float32))
    w3 = tf.constant(rng.normal(0, 0.3, (3, 3, 8, 8)).astype(np.float32))
    fc = tf.constant(rng.normal(0, 0.3, (16, 5)).astype(np.float32))

    def fn(x):
        a = tf.nn.relu6(tf.nn.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), w1, 2, "VALID"))
        b = tf.nn.depthwise_conv2d(a, dw, [1, 1, 1, 1], "SAME")             # depth multiplier 2
        b = b * tf.nn.relu6(b + 3.0) / 6.0                                  # HARD_SWISH
        c = tf.nn.max_pool2d(b, 2, 2, "VALID")
        c = tf.image.resize(c, [b.shape[1], b.shape[2]], method="nearest")  # 6x5 -> 12x11
        d = tf.nn.conv2d(b, w2, 1, "SAME")
        e = tf.nn.conv2d(tf.nn.relu(d), w3, 1, "SAME", dilations=2) * 0.5 + d  # MUL, ADD
        f = tf.concat([tf.nn.conv2d(c, w2, 1, "SAME") * d, e], axis=-1)     # CONCATENATION
        f = tf.pad(f, [[0, 0], [0, 1], [0, 1], [0, 0]])
        g = tf.nn.avg_pool2d(f, 3, 2, "SAME")
        t = tf.transpose(g, [0, 2, 1, 3])
        m = tf.reshape(tf.reduce_mean(t, axis=[1, 2], keepdims=True), [1, 16])  # RESHAPE
        m = m + tf.reduce_max(g, axis=[1, 2])
        return tf.nn.softmax(tf.matmul(m, fc))

    return convert_fn(fn, [(1, 23, 21, 3)], path, input_type=input_type, output_type=output_type)


KERAS = ["mobilenet_v1_025_96", "mobilenet_v2_035_96"]
OPS = ["ops_float_io", "ops_uint8_io", "ops_int8_io"]


def test_ops_model_covers_every_operator(models):
    kinds = set(op_kinds(models["ops_float_io"])) | set(op_kinds(models["mobilenet_v2_035_96"]))
    needed = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D",
              "MAX_POOL_2D", "ADD", "MUL", "SOFTMAX", "PAD", "MEAN", "CONCATENATION",
              "HARD_SWISH", "RESIZE_NEAREST_NEIGHBOR", "TRANSPOSE", "REDUCE_MAX", "QUANTIZE",
              "DEQUANTIZE", "RESHAPE"}
    assert needed <= kinds, needed - kinds


@pytest.mark.parametrize("name", KERAS + OPS)
def test_bit_exact_on_host(models, name, tmp_path):
    assert assert_bit_exact(models[name], None, tmp_path) > 0


@pytest.mark.parametrize("name", ["ops_float_io"])
def test_float_edges_with_extreme_inputs(models, name, tmp_path):
    x = default_inputs([{"shape": [1, 23, 21, 3], "dtype": "float32"}])[0] * 40.0  # saturates
    assert_bit_exact(models[name], [x], tmp_path)


@pytest.mark.qemu
@pytest.mark.parametrize("name", KERAS + ["ops_float_io", "ops_uint8_io"])
def test_bit_exact_on_cortex_m7(models, name):
    check_on_board("mps2-an500", _own(models[name], WORKER))


@pytest.mark.qemu
def test_mobilenet_v1_patch_auto_bit_exact_on_qemu(models):
    """patch=auto with in-place pointwise/depthwise after the stage: bit-exact on the
    Cortex-M7 and under the issue's 36,000 B arena target."""
    model = _own(models["mobilenet_v1_025_96"], "patch_" + WORKER)
    proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", "board=mps2-an500",
                           f"model={model}", "patch=auto", "run=qemu",
                           "check=1", "memreport=1"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert any(ln.startswith("bit-exact: yes") for ln in lines), proc.stdout
    assert "PATCH STAGE" in proc.stdout
    assert any(ln.split()[1] == "CONV_2D" and ln.split()[3] == "yes" for ln in lines
               if ln[:5].strip().isdigit() and len(ln.split()) > 3), proc.stdout  # in-place 1x1
    arena = int(lines[-1].split("(arena ")[1].split()[0])
    assert arena < 36_000, lines[-1]
