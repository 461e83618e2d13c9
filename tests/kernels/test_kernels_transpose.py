"""TRANSPOSE kernel (tp_transpose_s8) bit-exact with TFLite, every permutation of ranks 1-4."""
from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from codegen.errors import CompileError
from codegen.ops.transpose import merge_dims
from codegen.reader import read_model
from tests.support.harness import assert_bit_exact
from tests.support.tiny_models import O, T, build_model, convert_fn
from tests.support.kernel_check import lower_op, tf


@pytest.mark.tf
def test_transpose_converted(tmp_path):
    """NHWC <-> NCHW style permutations of a batch-2 tensor, one with negative entries."""
    def fn(x):
        return (tf.transpose(x, [0, 3, 1, 2]), tf.transpose(x, [2, 0, 3, 1]),
                tf.transpose(x, [-1, 0, -2, 1]), tf.transpose(x, [0, 2, 1, 3]))
    path = convert_fn(fn, [(2, 4, 5, 3)], tmp_path / "m.tflite")
    assert Counter(op.kind for op in read_model(path).ops)["TRANSPOSE"] == 4
    x = np.random.default_rng(1).integers(-128, 128, (2, 4, 5, 3), dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") == 4


@pytest.mark.tf
@pytest.mark.parametrize("rank", [1, 2, 3, 4])
def test_every_permutation_hand_built(tmp_path, rank):
    """All rank! permutations (some written with negative indices, as TFLite allows), on a
    shape with size-1 dims so that dim merging is exercised."""
    rng = np.random.default_rng(300 + rank)
    shape = (3, 1, 4, 2)[:rank] if rank < 4 else (2, 1, 3, 4)
    tensors, ops, outputs = [T(shape, quant=(0.1, 2))], [], []
    for perm in itertools.permutations(range(rank)):
        written = [p - rank if rng.random() < 0.3 else p for p in perm]
        tensors.append(T((rank,), "int32", data=np.array(written, np.int32)))
        tensors.append(T(tuple(shape[p] for p in perm), quant=(0.1, 2)))
        ops.append(O("TRANSPOSE", [0, len(tensors) - 2], [len(tensors) - 1]))
        outputs.append(len(tensors) - 1)
    path = build_model(tmp_path / "m.tflite", tensors, ops, [0], outputs)
    x = rng.integers(-128, 128, shape, dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") == len(ops)


def test_merge_dims():
    """(size, stride) walks: size-1 dims dropped, contiguous neighbours merged."""
    assert merge_dims([(1, 60), (4, 15), (5, 3), (3, 1)]) == [(60, 1)]
    assert merge_dims([(3, 1), (4, 15), (5, 3)]) == [(3, 1), (20, 3)]
    assert merge_dims([(2, 1), (1, 7), (3, 2)]) == [(2, 1), (3, 2)]


def test_transpose_lowering(tmp_path):
    tensors = [T((2, 3, 4), quant=(0.1, 0)), T((3,), "int32", data=np.array([1, 0, 2], np.int32)),
               T((3, 2, 4), quant=(0.1, 0))]
    path = build_model(tmp_path / "m.tflite", tensors, [O("TRANSPOSE", [0, 1], [2])], [0], [2])
    call = lower_op(path, "TRANSPOSE")[0]
    assert call.params["out_shape"].values.tolist() == [1, 3, 2, 4]
    assert call.params["in_strides"].values.tolist() == [0, 4, 12, 1]

    def not_a_permutation(op, graph):
        graph.tensors[op.inputs[1]].data = np.array([1, 1, 2], np.int32)
    with pytest.raises(CompileError, match=r"layer 0 \(TRANSPOSE\): permutation \[1, 1, 2\]"):
        lower_op(path, "TRANSPOSE", not_a_permutation)
