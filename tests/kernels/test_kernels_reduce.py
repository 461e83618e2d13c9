"""MEAN / REDUCE_MAX kernels (tp_reduce_mean_s8, tp_reduce_max_s8) bit-exact with TFLite.

Converted models cover what the converter emits (global average pooling with and
without keep_dims, negative axes, equal and different quantization); hand-built
models cover random ranks, axis subsets (negative, duplicated, empty) and extreme
scale ratios that the converter would not produce.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from codegen.errors import CompileError
from codegen.ops.reduce import mean_multiplier
from codegen.reader import read_model
from tests.support.harness import assert_bit_exact
from tests.support.tiny_models import O, T, build_model, convert_fn
from tests.support.kernel_check import check_model, keras, lower_op, tf


def census(path: Path) -> Counter:
    return Counter(op.kind for op in read_model(path).ops)


@pytest.mark.tf
def test_reductions_converted(tmp_path):
    def fn(x):
        return (tf.reduce_mean(x, [1, 2], keepdims=True), tf.reduce_mean(x, [1, 2]),
                tf.reduce_mean(x, [-1]), tf.reduce_mean(x, [0, 3], keepdims=True),
                tf.reduce_mean(x * 4.0, [2]),
                tf.reduce_max(x, [1, 2]), tf.reduce_max(x, [-1], keepdims=True),
                tf.reduce_max(x, [0, 1, 2, 3]))
    path = convert_fn(fn, [(2, 5, 6, 7)], tmp_path / "m.tflite", ranges=[(-0.5, 2.0)])
    kinds = census(path)
    assert kinds["MEAN"] == 5 and kinds["REDUCE_MAX"] == 3, kinds
    x = np.random.default_rng(3).integers(-128, 128, (2, 5, 6, 7), dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") >= 8


@pytest.mark.tf
def test_global_average_pooling_after_relu_conv(tmp_path):
    """Keras GlobalAveragePooling2D (MEAN over 1,2, input zero point -128), both keepdims."""
    x = keras.Input((9, 7, 5), batch_size=1)
    y = keras.layers.Conv2D(12, 3, activation="relu")(x)
    a = keras.layers.GlobalAveragePooling2D()(y)
    b = keras.layers.GlobalAveragePooling2D(keepdims=True)(y)
    check_model(keras.Model(x, [a, b]), tmp_path, {"MEAN": 2}, seed=5)


def random_quant(rng: np.random.Generator) -> tuple[float, int]:
    return float(10 ** rng.uniform(-3, 0)), int(rng.integers(-128, 128))


@pytest.mark.tf
@pytest.mark.parametrize("rank", [1, 2, 3, 4])
def test_mean_and_max_hand_built(tmp_path, rank):
    """Random shapes and axis subsets; output scale 1e-3 to 2^40 times the input's."""
    rng = np.random.default_rng(100 + rank)
    shape = tuple(int(d) for d in rng.integers(1, 7, rank))
    in_q = random_quant(rng)
    tensors, ops, outputs = [T(shape, quant=in_q)], [], []
    ratios = [1.0, 1e-3, 1e6, 2.0 ** 40, 0.37, 7.3]
    for k in range(12):
        n_axes = int(rng.integers(0, rank + 2))  # may repeat an axis or be empty
        axes = [int(a) for a in rng.integers(-rank, rank, n_axes)]
        kept = [d for d in range(rank) if d not in {a % rank for a in axes}]
        out_shape = tuple(shape[d] for d in kept)
        kind = "REDUCE_MAX" if k % 4 == 3 else "MEAN"
        if kind == "MEAN" and k < len(ratios):
            out_q = (in_q[0] * ratios[k], int(rng.integers(-128, 128)))
        else:
            out_q = in_q
        tensors.append(T((len(axes),), "int32", data=np.array(axes, np.int32)))
        tensors.append(T(out_shape, quant=out_q))
        ops.append(O(kind, [0, len(tensors) - 2], [len(tensors) - 1]))
        outputs.append(len(tensors) - 1)
    path = build_model(tmp_path / "m.tflite", tensors, ops, [0], outputs)
    x = rng.integers(-128, 128, shape, dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") == len(ops)


@pytest.mark.tf
def test_mean_large_regions(tmp_path):
    """Counts up to 4800 (multiplier folding with a large 1/count), extreme inputs."""
    tensors = [T((1, 40, 30, 4), quant=(0.02, -128)),
               T((2,), "int32", data=np.array([1, 2], np.int32)), T((1, 4), quant=(0.001, 5)),
               T((3,), "int32", data=np.array([0, 1, 2], np.int32)), T((4,), quant=(0.5, -3)),
               T((4,), "int32", data=np.array([0, 1, 2, 3], np.int32)), T((), quant=(0.02, -128))]
    ops = [O("MEAN", [0, 1], [2]), O("MEAN", [0, 3], [4]), O("MEAN", [0, 5], [6])]
    path = build_model(tmp_path / "m.tflite", tensors, ops, [0], [2, 4, 6])
    for i, fill in enumerate([127, -128, None]):
        x = (np.full((1, 40, 30, 4), fill, np.int8) if fill is not None else
             np.random.default_rng(9).integers(-128, 128, (1, 40, 30, 4), dtype=np.int8))
        assert_bit_exact(path, [x], tmp_path / f"run{i}")


def test_mean_multiplier_folding():
    """QuantizedMeanOrSum folds 1/count into the multiplier with truncating division."""
    assert mean_multiplier(1.0, 1.0, 1) == (1 << 30, 1)
    mult, shift = mean_multiplier(1.0, 1.0, 3)  # 2^30 << 1 // 3, shift 1 - 1
    assert (mult, shift) == ((1 << 31) // 3, 0)
    assert mean_multiplier(2.0 ** -40, 1.0, 5) == (0, -2)  # multiplier underflows to 0


def test_reduce_lowering(tmp_path):
    tensors = [T((2, 3, 4), quant=(0.1, 0)), T((2,), "int32", data=np.array([0, -1], np.int32)),
               T((3,), quant=(0.2, 1))]
    path = build_model(tmp_path / "m.tflite", tensors, [O("MEAN", [0, 1], [2])], [0], [2])
    call = lower_op(path, "MEAN")[0]
    assert call.function == "tp_reduce_mean_s8"
    assert call.params["count"] == 8
    assert call.params["red_shape"].values.tolist() == [1, 1, 2, 4]
    assert call.params["red_strides"].values.tolist() == [0, 0, 12, 1]
    assert call.params["out_shape"].values.tolist() == [1, 1, 1, 3]

    def bad_axis(op, graph):
        graph.tensors[op.inputs[1]].data = np.array([0, 3], np.int32)
    with pytest.raises(CompileError, match=r"layer 0 \(MEAN\): axes \[0, 3\] are out of range"):
        lower_op(path, "MEAN", bad_axis)

    tensors[2] = T((3,), quant=(0.1, 0))
    path = build_model(tmp_path / "max.tflite", tensors, [O("REDUCE_MAX", [0, 1], [2])], [0], [2])
    assert lower_op(path, "REDUCE_MAX")[0].function == "tp_reduce_max_s8"

    def requantizing(op, graph):
        graph.tensors[op.outputs[0]].quant.zero_point[:] = 4
    with pytest.raises(CompileError, match=r"layer 0 \(REDUCE_MAX\): input and output quant"):
        lower_op(path, "REDUCE_MAX", requantizing)
