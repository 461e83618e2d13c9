"""CONV_2D kernels (tp_conv_s8, tp_conv_1x1_s8) bit-exact with TFLite's reference, per layer.

Each model packs several randomized cases as parallel branches and short chains (one
conversion ~1 s). The helpers here are shared by the other test_kernels_* families.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

import re

import numpy as np
import pytest
import tflite

from codegen.errors import CompileError
from codegen.lowering import Target
from codegen.ops import LOWERINGS
from codegen.reader import read_model
from tests.support.harness import HOST_DSP, assert_bit_exact
from tests.support.models import tf

keras = tf.keras
HOST = Target(cpu="host", dsp=False, fpu=True)
ACTS = [None, "relu", "relu6"]
# ops with a DSP kernel variant (codegen/ops/dsp.py): check_model runs them both ways
DSP_KINDS = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}


def convert(model: keras.Model, path: Path, *, seed: int = 0,
            rep_range: tuple[float, float] = (-1.0, 1.0), per_channel: bool = True,
            representative: Callable[[np.random.Generator, tuple], np.ndarray] | None = None,
            samples: int = 16) -> Path:
    """Full-int8 conversion of a one-input model.

    rep_range sets the calibration range of the input, and so its zero point: (0, 1) gives
    -128, (-2, -0.1) gives 127. per_channel=False quantizes conv and dense weights per
    tensor. `representative(rng, shape)` overrides the uniform calibration samples.
    """
    rng = np.random.default_rng(seed)
    shape = tuple(d or 1 for d in model.inputs[0].shape)

    def dataset() -> Iterable[list[np.ndarray]]:
        for _ in range(samples):
            x = (representative(rng, shape) if representative
                 else rng.uniform(*rep_range, size=shape))
            yield [np.asarray(x, np.float32)]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = dataset
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    if not per_channel:
        conv._experimental_disable_per_channel = True
    path.write_bytes(conv.convert())
    return path


def check_model(model: keras.Model, tmp_path: Path, expect: dict[str, int], *, seed: int = 0,
                test_input: Callable[[np.random.Generator, tuple], np.ndarray] | None = None,
                **convert_kw) -> Path:
    """Convert, check the op census (so coverage cannot silently vanish), run bit-exact.

    The test input is uniform over all int8 values unless test_input(rng, shape) is given.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = convert(model, tmp_path / "model.tflite", seed=seed, **convert_kw)
    census = Counter(op.kind for op in read_model(path).ops)
    for kind, n in expect.items():
        assert census[kind] >= n, f"converter produced {dict(census)}, expected {kind} x{n}"
    rng = np.random.default_rng(seed + 1000)
    shape = tuple(d or 1 for d in model.inputs[0].shape)
    x = (test_input(rng, shape) if test_input
         else rng.integers(-128, 128, size=shape, dtype=np.int8))
    assert assert_bit_exact(path, [x], tmp_path / "run") >= sum(expect.values())
    if census.keys() & DSP_KINDS:  # the same cases through the SMLAD variants
        assert assert_bit_exact(path, [x], tmp_path / "run_dsp", target=HOST_DSP) >= 1
        assert re.search(r"_dsp\w*\(&", (tmp_path / "run_dsp" / "gen" / "model.c").read_text())
    return path


def patch_scales(path: Path, scales: dict[int, float]) -> None:
    """Overwrite quantization scales in a .tflite file in place: tensor index -> new scale
    (for every channel of a per-channel tensor). Lets a test pick exact scales, e.g. ones
    that put accumulators on rounding ties, which a converter would never produce."""
    buf = bytearray(path.read_bytes())
    sg = tflite.Model.GetRootAsModel(buf, 0).Subgraphs(0)
    for index, scale in scales.items():
        q = sg.Tensors(index).Quantization()
        field = q._tab.Offset(8)  # QuantizationParameters.scale (vtable slot 2)
        start, n = q._tab.Vector(field), q._tab.VectorLen(field)
        buf[start:start + 4 * n] = np.full(n, scale, "<f4").tobytes()
    path.write_bytes(bytes(buf))


def small_input(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Inputs in [-3, 3]: accumulators stay small, so outputs do not saturate."""
    return rng.integers(-3, 4, size=shape, dtype=np.int8)


def lower_op(path: Path, kind: str, mutate: Callable | None = None):
    """Lower the first op of `kind` in a model (after an optional IR mutation)."""
    graph = read_model(path)
    op = next(o for o in graph.ops if o.kind == kind)
    if mutate:
        mutate(op, graph)
    return LOWERINGS[kind](op, graph, HOST)


def random_conv(rng: np.random.Generator, in_hw: tuple[int, int], depthwise: bool = False,
                used_dilations: set | None = None) -> keras.layers.Layer:
    """A conv / depthwise layer with random geometry whose window fits an in_hw input.

    Dilation only with stride 1 (Keras), and each dilation at most once per model: TF
    lowers dilated convs to SPACE_TO_BATCH_ND + conv, and two branches with the same
    dilation share that op, which stops the converter from fusing it back.
    """
    used = used_dilations if used_dilations is not None else set()
    while True:
        k_h, k_w = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        dilation = (int(rng.integers(1, 4)), int(rng.integers(1, 3)))
        dilated = rng.random() < 0.3 and dilation != (1, 1) and dilation not in used
        if not dilated:
            dilation = (1, 1)
        if (k_h - 1) * dilation[0] < in_hw[0] and (k_w - 1) * dilation[1] < in_hw[1]:
            break
    if dilated:
        used.add(dilation)
    stride = (1, 1) if dilated else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    common = dict(kernel_size=(k_h, k_w), strides=stride, dilation_rate=dilation,
                  padding=str(rng.choice(["same", "valid"])), activation=rng.choice(ACTS),
                  bias_initializer=keras.initializers.RandomUniform(-0.3, 0.3))
    if depthwise:
        return keras.layers.DepthwiseConv2D(depth_multiplier=int(rng.integers(1, 4)), **common)
    return keras.layers.Conv2D(int(rng.integers(1, 10)), **common)


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
