"""SOFTMAX (int8 -> int8) is bit-exact with TFLite's reference (gemmlowp fixed-point exp)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codegen.compile import compile_model
from codegen.errors import CompileError
from codegen.lowering import Target
from tests.support.harness import assert_bit_exact
from tests.support.tiny_models import O, T, build_model, convert_fn, op_kinds

OUT_Q = (1.0 / 256, -128)


@pytest.mark.tf
def test_softmax_keras_row_lengths(tmp_path: Path) -> None:
    """Keras Softmax over the last axis at several row lengths and row counts."""
    import tensorflow as tf

    shapes = [(1, 10), (1, 5, 7), (1, 2, 3, 16), (1, 1), (1, 256), (1, 1000)]
    ranges = [(-4, 4), (-1, 1), (-10, 3), (-1, 1), (-6, 6), (-8, 8)]
    layer = tf.keras.layers.Softmax()

    def fn(*xs):
        return [layer(x) for x in xs]

    path = convert_fn(fn, shapes, tmp_path / "softmax.tflite", ranges=ranges)
    assert op_kinds(path).count("SOFTMAX") == len(shapes)
    assert assert_bit_exact(path, None, tmp_path / "run") == len(shapes)


@pytest.mark.tf
def test_softmax_betas_scales_and_edges(tmp_path: Path) -> None:
    """beta (which the converter never sets) and input scales from a seeded generator,
    plus rows of equal values, single-element rows and a saturated beta * scale
    (multiplier capped at 2^31 - 1, diff_min = 0)."""
    rng = np.random.default_rng(5)
    cases = [((1, 256), 1.0, 0.004, 0), ((4, 3), 1.0, 100.0, -3), ((2, 1), 2.0, 0.1, 7),
             ((1, 8), 1e-3, 0.05, 0)]
    for _ in range(16):
        depth = int(rng.choice([2, 3, 10, 64, 255]))
        shape = (int(rng.integers(1, 4)), depth)
        cases.append((shape, float(rng.choice([0.1, 0.5, 1.0, 2.0, 4.7])),
                      float(10 ** rng.uniform(-3, 0)), int(rng.integers(-128, 128))))
    tensors, ops, inputs, data = [], [], [], []
    for shape, beta, scale, zp in cases:
        tensors += [T(shape, "int8", (scale, zp)), T(shape, "int8", OUT_Q)]
        ops.append(O("SOFTMAX", [len(tensors) - 2], [len(tensors) - 1], {"beta": beta}))
        inputs.append(len(tensors) - 2)
        data.append(rng.integers(-128, 128, size=shape, dtype=np.int8))
    data[1][:] = 5         # a row of equal values
    data[0][0, :3] = 127   # several maxima
    path = build_model(tmp_path / "softmaxes.tflite", tensors, ops, inputs,
                       [op.outputs[0] for op in ops])
    assert assert_bit_exact(path, data, tmp_path / "run") == len(ops)


def test_softmax_too_small_beta_is_a_clear_error(tmp_path: Path) -> None:
    tensors = [T((1, 4), "int8", (0.01, 0)), T((1, 4), "int8", OUT_Q)]
    path = build_model(tmp_path / "sm.tflite", tensors, [O("SOFTMAX", [0], [1], {"beta": 1e-9})],
                       [0], [1])
    with pytest.raises(CompileError, match=r"layer 0 \(SOFTMAX\).*beta"):
        compile_model(path, Target(cpu="host", dsp=False, fpu=True))
