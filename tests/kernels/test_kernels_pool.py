"""AVERAGE_POOL_2D / MAX_POOL_2D kernels (tp_avgpool_s8, tp_maxpool_s8) bit-exact with TFLite."""
from __future__ import annotations

import numpy as np
import pytest

from codegen.errors import CompileError
from codegen.ir import Quant
from tests.support.kernel_check import check_model, convert, keras, lower_op

pytestmark = pytest.mark.tf  # every test here converts a model with TensorFlow


def random_pool(rng: np.random.Generator, in_hw: tuple[int, int]) -> keras.layers.Layer:
    """Random window (up to the input size), stride (also > window) and padding."""
    k = (int(rng.integers(1, min(5, in_hw[0]) + 1)), int(rng.integers(1, min(5, in_hw[1]) + 1)))
    stride = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    layer = keras.layers.AveragePooling2D if rng.random() < 0.5 else keras.layers.MaxPooling2D
    return layer(k, strides=stride, padding=str(rng.choice(["same", "valid"])))


def test_pool_random_geometry(tmp_path):
    """Border windows clipped by SAME padding (average divides by the in-image count),
    odd sizes, strides larger than the window, more than 32 channels, fused ReLU/ReLU6."""
    rng = np.random.default_rng(31)
    x = keras.Input((9, 7, 37), batch_size=1)
    outs = [random_pool(rng, (9, 7))(x) for _ in range(10)]
    outs.append(keras.layers.AveragePooling2D(3, strides=2, padding="same")(x))
    outs.append(keras.layers.MaxPooling2D((2, 3), strides=(3, 1), padding="same")(x))
    outs.append(keras.layers.ReLU()(keras.layers.AveragePooling2D(2, padding="same")(x)))
    outs.append(keras.layers.ReLU(6.0)(keras.layers.MaxPooling2D(3, strides=1)(x)))
    check_model(keras.Model(x, outs), tmp_path,
                {"AVERAGE_POOL_2D": 3, "MAX_POOL_2D": 2}, seed=31)


def test_pool_global_average_like_resnet_and_dscnn(tmp_path):
    """Whole-input average pools (8x8 as in ResNet-8, 25x5 as in DS-CNN) after a ReLU
    conv (zero point -128), and a max pool on an all-negative calibration (zp 127)."""
    x = keras.Input((25, 5, 12), batch_size=1)
    y = keras.layers.Conv2D(64, 1, activation="relu")(x)
    a = keras.layers.AveragePooling2D((25, 5))(y)
    check_model(keras.Model(x, a), tmp_path, {"AVERAGE_POOL_2D": 1}, seed=32)
    r = keras.Input((8, 8, 3), batch_size=1)
    b = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(r)
    b = keras.layers.AveragePooling2D(8)(b)
    check_model(keras.Model(r, b), tmp_path / "resnet", {"AVERAGE_POOL_2D": 1}, seed=34)
    z = keras.Input((6, 5, 3), batch_size=1)
    m = keras.layers.MaxPooling2D(2, padding="same")(z)
    check_model(keras.Model(z, m), tmp_path / "neg", {"MAX_POOL_2D": 1}, seed=33,
                rep_range=(-2.0, -0.1))


def test_pool_lowering_errors(tmp_path):
    x = keras.Input((6, 6, 4), batch_size=1)
    path = convert(keras.Model(x, keras.layers.AveragePooling2D(2)(x)), tmp_path / "m.tflite")
    assert lower_op(path, "AVERAGE_POOL_2D")[0].function == "tp_avgpool_s8"

    def requantizing(op, graph):
        out = graph.tensors[op.outputs[0]]
        out.quant = Quant(out.quant.scale * 2, out.quant.zero_point)
    with pytest.raises(CompileError, match=r"layer 0 \(AVERAGE_POOL_2D\): input quantization"):
        lower_op(path, "AVERAGE_POOL_2D", requantizing)
