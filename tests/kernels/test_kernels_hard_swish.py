"""HARD_SWISH (int8) is bit-exact with TFLite's reference int16 fixed-point kernel."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codegen.ops.hard_swish import hard_swish_params
from codegen.ir import Op
from tests.support.harness import assert_bit_exact
from tests.support.tiny_models import O, T, build_model, convert_fn, op_kinds

pytestmark = pytest.mark.tf  # every test here converts a model with TensorFlow

ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)


def test_hard_swish_keras_expression(tmp_path: Path) -> None:
    """x * relu6(x + 3) / 6 converts to HARD_SWISH; several input ranges."""
    import tensorflow as tf

    def fn(x, y, z):
        return [v * tf.nn.relu6(v + 3.0) / 6.0 for v in (x, y, z)]

    shapes = [(1, 6, 6, 8), (1, 16), (1, 3, 40)]
    path = convert_fn(fn, shapes, tmp_path / "hs.tflite", ranges=[(-6, 6), (-0.5, 0.5), (-20, 40)])
    assert op_kinds(path) == ["HARD_SWISH"] * 3
    assert assert_bit_exact(path, None, tmp_path / "run") == 3


def test_hard_swish_every_input_value_random_quantization(tmp_path: Path) -> None:
    """All 256 int8 inputs under seeded random scales / zero points, including reluish
    exponents far left (large input scale) and right (tiny input scale)."""
    rng = np.random.default_rng(3)
    quants = [((0.05, 0), (0.05, -10)), ((2.0, -128), (1.5, 127)), ((1e-4, 5), (1e-4, -3)),
              ((0.5, 100), (0.01, -128))]
    for _ in range(20):
        s_in = float(10 ** rng.uniform(-3, 0.5))
        s_out = s_in * float(10 ** rng.uniform(-1, 1))
        quants.append(((s_in, int(rng.integers(-128, 128))), (s_out, int(rng.integers(-128, 128)))))
    exps = {hard_swish_params(Op(0, "HARD_SWISH", [], []), qi[0], qo[0])["reluish_exponent"]
            for qi, qo in quants}
    assert min(exps) < -5 and max(exps) > 5  # both shift directions are exercised
    tensors, ops = [], []
    for qi, qo in quants:
        tensors += [T((1, 256), "int8", qi), T((1, 256), "int8", qo)]
        ops.append(O("HARD_SWISH", [len(tensors) - 2], [len(tensors) - 1]))
    inputs = [op.inputs[0] for op in ops]
    path = build_model(tmp_path / "hs.tflite", tensors, ops, inputs, [op.outputs[0] for op in ops])
    assert assert_bit_exact(path, [ALL_INT8] * len(ops), tmp_path / "run") == len(ops)
