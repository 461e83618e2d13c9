"""MUL (int8, broadcasting, fused activations, constant operands) is bit-exact with TFLite."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.harness import assert_bit_exact
from tests.support.tiny_models import O, T, binary_cases, build_model, convert_fn, op_kinds

pytestmark = pytest.mark.tf  # every test here converts a model with TensorFlow


def test_mul_converted_model(tmp_path: Path) -> None:
    """Elementwise, squeeze-excite style channel broadcast, constants, fused RELU."""
    import tensorflow as tf

    rng = np.random.default_rng(11)
    h, w, c = (int(v) for v in rng.integers(2, 9, 3))
    const = rng.uniform(0.1, 2, size=(1, 1, 1, c)).astype(np.float32)

    def fn(x, y, s, u, v):
        return [x * y, tf.nn.relu(x * s), u * v, y * const, x * -1.5]

    shapes = [(1, h, w, c), (1, h, w, c), (1, 1, 1, c), (1, h, 1, c), (1, 1, w, c)]
    ranges = [(-3, 3), (0, 1), (0, 6), (-1, 2), (-0.2, 0.1)]
    path = convert_fn(fn, shapes, tmp_path / "mul.tflite", ranges=ranges)
    assert op_kinds(path).count("MUL") == 5
    assert assert_bit_exact(path, None, tmp_path / "run") >= 5


def test_mul_random_quantization_and_broadcasts(tmp_path: Path) -> None:
    """Random shapes / quantization; edges: multiplier > 1 (left shift), tiny multiplier,
    extreme zero points (|product| up to 255 * 255)."""
    rng = np.random.default_rng(99)
    same = ((1, 2, 5, 6), (1, 2, 5, 6), (1, 2, 5, 6))
    fixed = [
        {"shapes": same, "scales": (0.5, 0.8, 0.01), "zps": (-128, -128, 0)},
        {"shapes": same, "scales": (0.001, 0.002, 3.0), "zps": (127, -128, 5), "act": "RELU"},
        {"shapes": same, "scales": (0.05, 0.05, 0.0025), "zps": (0, 0, 0), "act": "RELU6"},
        {"shapes": ((3, 4), (3, 4), (1,)), "scales": (0.02, 0.5, 0.01), "zps": (1, -2, 3),
         "const": 1, "act": "RELU_N1_TO_1"},
    ]
    tensors, ops, inputs = binary_cases("MUL", rng, 30, fixed)
    path = build_model(tmp_path / "muls.tflite", tensors, ops, inputs,
                       [op.outputs[0] for op in ops])
    assert assert_bit_exact(path, None, tmp_path / "run") == len(ops)


def test_mul_multiplier_is_computed_in_float(tmp_path: Path) -> None:
    """mul.cc forms scale1 * scale2 / scale_out in float, not double. These scales make the
    two give different outputs for some of the 65536 input pairs, all of which are run."""
    a = np.repeat(np.arange(-128, 128), 256).astype(np.int8).reshape(1, -1)
    b = np.tile(np.arange(-128, 128), 256).astype(np.int8).reshape(1, -1)
    # found by search: QuantizeMultiplier of the float and double products differ in a way
    # that changes 16 of the 65536 outputs
    s1, s2, so = 0.0023377764, 0.009401474, 0.0016139003
    tensors = [T((1, 65536), "int8", (s1, 3)), T((1, 65536), "int8", (s2, -7)),
               T((1, 65536), "int8", (so, -1))]
    path = build_model(tmp_path / "mulf.tflite", tensors, [O("MUL", [0, 1], [2])], [0, 1], [2])
    assert_bit_exact(path, [a, b], tmp_path / "run")
