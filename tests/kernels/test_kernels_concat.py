"""CONCATENATION kernels (tp_concat_s8, tp_concat_lut_s8) bit-exact with TFLite.

TFLite's int8 concatenation requires every input to share the output's quantization
(the converter rescales the producers instead), so the converted models check the copy
path on every axis; the lookup-table path (requantization, fused clamp) is checked on
the C kernel directly, against TFLite's ConcatenationWithScaling formula.
"""
from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from codegen.errors import CompileError
from codegen.ir import Quant, Tensor
from codegen.ops.concat import requant_lut
from codegen.reader import read_model
from tests.support.harness import CFLAGS, KERNELS, assert_bit_exact
from tests.support.tiny_models import O, T, build_model, convert_fn
from tests.support.kernel_check import lower_op, tf


@pytest.mark.tf
@pytest.mark.parametrize("axis", [0, 1, 2, 3, -1, -3])
def test_concat_converted_branches(tmp_path, axis):
    """Four branches with different float ranges (the converter gives them the output's
    scale), one of them longer along the axis (PAD), concatenated along every axis."""
    def fn(x):
        pads = [[0, 0]] * 4
        pads[axis % 4] = [1, 2]
        return tf.concat([x * 3.0, x, x * 0.5 + 1.0, tf.pad(x, pads)], axis=axis)
    path = convert_fn(fn, [(2, 4, 5, 3)], tmp_path / "m.tflite", ranges=[(-1.0, 2.0)])
    graph = read_model(path)
    assert Counter(op.kind for op in graph.ops)["CONCATENATION"] == 1
    concat = next(op for op in graph.ops if op.kind == "CONCATENATION")
    assert concat.options["axis"] == axis and len(concat.inputs) == 4
    x = np.random.default_rng(5).integers(-128, 128, (2, 4, 5, 3), dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") >= 1


@pytest.mark.tf
def test_concat_rank2_many_inputs(tmp_path):
    """Seven inputs of a rank-2 tensor along the last axis, the raw input among them."""
    def fn(x):
        return tf.concat([x * float(k + 1) for k in range(6)] + [x], axis=-1)
    path = convert_fn(fn, [(3, 5)], tmp_path / "m.tflite")
    concat = next(op for op in read_model(path).ops if op.kind == "CONCATENATION")
    assert len(concat.inputs) == 7
    x = np.random.default_rng(8).integers(-128, 128, (3, 5), dtype=np.int8)
    assert assert_bit_exact(path, [x], tmp_path / "run") >= 1


@pytest.mark.tf
@pytest.mark.parametrize("rank", [1, 2, 3, 4])
def test_concat_hand_built_inputs(tmp_path, rank):
    """Two to five graph inputs of random sizes along axis 0 (no options: axis 0)."""
    rng = np.random.default_rng(500 + rank)
    rest = tuple(int(d) for d in rng.integers(1, 5, rank - 1))
    n = int(rng.integers(2, 6))
    sizes = [int(s) for s in rng.integers(1, 4, n)]
    tensors = [T((s,) + rest, quant=(0.07, -9)) for s in sizes]
    tensors.append(T((sum(sizes),) + rest, quant=(0.07, -9)))
    path = build_model(tmp_path / "m.tflite", tensors, [O("CONCATENATION", list(range(n)), [n])],
                       list(range(n)), [n])
    xs = [rng.integers(-128, 128, (s,) + rest, dtype=np.int8) for s in sizes]
    assert assert_bit_exact(path, xs, tmp_path / "run") == 1


def _run_lut_kernel(tmp_path: Path, luts: list[np.ndarray], inputs: list[np.ndarray],
                    axis: int, out_shape: tuple[int, ...]) -> np.ndarray:
    """Compiles a driver calling tp_concat_lut_s8 once per input, returns the output."""
    outer = int(np.prod(out_shape[:axis]))
    inner = int(np.prod(out_shape[axis + 1:]))
    lines = ['#include <stdio.h>', '#include "tp_concat.h"', 'int main(void) {',
             f'    static int8_t out[{int(np.prod(out_shape))}];']
    offset = 0
    for i, (lut, x) in enumerate(zip(luts, inputs)):
        lut_body = ", ".join(map(str, lut.tolist()))
        in_body = ", ".join(map(str, x.reshape(-1).tolist()))
        lines.append(f'    static const int8_t lut{i}[256] = {{{lut_body}}};')
        lines.append(f'    static const int8_t in{i}[] = {{{in_body}}};')
        lines.append(f'    const tp_concat_params p{i} = {{{outer}, {x.shape[axis] * inner}, '
                     f'{out_shape[axis] * inner}, {offset}, lut{i}}};')
        lines.append(f'    tp_concat_lut_s8(&p{i}, in{i}, out);')
        offset += x.shape[axis] * inner
    lines += ['    fwrite(out, 1, sizeof out, stdout);', '    return 0;', '}']
    src = tmp_path / "drv.c"
    src.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "drv"
    subprocess.run(["gcc", *CFLAGS, "-Werror", "-I", str(KERNELS), str(src),
                    str(KERNELS / "tp_concat.c"), "-o", str(exe)], check=True)
    raw = subprocess.run([str(exe)], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.int8).reshape(out_shape)


def _tensor(shape: tuple[int, ...], scale: float, zp: int) -> Tensor:
    return Tensor(0, "t", shape, "int8", Quant(np.array([scale], np.float32), np.array([zp])))


def test_lut_kernel_requantizes_like_concatenation_with_scaling(tmp_path):
    """Each value through round(x * scale + bias) + out_zp with TFLite's float32 steps:
    scale = in_scale * (1 / out_scale), bias = -in_zp * scale; then the clamp."""
    rng = np.random.default_rng(6)
    out = _tensor((2, 7, 3), 0.05, 4)
    quants = [(0.05, 4), (0.11, -20), (0.013, 100)]
    xs = [rng.integers(-128, 128, (2, k, 3), dtype=np.int8) for k in (2, 4, 1)]
    luts = [requant_lut(_tensor(x.shape, s, z), out, -128, 127) for x, (s, z) in zip(xs, quants)]
    got = _run_lut_kernel(tmp_path, luts, xs, 1, (2, 7, 3))

    expected = []
    inv = np.float32(1.0) / np.float32(0.05)
    for x, (s, z) in zip(xs, quants):
        scale = np.float32(s) * inv
        bias = np.float32(-z) * scale
        v = [np.float32(np.float32(int(q)) * scale) + bias for q in x.reshape(-1)]
        r = [int(np.sign(f) * np.floor(abs(np.float64(f)) + 0.5)) + 4 for f in v]
        expected.append(np.clip(r, -128, 127).astype(np.int8).reshape(x.shape))
    np.testing.assert_array_equal(got, np.concatenate(expected, axis=1))
    assert np.array_equal(luts[0], np.arange(-128, 128))  # same quantization: identity


def test_lut_kernel_fused_relu(tmp_path):
    """A RELU fused into the concat (same quantization) is a clamp at the zero point."""
    t = _tensor((3, 2), 0.1, -5)
    lut = requant_lut(t, t, -5, 127)
    x = np.arange(-128, 128, dtype=np.int8).reshape(128, 2)
    got = _run_lut_kernel(tmp_path, [lut], [x], 0, (128, 2))
    np.testing.assert_array_equal(got, np.maximum(x, -5))


def test_concat_lowering(tmp_path):
    tensors = [T((2, 3), quant=(0.1, 1)), T((2, 5), quant=(0.1, 1)), T((2, 8), quant=(0.1, 1))]
    path = build_model(tmp_path / "m.tflite", tensors, [O("CONCATENATION", [0, 1], [2])],
                       [0, 1], [2])

    def axis1(op, graph):
        op.options["axis"] = -1
    calls = lower_op(path, "CONCATENATION", axis1)
    assert [c.function for c in calls] == ["tp_concat_s8", "tp_concat_s8"]
    assert [c.params["out_offset"] for c in calls] == [0, 3]
    assert all(c.params["outer"] == 2 and c.params["out_slice"] == 8 for c in calls)

    def relu_and_requant(op, graph):
        axis1(op, graph)
        op.options["fused_activation_function"] = "RELU"
        graph.tensors[op.inputs[1]].quant = Quant(np.array([0.2], np.float32), np.array([1]))
    calls = lower_op(path, "CONCATENATION", relu_and_requant)
    assert [c.function for c in calls] == ["tp_concat_lut_s8", "tp_concat_lut_s8"]

    def bad_axis(op, graph):
        op.options["axis"] = 2
    with pytest.raises(CompileError, match=r"layer 0 \(CONCATENATION\): axis 2 is out of range"):
        lower_op(path, "CONCATENATION", bad_axis)
