"""FULLY_CONNECTED kernels (tp_fully_connected_s8[_dsp][_int]) bit-exact with TFLite, per layer.

TFLite 2.21 requantises FULLY_CONNECTED in binary64 (round(acc * double scale)), unlike
conv; test_fully_connected_rounding pins that down with crafted scales. Every model runs
on the host through both requantisation forms: binary64 (HOST, HOST_DSP: the host has a
double FPU) and integer (HOST_INT, HOST_DSP_INT, as for a Cortex-M4), and
test_fc_round_int_matches_binary64 compares the two forms on ~10^8 (acc, scale) pairs.
"""
from __future__ import annotations

import math
import re
import struct
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from codegen.errors import CompileError
from codegen.lowering import Target
from codegen.ops import LOWERINGS
from codegen.ops.fully_connected import INT_SHIFT_LIMIT, int_scale
from codegen.reader import read_model
from tests.support.harness import CFLAGS, HOST, HOST_DSP, KERNELS, ROOT, assert_bit_exact
from tests.support.kernel_check import (ACTS, check_model, convert, keras, lower_op, patch_scales,
                                     small_input)

# a host without a double-precision FPU, as far as the code generator knows
HOST_INT = Target(cpu="host", dsp=False, fpu=True, fpu_double=False)
HOST_DSP_INT = Target(cpu="host", dsp=True, fpu=True, fpu_double=False)


def check_fc_model(model: keras.Model, tmp_path: Path, expect: dict[str, int], *, seed: int = 0,
                   test_input: Callable[[np.random.Generator, tuple], np.ndarray] | None = None,
                   **convert_kw) -> Path:
    """check_model (binary64, portable and DSP), then the same input (drawn as check_model
    draws it) through the integer requantisation, portable and DSP."""
    path = check_model(model, tmp_path, expect, seed=seed, test_input=test_input, **convert_kw)
    rng = np.random.default_rng(seed + 1000)
    shape = tuple(d or 1 for d in model.inputs[0].shape)
    x = (test_input(rng, shape) if test_input
         else rng.integers(-128, 128, size=shape, dtype=np.int8))
    check_int_paths(path, [x], tmp_path)
    return path


def check_int_paths(path: Path, inputs: list[np.ndarray], tmp_path: Path) -> None:
    """Bit-exact through tp_fully_connected_s8_int and tp_fully_connected_s8_dsp_int."""
    for target, name, fn in ((HOST_INT, "run_int", "tp_fully_connected_s8_int"),
                             (HOST_DSP_INT, "run_dsp_int", "tp_fully_connected_s8_dsp_int")):
        assert assert_bit_exact(path, inputs, tmp_path / name, target=target) >= 1
        model_c = (tmp_path / name / "gen" / "model.c").read_text()
        assert re.search(rf"\b{fn}\(&", model_c) and "scale_bits" not in model_c, name


def dense_stack(rng: np.random.Generator, x, n: int):
    """n chained Dense layers of random width / activation; one without bias."""
    outs = []
    for i in range(n):
        x = keras.layers.Dense(int(rng.integers(1, 70)), activation=rng.choice(ACTS),
                               use_bias=i != 1,
                               bias_initializer=keras.initializers.RandomUniform(-0.5, 0.5))(x)
        outs.append(x)
    return outs


@pytest.mark.tf
@pytest.mark.parametrize("per_channel", [True, False])
def test_fully_connected_random_stack(tmp_path, per_channel):
    """Per-channel (the 2.21 converter default for Dense) and per-tensor weights."""
    rng = np.random.default_rng(21 + per_channel)
    x = keras.Input((37,), batch_size=1)
    outs = dense_stack(rng, x, 5)
    path = check_fc_model(keras.Model(x, outs), tmp_path, {"FULLY_CONNECTED": 5},
                       seed=21 + per_channel, per_channel=per_channel)
    graph = read_model(path)
    fcs = [op for op in graph.ops if op.kind == "FULLY_CONNECTED"]
    assert all(graph.tensors[op.inputs[1]].quant.per_channel == per_channel for op in fcs)
    assert any(len(op.inputs) < 3 or op.inputs[2] < 0 for op in fcs), "no bias-less FC left"


@pytest.mark.tf
def test_fully_connected_autoencoder_layers(tmp_path):
    """fc_autoencoder-like: 640 -> 128 -> 8 -> 128 -> 640, per-tensor, input zero point -128."""
    x = keras.Input((640,), batch_size=1)
    y = keras.layers.Dense(128, activation="relu")(x)
    y = keras.layers.Dense(8, activation="relu")(y)
    y = keras.layers.Dense(128, activation="relu")(y)
    y = keras.layers.Dense(640)(y)
    check_fc_model(keras.Model(x, y), tmp_path, {"FULLY_CONNECTED": 4}, seed=23,
                rep_range=(0.0, 1.0), per_channel=False)


@pytest.mark.tf
def test_fully_connected_rank3_keep_num_dims_and_flatten(tmp_path):
    """Dense on a 1 x 5 x 24 input (5 rows, keep_num_dims) and on its flattened form."""
    x = keras.Input((5, 24), batch_size=1)
    a = keras.layers.Dense(9, activation="relu6")(x)
    b = keras.layers.Dense(7)(keras.layers.Flatten()(x))
    path = check_fc_model(keras.Model(x, [a, b]), tmp_path, {"FULLY_CONNECTED": 2}, seed=24,
                       rep_range=(-2.0, -0.1))
    assert any(op.options.get("keep_num_dims") for op in read_model(path).ops)


@pytest.mark.tf
def test_fully_connected_multiplier_above_one(tmp_path):
    """Nearly cancelling weights on equal calibration features give an output range much
    smaller than input_scale * weight_scale: a requantisation multiplier > 1 (shift > 0)."""
    x = keras.Input((64, 2), batch_size=1)
    dense = keras.layers.Dense(1, use_bias=False)
    y = dense(x)
    dense.set_weights([np.array([[1.0], [-0.995]], np.float32)])

    def equal_features(rng, shape):
        return np.repeat(rng.uniform(-1, 1, size=shape[:-1] + (1,)), 2, axis=-1)

    def close_features(rng, shape):  # 64 rows whose two features differ by a few steps
        a = rng.integers(-120, 120, size=shape[:-1] + (1,))
        return np.concatenate([a, a + rng.integers(-4, 5, size=a.shape)], -1).astype(np.int8)
    path = check_fc_model(keras.Model(x, y), tmp_path, {"FULLY_CONNECTED": 1}, seed=25,
                       representative=equal_features, test_input=close_features,
                       per_channel=False)
    calls = lower_op(path, "FULLY_CONNECTED")
    assert calls[0].params["scale_bits"].values.view(np.float64)[0] > 1.0


@pytest.mark.tf
def test_fully_connected_lowering_errors(tmp_path):
    x = keras.Input((6,), batch_size=1)
    path = convert(keras.Model(x, keras.layers.Dense(3)(x)), tmp_path / "m.tflite")

    def shuffled(op, graph):
        op.options["weights_format"] = 1
    with pytest.raises(CompileError, match=r"layer 0 \(FULLY_CONNECTED\): shuffled weights"):
        lower_op(path, "FULLY_CONNECTED", shuffled)

    def float_weights(op, graph):
        graph.tensors[op.inputs[1]].dtype = "float32"
    with pytest.raises(CompileError, match="int8 weights"):
        lower_op(path, "FULLY_CONNECTED", float_weights)


@pytest.mark.tf
@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("scales", [
    # acc * scale = acc / 16 exactly: accumulators = 8 mod 16 are ties, rounded away from
    # zero (Q31 single rounding rounds negative ties up, gemmlowp double rounding errs too)
    (2**-7, 2**-7, 2**-10),
    # scale within 1e-9 of 1/16 but below it in binary64 and exactly 1/16 when the
    # product is taken in float32 (or the scale stored as float): ties round toward zero
    (0.005797918, 0.011003697, 0.0010207766),
    (0.010254534, 0.008233834, 0.0013509461),
])
def test_fully_connected_rounding(tmp_path, scales, per_channel):
    """(input, weight, output) scales patched into the model."""
    x = keras.Input((64, 4), batch_size=1)
    y = keras.layers.Dense(16, bias_initializer=keras.initializers.RandomUniform(-0.01, 0.01))(x)
    path = convert(keras.Model(x, y), tmp_path / "m.tflite", per_channel=per_channel)
    op = read_model(path).ops[0]
    s_in, s_w, s_out = (float(np.float32(s)) for s in scales)
    patch_scales(path, {op.inputs[0]: s_in, op.inputs[1]: s_w, op.outputs[0]: s_out,
                        op.inputs[2]: float(np.float32(s_in * s_w))})
    graph = read_model(path)
    x = small_input(np.random.default_rng(26), (1, 64, 4))
    w = graph.tensors[op.inputs[1]].data.astype(np.int64)
    acc = ((x[0].astype(np.int64) - graph.tensors[op.inputs[0]].zero_point) @ w.T
           + graph.tensors[op.inputs[2]].data)
    assert np.count_nonzero(acc % 16 == 8) > 20  # enough (near-)ties to tell roundings apart
    assert assert_bit_exact(path, [x], tmp_path / "run") == 1
    assert assert_bit_exact(path, [x], tmp_path / "run_dsp", target=HOST_DSP) == 1
    check_int_paths(path, [x], tmp_path)


def _lower_fc(path: Path, target: Target, mutate: Callable | None = None):
    graph = read_model(path)
    op = next(o for o in graph.ops if o.kind == "FULLY_CONNECTED")
    if mutate:
        mutate(op, graph)
    return LOWERINGS["FULLY_CONNECTED"](op, graph, target)


@pytest.mark.tf
def test_requantisation_form_chosen_per_target(tmp_path):
    """Binary64 where the target has a double FPU (the Cortex-M7 FPv5-D16 boards, the
    host), integers elsewhere (single-precision FPUs, no FPU); same scales either way.
    A negative scale (malformed quantisation) keeps the binary64 reference multiply."""
    from boards import list_boards, load_board, toolchain
    fpu_double = {"mps2-an500": True, "stm32h743": True, "host": True, "mps2-an386": False,
                  "stm32f746": False, "mps2-an505": False, "mps2-an385": False,
                  "stm32g071": False}
    for name, expected in fpu_double.items():
        assert load_board(name).fpu_double == expected, name
        assert Target.for_board(load_board(name)).fpu_double == expected, name
    for name in list_boards():  # the compiler agrees: __ARM_FP bit 3 is double precision
        board = load_board(name)
        if board.toolchain == "host":
            continue
        macros = subprocess.run([toolchain.compiler(board), *board.arch_flags, "-dM", "-E", "-x",
                                 "c", "/dev/null"], capture_output=True, text=True,
                                check=True).stdout
        fp = re.search(r"#define __ARM_FP (\w+)", macros)
        assert bool(fp and int(fp.group(1), 0) & 8) == board.fpu_double, name
    x = keras.Input((40,), batch_size=1)
    path = convert(keras.Model(x, keras.layers.Dense(6)(x)), tmp_path / "m.tflite")
    targets = [HOST, HOST_DSP, HOST_INT, HOST_DSP_INT, Target("cortex-m7", True, True, True),
               Target("cortex-m4", True, True, False), Target("cortex-m0plus", False, False, False)]
    calls = [_lower_fc(path, target)[0] for target in targets]
    assert [c.function for c in calls] == [
        "tp_fully_connected_s8", "tp_fully_connected_s8_dsp", "tp_fully_connected_s8_int",
        "tp_fully_connected_s8_dsp_int", "tp_fully_connected_s8_dsp",
        "tp_fully_connected_s8_dsp_int", "tp_fully_connected_s8_int"]
    scales = calls[0].params["scale_bits"].values.view(np.float64)
    words = calls[2].params["scale_int"].values.view(np.uint32).reshape(-1, 3)
    assert "scale_bits" not in calls[2].params
    assert "scale_int" not in calls[0].params
    assert len(scales) == len(words) == 6  # per channel
    for s, (m_lo, m_hi, shift) in zip(scales, words):
        assert (int(m_hi) << 32 | int(m_lo)) * Fraction(2)**-(int(np.int32(shift)) + 65) == \
            Fraction(float(s))

    def negative_output_scale(op, graph):
        graph.tensors[op.outputs[0]].quant.scale = -graph.tensors[op.outputs[0]].quant.scale
    call = _lower_fc(path, HOST_INT, negative_output_scale)[0]
    assert call.function == "tp_fully_connected_s8" and "scale_bits" in call.params


def test_int_scale_encoding():
    """scale = m 2^-(shift + 65) exactly, 2^62 <= m < 2^63 with the significand's 10 spare
    bits zero; shifts beyond +-INT_SHIFT_LIMIT clamp (results all 0 / all saturated)."""
    for s in [1.0, 0.5, 2**-12, 0.0029296875, 1 / 3, math.nextafter(1.0, 0.0), 2**-34,
              2**-35, 2**30, 2**31, 5e-324, 2.2250738585072014e-308, 1e-300, 1e300]:
        m_lo, m_hi, shift = int_scale(s)
        m = m_hi << 32 | m_lo
        assert 2**62 <= m < 2**63 and m % 1024 == 0 and 0 <= m_lo < 2**32
        frac, exp = math.frexp(s)
        exact = 63 - exp - 65
        assert shift == max(-INT_SHIFT_LIMIT, min(INT_SHIFT_LIMIT, exact))
        assert m * Fraction(2)**-(exact + 65) == Fraction(s)
    assert [int_scale(2.0**e)[2] for e in (-34, -35, -36, 28, 29, 30)] == [31, 32, 32, -31, -32,
                                                                          -32]
    assert int_scale(0.0) == (0, 0, INT_SHIFT_LIMIT)


def test_fc_round_int_matches_binary64(tmp_path):
    """tests/support/fc_round_check.c: tp_fc_round_int == tp_fc_round_away(acc * s) on
    ~10^8 pairs: the scales codegen encodes here (TFLite-style float32 products, powers of
    two, extremes; the C encoder must agree) and the checker's own random and constructed
    ones, with exact ties, ties made by the binary64 rounding, ties in both roundings."""
    rng = np.random.default_rng(2024)
    f32 = lambda lo, hi, n: np.float32(2.0) ** rng.uniform(lo, hi, n).astype(np.float32)
    tflite_like = (f32(-12, 2, 3000).astype(np.float64) * f32(-12, 0, 3000)
                   / f32(-10, 4, 3000))
    edge = [0.0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e300, 1.7976931348623157e308,
            *(2.0**e for e in range(-40, 32)), *(math.nextafter(2.0**e, 0.0) for e in
                                                 range(-40, 32))]
    lines = []
    for s in [*map(float, tflite_like), *edge]:
        m_lo, m_hi, shift = int_scale(s)
        lines.append(f"{struct.unpack('<Q', struct.pack('<d', s))[0]:x} {m_lo} {m_hi} {shift}")
    exe = tmp_path / "fc_round_check"
    subprocess.run(["gcc", *CFLAGS, "-I", str(KERNELS),
                    str(ROOT / "tests/support/fc_round_check.c"), "-lm", "-o", str(exe)],
                   check=True)
    out = subprocess.run([str(exe)], input="\n".join(lines) + "\n", capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout
    m = re.fullmatch(r"ok (\d+) exact_ties (\d+) rounded_ties (\d+) double_ties (\d+)",
                     out.stdout.strip())
    assert m, out.stdout
    cases, exact_ties, rounded_ties, double_ties = map(int, m.groups())
    assert cases > 50_000_000
    assert min(exact_ties, rounded_ties, double_ties) > 100_000, out.stdout
