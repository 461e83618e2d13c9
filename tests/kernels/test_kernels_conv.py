"""CONV_2D kernels (tp_conv_s8, tp_conv_1x1_s8) bit-exact with TFLite's reference, per layer.

Each model packs several randomized cases as parallel branches and short chains (one
conversion ~1 s). The helpers shared with the other kernel tests are in
tests/support/kernel_check.py.
"""
from __future__ import annotations

import numpy as np
import pytest

from codegen.errors import CompileError
from codegen.reader import read_model
from tests.support.harness import HOST_DSP, assert_bit_exact
from tests.support.kernel_check import (check_model, convert, keras, lower_op, patch_scales,
                                        random_conv, small_input)

pytestmark = pytest.mark.tf  # every test here converts a model with TensorFlow


def test_conv_random_geometry(tmp_path):
    """Random kernels, strides (also > kernel), dilations, SAME/VALID, activations."""
    rng = np.random.default_rng(1)
    x = keras.Input((11, 9, 3), batch_size=1)
    used: set = set()
    outs = [random_conv(rng, (11, 9), used_dilations=used)(x) for _ in range(9)]
    # a chain, so later convs see real (e.g. post-ReLU, zero point -128) activations
    y = keras.layers.Conv2D(6, 3, padding="same", activation="relu")(x)
    y = keras.layers.Conv2D(5, (2, 4), strides=(2, 1), padding="same")(y)
    outs.append(keras.layers.Conv2D(4, 3, strides=2, padding="valid", activation="relu6")(y))
    check_model(keras.Model(x, outs), tmp_path, {"CONV_2D": 12}, seed=1)


def test_conv_dscnn_first_layer_extreme_input_zero_point(tmp_path):
    """DS-CNN's 10x4 stride-2 SAME conv on 49x10x1, input zero point -128, then 1x1s."""
    x = keras.Input((49, 10, 1), batch_size=1)
    y = keras.layers.Conv2D(16, (10, 4), strides=(2, 2), padding="same", activation="relu")(x)
    y = keras.layers.Conv2D(12, 1, activation="relu")(y)
    z = keras.layers.Conv2D(8, 1, strides=2, padding="same")(y)   # resnet-style shortcut
    w = keras.layers.Conv2D(7, 1, strides=3, padding="valid")(y)  # stride > kernel
    check_model(keras.Model(x, [z, w]), tmp_path, {"CONV_2D": 4}, seed=2, rep_range=(0.0, 1.0))


def test_conv_per_tensor_weights_positive_zero_point(tmp_path):
    """Per-tensor weights; all-negative calibration gives input zero point 127."""
    rng = np.random.default_rng(3)
    x = keras.Input((8, 13, 4), batch_size=1)
    outs = [keras.layers.Conv2D(8, 3, strides=2, padding="same")(x),
            keras.layers.Conv2D(5, 1, strides=2, padding="same")(x),
            keras.layers.Conv2D(3, (1, 5), padding="valid", activation="relu")(x)]
    used: set = set()
    outs += [random_conv(rng, (8, 13), used_dilations=used)(x) for _ in range(3)]
    path = check_model(keras.Model(x, outs), tmp_path, {"CONV_2D": 6}, seed=3,
                       rep_range=(-2.0, -0.1), per_channel=False)
    graph = read_model(path)
    assert all(graph.tensors[op.inputs[1]].quant.scale.size == 1
               for op in graph.ops if op.kind == "CONV_2D")
    assert graph.tensors[graph.inputs[0]].zero_point == 127


def test_conv_folded_pad_and_wide_channels(tmp_path):
    """Explicit PAD before a VALID conv (folded by the compiler), 40 -> 70 channels."""
    x = keras.Input((7, 6, 40), batch_size=1)
    y = keras.layers.ZeroPadding2D(((1, 2), (2, 1)))(x)
    y = keras.layers.Conv2D(70, 3, strides=2, padding="valid", activation="relu")(y)
    z = keras.layers.Conv2D(33, 1)(x)
    check_model(keras.Model(x, [y, z]), tmp_path, {"CONV_2D": 2}, seed=4)


def test_conv_lowering_choices_and_errors(tmp_path):
    x = keras.Input((6, 6, 4), batch_size=1)
    y = keras.layers.Conv2D(4, 1)(x)
    path = convert(keras.Model(x, y), tmp_path / "m.tflite")
    calls = lower_op(path, "CONV_2D")
    assert [c.function for c in calls] == ["tp_conv_1x1_s8"] and calls[0].scratch_bytes == 0

    def pad_it(op, graph):
        op.options["folded_pad"] = (1, 0)
    calls = lower_op(path, "CONV_2D", pad_it)
    assert calls[0].function == "tp_conv_s8" and calls[0].scratch_bytes == 4

    def grouped(op, graph):
        graph.tensors[op.inputs[0]].shape = (1, 6, 6, 8)
    with pytest.raises(CompileError, match=r"layer 0 \(CONV_2D\): grouped convolution"):
        lower_op(path, "CONV_2D", grouped)

    def asymmetric(op, graph):
        graph.tensors[op.inputs[1]].quant.zero_point[:] = 3
    with pytest.raises(CompileError, match="non-zero zero point"):
        lower_op(path, "CONV_2D", asymmetric)


def test_conv_requantization_rounding_ties(tmp_path):
    """Scales in / weights 2^-7, out 2^-10 make acc * scale = acc / 16: every accumulator
    = 8 mod 16 is an exact tie. TFLite's conv rounds them with gemmlowp's double rounding
    (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT); a single-rounding or
    floating-point requantisation fails here."""
    x = keras.Input((8, 8, 4), batch_size=1)
    a = keras.layers.Conv2D(16, 1)(x)
    b = keras.layers.DepthwiseConv2D(1, depth_multiplier=4)(x)
    path = convert(keras.Model(x, [a, b]), tmp_path / "m.tflite", per_channel=False)
    graph = read_model(path)
    new = {}
    for op in graph.ops:
        new.update({op.inputs[0]: 2**-7, op.inputs[1]: 2**-7, op.outputs[0]: 2**-10})
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            new[op.inputs[2]] = 2**-14
    patch_scales(path, new)
    x = small_input(np.random.default_rng(5), (1, 8, 8, 4))
    assert assert_bit_exact(path, [x], tmp_path / "run") == 2
    assert assert_bit_exact(path, [x], tmp_path / "run_dsp", target=HOST_DSP) == 2
