"""PAD / PADV2 kernel (tp_pad_s8) bit-exact with TFLite, ranks 1 to 4."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from codegen.errors import CompileError
from codegen.reader import read_model
from tests.support.harness import assert_bit_exact
from tests.support.tiny_models import O, T, build_model, convert_fn
from tests.support.kernel_check import lower_op, tf


def census(path: Path) -> Counter:
    return Counter(op.kind for op in read_model(path).ops)


@pytest.mark.tf
@pytest.mark.parametrize("shape", [(1, 5, 6, 3), (4, 7, 2), (9, 5)])
def test_pad_converted(tmp_path, shape):
    """tf.pad with zeros (PAD, output zero point) and a constant (PADV2), random paddings."""
    rng = np.random.default_rng(len(shape))
    pads = [[int(rng.integers(0, 3)), int(rng.integers(0, 4))] for _ in shape]
    pads2 = [[int(rng.integers(0, 3)), int(rng.integers(0, 3))] for _ in shape]

    def fn(x):
        return tf.pad(x, pads), tf.pad(x, pads2, constant_values=0.3)
    path = convert_fn(fn, [shape], tmp_path / "m.tflite", ranges=[(-0.2, 1.0)])
    kinds = census(path)
    assert kinds["PAD"] == 1 and kinds["PADV2"] == 1, kinds
    x = rng.integers(-128, 128, shape, dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") == 2


@pytest.mark.tf
@pytest.mark.parametrize("rank", [1, 2, 3, 4])
def test_pad_hand_built(tmp_path, rank):
    """Random paddings (often zero, up to 4), PADV2 values, and an output zero point that
    differs from the input's (TFLite copies the bytes and pads with the output's)."""
    rng = np.random.default_rng(200 + rank)
    shape = tuple(int(d) for d in rng.integers(1, 6, rank))
    tensors, ops, outputs = [T(shape, quant=(0.05, -3))], [], []
    for k in range(6):
        pads = rng.integers(0, 5, (rank, 2)) * (rng.random((rank, 2)) < 0.7)
        out_shape = tuple(int(d + a + b) for d, (a, b) in zip(shape, pads))
        out_q = (0.05, -3) if k % 3 else (0.05, int(rng.integers(-128, 128)))
        tensors.append(T((rank, 2), "int32", data=pads.astype(np.int32)))
        ins = [0, len(tensors) - 1]
        if k >= 4:
            tensors.append(T((), quant=out_q, data=np.array(rng.integers(-128, 128), np.int8)))
            ins.append(len(tensors) - 1)
        tensors.append(T(out_shape, quant=out_q))
        ops.append(O("PADV2" if len(ins) == 3 else "PAD", ins, [len(tensors) - 1]))
        outputs.append(len(tensors) - 1)
    path = build_model(tmp_path / "m.tflite", tensors, ops, [0], outputs)
    x = rng.integers(-128, 128, shape, dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") == len(ops)


def test_pad_lowering(tmp_path):
    paddings = np.array([[1, 0], [2, 3]], np.int32)
    tensors = [T((3, 4), quant=(0.1, 7)), T((2, 2), "int32", data=paddings),
               T((4, 9), quant=(0.1, 7))]
    path = build_model(tmp_path / "m.tflite", tensors, [O("PAD", [0, 1], [2])], [0], [2])
    call = lower_op(path, "PAD")[0]
    assert call.function == "tp_pad_s8" and call.params["pad_value"] == 7
    assert call.params["in_shape"].values.tolist() == [1, 1, 3, 4]
    assert call.params["out_shape"].values.tolist() == [1, 1, 4, 9]
    assert call.params["pad_before"].values.tolist() == [0, 0, 1, 2]

    def int64_paddings(op, graph):  # the converter writes int32; TFLite also accepts int64
        graph.tensors[op.inputs[1]].data = np.array([[1, 0], [2, 3]], np.int64)
        graph.tensors[op.inputs[1]].dtype = "int64"
    call = lower_op(path, "PAD", int64_paddings)[0]
    assert call.params["pad_before"].values.tolist() == [0, 0, 1, 2]

    def negative(op, graph):
        graph.tensors[op.inputs[1]].data = np.array([[1, 0], [-2, 3]], np.int32)
    with pytest.raises(CompileError, match=r"layer 0 \(PAD\): paddings .* non-negative"):
        lower_op(path, "PAD", negative)

    def runtime_paddings(op, graph):
        graph.tensors[op.inputs[1]].data = None
    with pytest.raises(CompileError, match=r"layer 0 \(PAD\): the paddings .* constant"):
        lower_op(path, "PAD", runtime_paddings)
