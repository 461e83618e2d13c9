"""QUANTIZE / DEQUANTIZE at model edges are bit-exact with TFLite, floats included."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.harness import assert_bit_exact
from tests.support.tiny_models import O, T, build_model, convert_fn, op_kinds

pytestmark = pytest.mark.tf  # every test here converts a model with TensorFlow

# float edge values: ties at a power-of-two scale, signed zero, tiny, huge, inf, NaN
EDGES = np.array([0.125, -0.125, 0.375, -0.375, 0.625, -0.0, 1e-30, -1e-30, 31.875, -32.125,
                  5e8, -5e8, 3e9, -3e9, 1e30, np.inf, -np.inf, np.nan], dtype=np.float32)


def float_input(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    x = rng.uniform(lo, hi, size=n).astype(np.float32)
    x[:EDGES.size] = EDGES
    return x.reshape(1, n)


@pytest.mark.parametrize("io", ["float32", "uint8"])
def test_converter_edges(tmp_path: Path, io: str) -> None:
    """float32 or uint8 model inputs and outputs make the converter insert QUANTIZE /
    DEQUANTIZE around the int8 body."""
    import tensorflow as tf

    dtype = {"float32": tf.float32, "uint8": tf.uint8}[io]
    path = convert_fn(lambda x: tf.nn.relu(x + 0.5), [(1, 64)], tmp_path / "m.tflite",
                      ranges=[(-2, 3)], input_type=dtype, output_type=dtype)
    kinds = op_kinds(path)
    assert kinds[0] == "QUANTIZE" and kinds[-1] == ("DEQUANTIZE" if io == "float32" else "QUANTIZE")
    rng = np.random.default_rng(0)
    x = (float_input(rng, 64, -3, 4) if io == "float32"
         else rng.integers(0, 256, size=(1, 64), dtype=np.uint8))
    assert assert_bit_exact(path, [x], tmp_path / "run") == len(kinds)


def test_every_conversion_random_quantization(tmp_path: Path) -> None:
    """All eight kernels with seeded random scales / zero points; requantization with
    ratios above, below and equal to 1 (and the int8 <-> uint8 zero point shift of 128)."""
    rng = np.random.default_rng(17)
    n = 300
    tensors: list[T] = [T((1, n), "float32"), T((1, n), "int8", (0.25, -5)),
                        T((1, n), "uint8", (0.25, 128))]
    ops: list[O] = []

    def new(dtype: str, q: tuple[float, int] | None = None) -> int:
        tensors.append(T((1, n), dtype, q))
        return len(tensors) - 1

    def rand_q(dtype: str) -> tuple[float, int]:
        lo, hi = (-128, 128) if dtype == "int8" else (0, 256)
        return float(10 ** rng.uniform(-3, 1)), int(rng.integers(lo, hi))

    inputs = [0, 1, 2]  # one float, one int8, one uint8 model input
    for _ in range(4):
        for dst in ("int8", "uint8"):
            ops.append(O("QUANTIZE", [0], [new(dst, rand_q(dst))]))
        for src in (1, 2):
            ops.append(O("DEQUANTIZE", [src], [new("float32")]))
    for src in (1, 2):
        src_dtype = tensors[src].dtype
        for dst in ("int8", "uint8"):
            for q in [rand_q(dst), rand_q(dst), (0.25, int(rng.integers(0, 128))),
                      (0.25, tensors[src].quant[1] + (128 if dst == "uint8" else -128)
                       if src_dtype != dst else tensors[src].quant[1])]:
                ops.append(O("QUANTIZE", [src], [new(dst, q)]))
    path = build_model(tmp_path / "q.tflite", tensors, ops, inputs, [op.outputs[0] for op in ops])
    x = [float_input(rng, n, -40, 40), rng.integers(-128, 128, size=(1, n), dtype=np.int8),
         rng.integers(0, 256, size=(1, n), dtype=np.uint8)]
    assert assert_bit_exact(path, x, tmp_path / "run") == len(ops)
