"""Bad input gets one clear message, a non-zero exit, no traceback and no half-written output."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT as ROOT, SHARED_MODELS_DIR

RESNET = SHARED_MODELS_DIR / "resnet8_cifar10_int8.tflite"


def codegen(model: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "codegen", str(model), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)


def scons(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "SCons", "-Q", *args], cwd=ROOT, capture_output=True, text=True)


def assert_clean_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    for n in needles:
        assert n in errors[0], errors[0]


def assert_nothing_written(out: Path) -> None:
    assert not (out / "model.c").exists() and not (out / "model.json").exists()


def test_missing_file(tmp_path):
    proc = codegen(tmp_path / "nope.tflite", tmp_path / "out")
    assert_clean_error(proc, "does not exist")
    assert_nothing_written(tmp_path / "out")


def test_not_a_flatbuffer(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"this is not a model at all" * 10)
    assert_clean_error(codegen(bad, tmp_path / "out"), "not a TFLite model")
    assert_nothing_written(tmp_path / "out")


def test_truncated_file(tmp_path):
    bad = tmp_path / "trunc.tflite"
    bad.write_bytes(RESNET.read_bytes()[:3000])
    assert_clean_error(codegen(bad, tmp_path / "out"), "truncated or corrupt")
    assert_nothing_written(tmp_path / "out")


@pytest.fixture(scope="module")
def keras_models(tmp_path_factory):
    import tensorflow as tf

    from tests.support.models import convert_int8
    d = tmp_path_factory.mktemp("models")
    inp = tf.keras.Input((8,), batch_size=1)
    float_model = convert_int8(tf.keras.Model(inp, tf.keras.layers.Dense(4)(inp)),
                               d / "float.tflite", quantize=False)
    inp = tf.keras.Input((8,), batch_size=1)
    sig = tf.keras.layers.Activation("sigmoid")(tf.keras.layers.Dense(4)(inp))
    unsupported = convert_int8(tf.keras.Model(inp, sig), d / "sigmoid.tflite")
    inp = tf.keras.Input((1200, 1200, 3), batch_size=1)
    big = convert_int8(tf.keras.Model(inp, tf.keras.layers.Conv2D(4, 3, padding="same")(inp)),
                       d / "big.tflite", samples=2)
    return {"float": float_model, "unsupported": unsupported, "big": big}


@pytest.mark.tf
def test_float_model(tmp_path, keras_models):
    proc = codegen(keras_models["float"], tmp_path / "out")
    assert_clean_error(proc, "not int8-quantized", "TFLITE_BUILTINS_INT8")
    assert_nothing_written(tmp_path / "out")


@pytest.mark.tf
def test_unsupported_op(tmp_path, keras_models):
    proc = codegen(keras_models["unsupported"], tmp_path / "out")
    assert_clean_error(proc, "LOGISTIC", "layer 1", "CONV_2D")  # names op, index, supported list
    assert_nothing_written(tmp_path / "out")


@pytest.mark.tf
def test_model_too_big_for_board(keras_models):
    proc = scons("board=mps2-an385", f"model={keras_models['big']}")
    assert_clean_error(proc, "too big for mps2-an385 RAM", "B over")
    assert not (ROOT / "build/mps2-an385/big/gen/model.c").exists()
    assert not (ROOT / "build/mps2-an385/big/firmware.elf").exists()


def test_unknown_board():
    proc = scons("board=nucleo-nope", f"model={RESNET}")
    assert_clean_error(proc, "unknown board 'nucleo-nope'", "mps2-an500")


def test_missing_model_in_scons():
    assert_clean_error(scons("board=mps2-an500", "model=/nonexistent.tflite"), "does not exist")
