"""Helpers for the kernel tests: convert a Keras model to full int8, check it per layer
against TFLite's reference (also through the DSP variants), lower single ops, patch
quantization scales, random conv geometry. All of them need TensorFlow (tests using them
carry the `tf` marker); it is imported on first use, not when this module is imported.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import tflite

from codegen.ops import LOWERINGS
from codegen.reader import read_model
from tests.support.harness import HOST, HOST_DSP, assert_bit_exact
from tests.support.models import keras, tf

__all__ = ["ACTS", "DSP_KINDS", "HOST", "check_model", "convert", "keras", "lower_op",
           "patch_scales", "random_conv", "small_input", "tf"]

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
