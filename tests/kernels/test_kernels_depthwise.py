"""DEPTHWISE_CONV_2D kernel (tp_depthwise_s8) bit-exact with TFLite's reference, per layer."""
from __future__ import annotations

import numpy as np
import pytest

from codegen.errors import CompileError
from tests.support.kernel_check import check_model, convert, keras, lower_op, random_conv

pytestmark = pytest.mark.tf  # every test here converts a model with TensorFlow


def test_depthwise_random_geometry(tmp_path):
    """Random kernels, strides (also > kernel), dilations, depth multipliers 1-3, paddings."""
    rng = np.random.default_rng(11)
    x = keras.Input((10, 9, 5), batch_size=1)
    used: set = set()
    outs = [random_conv(rng, (10, 9), depthwise=True, used_dilations=used)(x)
            for _ in range(9)]
    y = keras.layers.DepthwiseConv2D(3, padding="same", activation="relu")(x)
    outs.append(keras.layers.DepthwiseConv2D((2, 3), strides=2, depth_multiplier=2,
                                             padding="same", activation="relu6")(y))
    check_model(keras.Model(x, outs), tmp_path, {"DEPTHWISE_CONV_2D": 11}, seed=11)


def test_depthwise_streaming_wakeword_layers(tmp_path):
    """1-D (k x 1) VALID depthwise convs on 1 x 30 x 1 x 40 as in the streaming wake word
    model, including a window covering the whole time axis, around 1x1 convs."""
    x = keras.Input((30, 1, 40), batch_size=1)
    y = keras.layers.DepthwiseConv2D((3, 1))(x)
    y = keras.layers.Conv2D(48, 1, activation="relu")(y)
    y = keras.layers.DepthwiseConv2D((5, 1))(y)
    y = keras.layers.Conv2D(48, 1, activation="relu")(y)
    y = keras.layers.DepthwiseConv2D((10, 1))(y)
    y = keras.layers.DepthwiseConv2D((15, 1))(y)
    check_model(keras.Model(x, y), tmp_path, {"DEPTHWISE_CONV_2D": 4, "CONV_2D": 2}, seed=12)


def test_depthwise_channel_chunks_and_extreme_zero_points(tmp_path):
    """More than 32 output channels (the kernel's accumulator chunk), with a chunk boundary
    inside one input channel's multiplier group (13 x 3 = 39); input zero point -128."""
    x = keras.Input((6, 7, 13), batch_size=1)
    a = keras.layers.DepthwiseConv2D(3, depth_multiplier=3, padding="same")(x)
    b = keras.layers.DepthwiseConv2D((3, 2), strides=(2, 3), depth_multiplier=5,
                                     padding="valid", activation="relu")(x)
    c = keras.layers.Conv2D(70, 1, activation="relu")(x)
    c = keras.layers.DepthwiseConv2D(3, strides=2, padding="same")(c)
    check_model(keras.Model(x, [a, b, c]), tmp_path, {"DEPTHWISE_CONV_2D": 3}, seed=13,
                rep_range=(0.0, 1.0))


def test_depthwise_per_tensor_weights_positive_zero_point(tmp_path):
    rng = np.random.default_rng(14)
    x = keras.Input((9, 5, 6), batch_size=1)
    used: set = set()
    outs = [random_conv(rng, (9, 5), depthwise=True, used_dilations=used)(x)
            for _ in range(4)]
    outs.append(keras.layers.ZeroPadding2D(((2, 0), (1, 1)))(x))
    outs[-1] = keras.layers.DepthwiseConv2D(3, strides=2, padding="valid")(outs[-1])
    check_model(keras.Model(x, outs), tmp_path, {"DEPTHWISE_CONV_2D": 5}, seed=14,
                rep_range=(-2.0, -0.1), per_channel=False)


def test_depthwise_lowering_errors(tmp_path):
    x = keras.Input((6, 6, 4), batch_size=1)
    path = convert(keras.Model(x, keras.layers.DepthwiseConv2D(3, depth_multiplier=2)(x)),
                   tmp_path / "m.tflite")
    calls = lower_op(path, "DEPTHWISE_CONV_2D")
    assert calls[0].function == "tp_depthwise_s8" and calls[0].params["depth_mult"] == 2

    def bad_multiplier(op, graph):
        op.options["depth_multiplier"] = 3
    with pytest.raises(CompileError, match=r"layer 0 \(DEPTHWISE_CONV_2D\): depth_multiplier"):
        lower_op(path, "DEPTHWISE_CONV_2D", bad_multiplier)

    def int16_input(op, graph):
        graph.tensors[op.inputs[0]].dtype = "int16"
    with pytest.raises(CompileError, match="int8"):
        lower_op(path, "DEPTHWISE_CONV_2D", int16_input)
