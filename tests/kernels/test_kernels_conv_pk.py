"""Packed-filter DSP convolutions (kernels_c/tp_conv_pk_dsp.c): the compile-time packing
and selection, the SMMLAR requantisation, and every window shape, depth and clamp of the
kernels bit-exact against TFLite on the host (portable intrinsics).

tp_conv_pk_s8_dsp_k<k4> takes windows of k = k_h * k_w * in_c <= 64 values, and
tp_conv_1x1_s8_dsp_rs reads the packed layout for pointwise depths in_c % 4 == 0, <= 32.
Each model checks, from the lowered calls, that the kernels and requantisation variants
it is meant to cover really are selected, so coverage cannot silently vanish.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from codegen.lowering import ConstArray, ScratchArg
from codegen.ops import LOWERINGS
from codegen.ops import conv as conv_op
from codegen.ops.conv import pack_filter, pk_slots
from codegen.ops.dsp import conv_1x1_pk, conv_1x1_scratch, conv_pk_ok, conv_pk_scratch
from codegen.reader import read_model
from tests.support.harness import CFLAGS, HOST_DSP, KERNELS, ROOT, assert_bit_exact
from tests.support.tiny_models import convert_fn
from tests.support.kernel_check import check_model, keras, patch_scales


def _calls(path: Path) -> list:
    graph = read_model(path)
    return [c for op in graph.ops if op.kind == "CONV_2D"
            for c in LOWERINGS[op.kind](op, graph, HOST_DSP)]


def _packed(call) -> bool:
    return call.params["bias"] == 0 and isinstance(call.params["filter"], ConstArray)


def _variants(calls: list) -> set[str]:
    """Requantisation variants of the packed calls: sign step or not, full or narrow clamp."""
    out = set()
    for c in calls:
        if _packed(c):
            p = c.params
            out.add(("corr" if p["act_min"] < p["output_zp"] else "relu")
                    + ("-full" if (p["act_min"], p["act_max"]) == (-128, 127) else "-narrow"))
    return out


def test_pk_requantisation_and_intrinsics(tmp_path):
    """tp_conv_pk_out == clamp(tp_requantize + zp) for shifts 1..30, every zero point,
    multipliers 0, 2^30, INT32_MAX and random, rounding ties of the high half, with the
    sign step and (for lo >= zp) without; portable SMMLAR / PKHBT == ARM; and the C
    scratch macro == the compiler's conv_pk_scratch."""
    exe = tmp_path / "conv_pk_check"
    subprocess.run(["gcc", *CFLAGS, "-I", str(KERNELS), str(ROOT / "tests/support/conv_pk_check.c"),
                    "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True)
    words = out.stdout.split()
    assert out.returncode == 0 and words[0] == "ok" and int(words[1]) > 1_000_000, out.stdout
    assert words[2] == "scratch"
    assert [int(w) for w in words[3:]] == [conv_pk_scratch(k) for k in (9, 27, 40)]


def test_pk_slots_order():
    """The depth slot order of tp_conv_pk_dsp.h: the whole words of every filter row, then
    every row's remaining bytes, zero-padded to a multiple of 4."""
    # 3x3 x 3 (rows of 9 bytes): 8 per row, then byte 8 of each row, then one zero slot
    assert pk_slots(3, 3, 3).tolist() == ([*range(0, 8), *range(9, 17), *range(18, 26)]
                                          + [8, 17, 26, -1])
    assert pk_slots(10, 4, 1).tolist() == list(range(40))            # DS-CNN: rows of a word
    assert pk_slots(1, 1, 8).tolist() == list(range(8))              # 1x1: channel order
    assert pk_slots(3, 3, 1).tolist() == list(range(9)) + [-1] * 3   # rows of 3: all rest
    assert pk_slots(2, 3, 2).tolist() == [0, 1, 2, 3, 6, 7, 8, 9, 4, 5, 10, 11]


def test_pk_pack_filter_layout():
    """One channel pair of the packed stream, word by word, and the padding channel of an
    odd out_c: biases doubled, int16 weights doubled in SXTB16 order, m, C, e."""
    w = np.arange(1, 3 * 5 + 1, dtype=np.int64).reshape(3, 5) * np.array([[1], [-1], [2]])
    folded = np.array([10, -20, 30])
    mult = np.array([1 << 30, (1 << 31) - 1, 1234567890])
    shift = np.array([-1, -7, -3])
    slots = pk_slots(1, 1, 5)                                        # 5 -> 8 slots
    words = pack_filter(w, folded, mult, shift, -5, slots).view("<i4").astype(np.int64)
    assert words.size == 2 * (8 + 8)                                 # two pairs of k4 = 8

    def word(lo, hi):
        v = (lo & 0xFFFF) | ((hi & 0xFFFF) << 16)
        return v - (1 << 32) if v >= 1 << 31 else v

    c = [2 ** (-s - 1) - 5 * 2 ** -s for s in shift]
    x = 2 * w
    first = [20, -40,
             word(x[0, 0], x[0, 2]), word(x[0, 1], x[0, 3]), word(x[1, 0], x[1, 2]),
             word(x[1, 1], x[1, 3]),
             word(x[0, 4], 0), word(0, 0), word(x[1, 4], 0), word(0, 0),
             mult[0], mult[1], c[0], c[1], 1, 7]
    assert words[:16].tolist() == first
    assert words[16:].tolist() == [60, 0,
                                   word(x[2, 0], x[2, 2]), word(x[2, 1], x[2, 3]), 0, 0,
                                   word(x[2, 4], 0), 0, 0, 0,
                                   mult[2], 0, c[2], 0, 3, 0]


def test_pk_ok_bounds():
    """conv_pk_ok: right shifts e = -shift up to where |C| = |2^(e-1) + zp * 2^e| stays
    below 2^30 (e <= 30), multipliers 0 or >= 2^30."""
    m = np.array([1 << 30, (1 << 31) - 1, 0])
    assert conv_pk_ok(m, np.array([-1, -22, -8]), -128)
    assert conv_pk_ok(m, np.array([-1, -22, -8]), 127)
    assert not conv_pk_ok(m, np.array([-1, -24, -8]), 127)       # 255 * 2^23 > 2^30
    assert conv_pk_ok(m, np.array([-1, -24, -8]), 60)
    assert conv_pk_ok(m, np.array([-1, -30, -8]), 0)
    assert not conv_pk_ok(m, np.array([-1, -31, -8]), 0)
    assert not conv_pk_ok(m, np.array([0, -1, -1]), 0)            # no right shift
    assert not conv_pk_ok(np.array([(1 << 30) - 1]), np.array([-5]), 0)


@pytest.mark.tf
def test_pk_rgb_windows(tmp_path):
    """in_c 3 (RGB): 3x3 stride 1 and 2, SAME and VALID (border pixels gathered with the
    input zero point), odd widths and channel counts, a 2x3 window (rows of 9 bytes, two
    rows), a dilated window (every pixel gathered), ReLU / ReLU6 / none; a 5x5 window
    (k 75) keeps the unpacked kernel."""
    x = keras.Input((13, 11, 3), batch_size=1)
    outs = [keras.layers.Conv2D(8, 3, padding="same", activation="relu")(x),
            keras.layers.Conv2D(5, 3, strides=2)(x),
            keras.layers.Conv2D(7, 3, strides=2, padding="same", activation="relu6")(x),
            keras.layers.Conv2D(3, (2, 3), strides=(1, 2), padding="same")(x),
            keras.layers.Conv2D(1, 3, dilation_rate=(1, 2), padding="same")(x),
            keras.layers.Conv2D(4, 5, padding="same")(x)]
    path = check_model(keras.Model(x, outs), tmp_path, {"CONV_2D": 6}, seed=51)
    calls = _calls(path)
    assert sorted(c.function for c in calls) == sorted(
        ["tp_conv_pk_s8_dsp_k28"] * 4 + ["tp_conv_pk_s8_dsp_k20", "tp_conv_s8_dsp_rs"])
    assert {"corr-full", "relu-full"} <= _variants(calls)
    for c in calls:
        if _packed(c):
            k = c.params["k_h"] * c.params["k_w"] * c.params["in_c"]
            assert c.scratch_bytes == conv_pk_scratch(k) and ScratchArg() in c.args
            assert c.params["mult"] == 0 and c.params["shift"] == 0


@pytest.mark.tf
def test_pk_mono_windows(tmp_path):
    """in_c 1 (audio, grey): DS-CNN's 10x4 stride 2 SAME with input zero point -128 (rows
    of one word), 5x5 (four rows and one row of one remaining byte), 3x5 (three rows),
    3x3 (rows of three bytes, all remaining), 4x4 stride 2 VALID."""
    x = keras.Input((21, 10, 1), batch_size=1)
    outs = [keras.layers.Conv2D(16, (10, 4), strides=2, padding="same", activation="relu")(x),
            keras.layers.Conv2D(6, 5, padding="same")(x),
            keras.layers.Conv2D(3, (3, 5), padding="same", activation="relu")(x),
            keras.layers.Conv2D(5, 3)(x),
            keras.layers.Conv2D(9, 4, strides=2, activation="relu6")(x)]
    path = check_model(keras.Model(x, outs), tmp_path, {"CONV_2D": 5}, seed=52,
                       rep_range=(0.0, 1.0))
    calls = _calls(path)
    assert sorted(c.function for c in calls) == sorted(
        ["tp_conv_pk_s8_dsp_k40", "tp_conv_pk_s8_dsp_k28", "tp_conv_pk_s8_dsp_k16",
         "tp_conv_pk_s8_dsp_k12", "tp_conv_pk_s8_dsp_k16"])
    assert {"corr-full", "relu-full"} <= _variants(calls)


@pytest.mark.tf
def test_pk_other_depths(tmp_path):
    """in_c 2, 4, 5 and 8 (after 1x1 projections): rows with 2 and 3 remaining bytes, a
    3x3 x 5 window (k 45 -> 48), rows of whole words (3x3 x 4, 2x1 x 8), a folded PAD
    before a 1x1 (not pointwise: the im2col kernel), stride 2 VALID with a self-paired
    last pixel."""
    x = keras.Input((9, 7, 3), batch_size=1)
    a = keras.layers.Conv2D(2, 1, activation="relu")(x)
    b = keras.layers.Conv2D(5, 1)(x)
    c = keras.layers.Conv2D(4, 1, activation="relu")(x)
    d = keras.layers.Conv2D(8, 1)(x)
    outs = [keras.layers.Conv2D(4, 3, padding="same")(a),
            keras.layers.Conv2D(7, 3, strides=2, activation="relu")(b),
            keras.layers.Conv2D(3, 1)(keras.layers.ZeroPadding2D(((1, 0), (0, 1)))(b)),
            keras.layers.Conv2D(6, (1, 3), strides=2, padding="same")(a),
            keras.layers.Conv2D(5, 3, padding="same", activation="relu")(c),
            keras.layers.Conv2D(3, (2, 1), strides=(2, 1))(d)]
    path = check_model(keras.Model(x, outs), tmp_path, {"CONV_2D": 10}, seed=53)
    functions = [c.function for c in _calls(path)]
    for fn in ("tp_conv_pk_s8_dsp_k20", "tp_conv_pk_s8_dsp_k48", "tp_conv_pk_s8_dsp_k8",
               "tp_conv_pk_s8_dsp_k36", "tp_conv_pk_s8_dsp_k16"):
        assert fn in functions, functions


@pytest.mark.tf
def test_pk_pointwise(tmp_path):
    """The packed 1x1 path of tp_conv_1x1_s8_dsp_rs: depths 4, 8, 16 (unrolled), 12, 24,
    32 (runtime depth), odd out_c, stride 2 (ResNet shortcuts), an odd pixel count (9x7),
    ReLU and linear outputs; in_c 6 keeps the unpacked layout."""
    x = keras.Input((9, 7, 3), batch_size=1)
    outs = []
    for depth in (4, 8, 12, 16, 24, 32):
        h = keras.layers.Conv2D(depth, 1, activation="relu")(x)
        outs.append(keras.layers.Conv2D(depth // 2 + 1, 1)(h))
        outs.append(keras.layers.Conv2D(depth + 2, 1, strides=2, activation="relu")(h))
    outs.append(keras.layers.Conv2D(5, 1)(keras.layers.Conv2D(6, 1)(x)))
    path = check_model(keras.Model(x, outs), tmp_path, {"CONV_2D": 20}, seed=54)
    calls = [c for c in _calls(path) if c.params["k_h"] == 1 and c.params["in_c"] > 3]
    assert all(c.function == "tp_conv_1x1_s8_dsp_rs" for c in calls)
    assert {c.params["in_c"] for c in calls if _packed(c)} == {4, 8, 12, 16, 24, 32}
    assert all(conv_1x1_pk(c.params["in_c"]) == _packed(c) for c in calls)
    assert all(c.scratch_bytes == conv_1x1_scratch(c.params["in_c"]) for c in calls)
    assert {"corr-full", "relu-full"} <= _variants(calls)


@pytest.mark.tf
def test_pk_one_pixel_wide(tmp_path):
    """Width 1 (a 1-D signal as H x 1): every pixel ends a row, for the 1x1 path's row
    step and the im2col pixel pairs; out_c 1."""
    x = keras.Input((11, 1, 8), batch_size=1)
    outs = [keras.layers.Conv2D(1, 1, activation="relu")(x),
            keras.layers.Conv2D(3, 1, strides=2)(x),
            keras.layers.Conv2D(2, (3, 1), padding="same")(x)]
    path = check_model(keras.Model(x, outs), tmp_path, {"CONV_2D": 3}, seed=55)
    assert all(_packed(c) for c in _calls(path))


@pytest.mark.tf
def test_pk_narrow_clamps(tmp_path):
    """Clamps narrower than [-128, 127], by patched output scales: ReLU6 (act_min = zero
    point: no sign step) and RELU_N1_TO_1 (act_min below it: with the sign step), through
    the im2col and the 1x1 packed kernels."""
    import tensorflow as tf

    rng = np.random.default_rng(56)
    w0 = tf.constant(rng.normal(0, 0.4, (3, 3, 3, 8)).astype(np.float32))
    w1 = tf.constant(rng.normal(0, 0.4, (1, 1, 8, 6)).astype(np.float32))
    w2 = tf.constant(rng.normal(0, 0.4, (3, 3, 3, 5)).astype(np.float32))
    w3 = tf.constant(rng.normal(0, 0.4, (1, 1, 8, 7)).astype(np.float32))

    def fn(x):
        a = tf.nn.relu6(tf.nn.conv2d(x, w0, 1, "SAME"))
        b = tf.nn.relu6(tf.nn.conv2d(a, w1, 1, "SAME"))
        c = tf.clip_by_value(tf.nn.conv2d(x, w2, 2, "VALID"), -1.0, 1.0)
        d = tf.clip_by_value(tf.nn.conv2d(a, w3, 1, "SAME"), -1.0, 1.0)
        return b, c, d

    path = convert_fn(fn, [(1, 10, 9, 3)], tmp_path / "m.tflite")
    graph = read_model(path)
    patch_scales(path, {op.outputs[0]: 0.05 for op in graph.ops if op.kind == "CONV_2D"})
    calls = _calls(path)
    assert len(calls) == 4 and all(_packed(c) for c in calls)
    assert _variants(calls) == {"relu-narrow", "corr-narrow"}
    xin = np.random.default_rng(57).integers(-128, 128, size=(1, 10, 9, 3), dtype=np.int8)
    assert assert_bit_exact(path, [xin], tmp_path / "run_dsp", target=HOST_DSP) == 4
    model_c = (tmp_path / "run_dsp" / "gen" / "model.c").read_text()
    assert re.search(r"tp_conv_pk_s8_dsp_k28\(&", model_c)
    assert re.search(r"tp_conv_1x1_s8_dsp_rs\(&", model_c)


@pytest.mark.tf
def test_pk_fallback_when_not_provable(tmp_path, monkeypatch):
    """Without conv_pk_ok the layers keep the unpacked kernels: k x k -> tp_conv_s8_dsp_rs,
    and a pointwise depth that tp_conv_1x1_s8_dsp_rs would read packed -> the general
    tp_conv_1x1_s8_dsp; still bit-exact."""
    monkeypatch.setattr(conv_op, "conv_pk_ok", lambda *args: False)
    x = keras.Input((7, 6, 3), batch_size=1)
    a = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    b = keras.layers.Conv2D(5, 1)(a)
    path = check_model(keras.Model(x, b), tmp_path, {"CONV_2D": 2}, seed=58)
    assert [c.function for c in _calls(path)] == ["tp_conv_s8_dsp_rs", "tp_conv_1x1_s8_dsp"]
    assert not any(_packed(c) for c in _calls(path))


@pytest.mark.parametrize("k_h,k_w,in_c", [(3, 3, 3), (10, 4, 1), (2, 3, 2), (5, 5, 1),
                                          (1, 1, 16), (3, 3, 5)])
def test_pk_stream_reproduces_conv(k_h, k_w, in_c):
    """A numpy model of the kernel reading the packed stream (the order of
    tp_conv_pk_dsp.c's widening: rows' whole words, then remaining bytes; SXTB16 halves)
    gives the same accumulators as the OHWI filter, for random windows."""
    rng = np.random.default_rng(k_h * 100 + k_w * 10 + in_c)
    out_c, k = 5, k_h * k_w * in_c
    w = rng.integers(-128, 128, size=(out_c, k))
    folded = rng.integers(-2**20, 2**20, size=out_c)
    mult = np.full(out_c, 1 << 30)
    shift = np.full(out_c, -3)
    slots = pk_slots(k_h, k_w, in_c)
    words = pack_filter(w, folded, mult, shift, 0, slots).view("<i4").astype(np.int64)
    win = rng.integers(-128, 128, size=k)
    # the kernel's column: the window bytes in slot order (0 for padding), SXTB16 halves
    raw = np.where(slots >= 0, win[np.maximum(slots, 0)], 0).reshape(-1, 4)
    col = raw[:, [0, 2, 1, 3]].reshape(-1)
    k4 = slots.size
    per_pair = 8 + k4
    for c0 in range(0, out_c, 2):
        s = words[c0 // 2 * per_pair:(c0 // 2 + 1) * per_pair]
        halves = np.stack([s[2:2 + k4] & 0xFFFF, (s[2:2 + k4] >> 16) & 0xFFFF], 1).reshape(-1)
        halves = np.where(halves >= 1 << 15, halves - (1 << 16), halves).reshape(-1, 2, 4)
        acc0 = s[0] + int((halves[:, 0].reshape(-1) * col).sum())
        acc1 = s[1] + int((halves[:, 1].reshape(-1) * col).sum())
        assert acc0 == 2 * (folded[c0] + int(w[c0] @ win))
        if c0 + 1 < out_c:
            assert acc1 == 2 * (folded[c0 + 1] + int(w[c0 + 1] @ win))
        else:
            assert acc1 == 0
