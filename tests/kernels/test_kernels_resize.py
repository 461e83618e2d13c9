"""RESIZE_NEAREST_NEIGHBOR kernel (tp_resize_nearest_s8) bit-exact with TFLite.

The source index tables are computed in float32 like TFLite's GetNearestNeighbor, so
the tests sweep many size pairs (up, down, non-integer ratios, size 1) under each of
the three flag combinations the converter emits.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from codegen.ops.resize import nearest_indices
from codegen.reader import read_model
from tests.support.harness import assert_bit_exact
from tests.support.tiny_models import O, T, build_model, convert_fn
from tests.support.kernel_check import check_model, keras, tf

# From a (14, 2) input: (23, 41) is where float32 rounding moves an index away from
# the exact-arithmetic one (rows with align_corners, columns with half-pixel centers).
SIZES = [(23, 41), (7, 3), (9, 11), (2, 13), (1, 1), (1, 6), (8, 10), (13, 4), (3, 17)]


@pytest.mark.tf
@pytest.mark.parametrize("flags", ["half_pixel", "align_corners", "asymmetric"])
def test_resize_converted(tmp_path, flags):
    """tf.image.resize(method='nearest') (half-pixel centers) and the v1 op's two other modes."""
    def resize(x, size):
        if flags == "half_pixel":
            return tf.image.resize(x, size, method="nearest")
        return tf.compat.v1.image.resize_nearest_neighbor(
            x, size, align_corners=flags == "align_corners", half_pixel_centers=False)

    def fn(x):
        return tuple(resize(x, s) for s in SIZES)
    path = convert_fn(fn, [(1, 14, 2, 3)], tmp_path / "m.tflite")
    ops = read_model(path).ops
    assert Counter(op.kind for op in ops)["RESIZE_NEAREST_NEIGHBOR"] == len(SIZES)
    resize_op = next(op for op in ops if op.kind == "RESIZE_NEAREST_NEIGHBOR")
    assert resize_op.options["align_corners"] == (flags == "align_corners")
    assert resize_op.options["half_pixel_centers"] == (flags == "half_pixel")
    x = np.random.default_rng(2).integers(-128, 128, (1, 14, 2, 3), dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") == len(SIZES)


@pytest.mark.tf
def test_keras_resizing_after_conv(tmp_path):
    """Keras Resizing(interpolation='nearest') after a conv. (Keras 3's UpSampling2D
    converts to RESHAPE + TILE instead, so it does not reach this kernel.)"""
    x = keras.Input((6, 5, 3), batch_size=1)
    y = keras.layers.Conv2D(8, 3, padding="same")(x)
    y = keras.layers.Resizing(12, 15, interpolation="nearest")(y)
    check_model(keras.Model(x, y), tmp_path, {"RESIZE_NEAREST_NEIGHBOR": 1}, seed=4)


@pytest.mark.tf
def test_resize_hand_built_batches(tmp_path):
    """Batch 3, random sizes up to 4x larger or smaller (no options: asymmetric mapping),
    and 26x6 -> 22x74 where float32 floor(i * scale) differs from exact arithmetic."""
    rng = np.random.default_rng(400)
    shape = (3, 26, 6, 5)
    tensors, ops, outputs = [T(shape, quant=(0.1, 2))], [], []
    for k in range(6):
        size = [22, 74] if k == 0 else [int(rng.integers(1, 60)), int(rng.integers(1, 20))]
        tensors.append(T((2,), "int32", data=np.array(size, np.int32)))
        tensors.append(T((3, size[0], size[1], 5), quant=(0.1, 2)))
        ops.append(O("RESIZE_NEAREST_NEIGHBOR", [0, len(tensors) - 2], [len(tensors) - 1]))
        outputs.append(len(tensors) - 1)
    path = build_model(tmp_path / "m.tflite", tensors, ops, [0], outputs)
    x = rng.integers(-128, 128, shape, dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") == len(ops)


def test_nearest_indices():
    """align_corners with one output uses in/out; large upsampling stays in range."""
    assert nearest_indices(3, 1, True, False).tolist() == [0]
    assert nearest_indices(4, 7, True, False).tolist() == [0, 1, 1, 2, 2, 3, 3]
    assert nearest_indices(2, 4, False, True).tolist() == [0, 0, 1, 1]
    idx = nearest_indices(1000, 4097, False, True)
    assert idx.min() == 0 and idx.max() == 999 and (np.diff(idx) >= 0).all()
