"""DSP kernel variants (kernels_c/tp_*_dsp.c): compile-time selection, helpers, odd shapes.

The DSP kernels build for the host on the portable intrinsics, so the same code paths the
Cortex-M4/M7 run are checked bit-exact against TFLite here; check_model runs every
conv / depthwise / fully-connected case of the other kernel tests through them too.
"""
from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest
from pathlib import Path

from codegen.lowering import ScratchArg
from codegen.ops import LOWERINGS
from codegen.ops import conv as conv_op
from codegen import bake
from codegen.bake import bake_layers
from codegen.ops import depthwise as depthwise_op
from codegen.ops.dsp import (conv_1x1_scratch, conv_pk_scratch, conv_scratch, depthwise_pack,
                              depthwise_scratch,
                              fc_scratch, requant_x2_ok)
from codegen.reader import read_model
from tests.support.harness import CFLAGS, HOST, HOST_DSP, KERNELS, ROOT
from tests.support.kernel_check import check_model, convert, keras


def test_requantize_fast_and_portable_intrinsics(tmp_path):
    """tp_requantize_fast == tp_requantize on 4M edge / random cases; portable SXTB16,
    SMLAD, SMLABB, SMLATT, SXTAB16, SMMULR == their ARM definitions on 1M random
    operands; the doubled-accumulator requantisation (depthwise fast path, *_dsp_rs convs),
    with the clamp and with SSAT, too."""
    exe = tmp_path / "dsp_check"
    subprocess.run(["gcc", *CFLAGS, "-I", str(KERNELS), str(ROOT / "tests/support/dsp_check.c"),
                    "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok 5000000", out.stdout


def _lowered(path: Path, target) -> list:
    graph = read_model(path)
    return [c for op in graph.ops if op.kind in LOWERINGS
            for c in LOWERINGS[op.kind](op, graph, target)]


@pytest.mark.tf
def test_dsp_selection_at_compile_time(tmp_path):
    """DSP targets get the _dsp kernels with their scratch, the depthwise variant by filter
    size and stride (7x7 = 49 taps: the generic one); depth multiplier 2 and non-DSP
    targets keep portable C. Windows of up to 64 values take the packed-filter kernel of
    their padded depth."""
    x = keras.Input((9, 9, 6), batch_size=1)
    a = keras.layers.Conv2D(5, 3, padding="same")(x)                  # im2col, k 54: packed
    h = keras.layers.Conv2D(4, (3, 4))(x)                             # im2col, k 72
    b = keras.layers.Conv2D(7, 1)(x)                                  # pointwise
    c = keras.layers.DepthwiseConv2D(3)(x)                            # 9 taps
    d = keras.layers.DepthwiseConv2D(3, depth_multiplier=2)(x)        # dm 2
    e = keras.layers.DepthwiseConv2D(7)(x)                            # 49 taps
    g = keras.layers.DepthwiseConv2D(5, strides=2, padding="same")(x)  # 5x5 stride 2
    f = keras.layers.Dense(3)(keras.layers.Flatten()(x))
    path = convert(keras.Model(x, [a, h, b, c, d, e, g, f]), tmp_path / "m.tflite")
    calls = _lowered(path, HOST_DSP)
    by_fn = sorted(c.function for c in calls)
    # converter scales give right shifts and small accumulators: the SMMULR variants
    assert by_fn == sorted(["tp_conv_pk_s8_dsp_k56", "tp_conv_s8_dsp_rs", "tp_conv_1x1_s8_dsp_rs",
                            "tp_depthwise_s8_dsp_rs_k3s1", "tp_depthwise_s8",
                            "tp_depthwise_s8_dsp_rs", "tp_depthwise_s8_dsp_rs_k5s2",
                            "tp_fully_connected_s8_dsp"])
    for call in calls:
        if "_dsp" in call.function:
            assert ScratchArg() in call.args
    scratch = {c.function: c.scratch_bytes for c in calls if "_dsp" in c.function}
    assert scratch["tp_conv_pk_s8_dsp_k56"] == conv_pk_scratch(3 * 3 * 6)
    assert scratch["tp_conv_s8_dsp_rs"] == conv_scratch(3 * 4 * 6)
    assert scratch["tp_conv_1x1_s8_dsp_rs"] == conv_1x1_scratch(6)
    assert scratch["tp_fully_connected_s8_dsp"] == fc_scratch(9 * 9 * 6)
    assert scratch["tp_conv_pk_s8_dsp_k56"] == 4 + 5 * 56  # pair 4 * 56, window 56
    assert scratch["tp_conv_s8_dsp_rs"] == 4 + 2 * (2 * 72 + 8) + 72  # k 72: 18 blocks
    # depthwise: the 7x7 x 7x7 plane (3x3 VALID outputs: pitch 3 + 6 + 1 spare + 1, even)
    # and a row of int32 sums rounded up to even
    dw = {c.function: c for c in calls if c.function.startswith("tp_depthwise_s8_dsp")}
    for call in dw.values():
        assert call.scratch_bytes == depthwise_scratch(call.params)
    assert scratch["tp_depthwise_s8_dsp_rs"] == 4 + 2 * 9 * 12 + 4 * 4
    assert "filter" not in dw["tp_depthwise_s8_dsp_rs_k3s1"].params  # packed pairs only
    assert not any("_dsp" in c.function for c in _lowered(path, HOST))


def test_depthwise_packing_matches_filter(tmp_path):
    """The packed int16 tap pairs and folded biases equal the filter's taps and
    bias + input_offset * sum of taps, for both plane orientations, doubled for _rs."""
    rng = np.random.default_rng(3)
    filt = rng.integers(-128, 128, size=(1, 3, 5, 4))
    bias = rng.integers(-1000, 1000, size=4)
    shift = np.full(4, -7)
    for transposed in (False, True):
        for x2 in (False, True):
            packs = depthwise_pack(filt, bias, 17, shift, -3, transposed, x2)
            taps = filt[0].transpose(1, 0, 2) if transposed else filt[0]
            kh, kw, _ = taps.shape
            words = packs["packed"].reshape(4, kh, (kw + 1) // 2)
            lo = (words & 0xFFFF).astype(np.uint16).view(np.int16)
            hi = (words >> 16).astype(np.uint16).view(np.int16)
            unpacked = np.stack([lo, hi], axis=-1).reshape(4, kh, -1)[:, :, :kw]
            scale = 2 if x2 else 1
            assert np.array_equal(unpacked, scale * taps.transpose(2, 0, 1))
            if kw % 2:
                assert np.all(hi[:, :, -1] == 0)
            assert np.array_equal(packs["folded"], scale * (bias + 17 * filt.sum(axis=(0, 1, 2))))
            assert ("kconst" in packs) == x2
    assert np.array_equal(depthwise_pack(filt, bias, 17, shift, -3, False, True)["kconst"],
                          np.full(4, (1 << 6) - 3 * (1 << 7)))


@pytest.mark.tf
def test_dsp_odd_shapes(tmp_path):
    """Tails of every DSP loop: depth not a multiple of 4 (k = 27 packed, k = 75 and in_c 5
    unpacked, FC depth 39), odd output channels / units (the self-paired last one), an
    odd number of output pixels (the self-paired last pixel), depthwise channels beyond
    the last block of 4, out-of-image taps on every side (SAME, stride 2, 5x5)."""
    x = keras.Input((7, 7, 3), batch_size=1)
    a = keras.layers.Conv2D(7, 3, padding="same", activation="relu")(x)       # 49 px, k 27
    g = keras.layers.Conv2D(5, 5, padding="same", activation="relu")(x)       # k 75
    b = keras.layers.Conv2D(5, 3, strides=2)(x)                               # 9 px
    p = keras.layers.Conv2D(5, 1)(x)
    c = keras.layers.Conv2D(9, 1, strides=2)(p)                               # in_c 5, 16 px
    d = keras.layers.DepthwiseConv2D(5, strides=2, padding="same")(a)          # 7 ch, 16 px
    e = keras.layers.DepthwiseConv2D(3, padding="same", activation="relu6")(b)  # 5 ch
    f = keras.layers.Dense(7)(keras.layers.Flatten()(keras.layers.Conv2D(13, 3, strides=3)(x)))
    f = keras.layers.Dense(3)(keras.layers.Reshape((1, 39))(keras.layers.Dense(39)(f)))
    check_model(keras.Model(x, [c, d, e, f, g]), tmp_path,
                {"CONV_2D": 6, "DEPTHWISE_CONV_2D": 2, "FULLY_CONNECTED": 3}, seed=41)
    model_c = (tmp_path / "run_dsp" / "gen" / "model.c").read_text()
    for fn in ("tp_conv_s8_dsp_rs(", "tp_conv_pk_s8_dsp_k28(", "tp_conv_1x1_s8_dsp_rs(",
               "tp_depthwise_s8_dsp_inline(", "tp_fully_connected_s8_dsp("):
        assert fn in model_c, fn


@pytest.mark.tf
def test_dsp_depthwise_variants(tmp_path, monkeypatch):
    """Every tp_depthwise_s8_dsp variant bit-exact, with both requantisations (the SMMULR
    _rs kernels the compiler picks for converter scales, then, with the proof switched
    off, the general ones): 3x3 / 5x5 at strides 1 and 2, the generic body (dilation,
    2x3, unequal strides), planes in both orientations (outputs wider and taller than
    high), odd output rows (the pair's spare twin), borders on every side (SAME) and none
    (VALID), ReLU6 and full-range clamps."""
    x = keras.Input((10, 11, 8), batch_size=1)
    layers = [keras.layers.DepthwiseConv2D(3, padding="same", activation="relu6"),  # 10x11
              keras.layers.DepthwiseConv2D(3, strides=2, padding="same"),           # 5x6
              keras.layers.DepthwiseConv2D(3, strides=2),                           # 4x5
              keras.layers.DepthwiseConv2D(5, padding="same"),                      # 10x11
              keras.layers.DepthwiseConv2D(5, strides=2, padding="same"),           # 5x6
              keras.layers.DepthwiseConv2D(3, strides=(1, 3), padding="same"),      # 10x4: T
              keras.layers.DepthwiseConv2D(5, strides=(1, 2)),                      # 6x4: T
              keras.layers.DepthwiseConv2D(3, dilation_rate=2, padding="same"),
              keras.layers.DepthwiseConv2D((2, 3), strides=(1, 2), padding="same")]  # 10x6: T
    model = keras.Model(x, [layer(x) for layer in layers])
    found = {}
    # generated code inlines the kernel per layer (codegen/bake.py); the exported
    # variants (patch stages, ring rows) run when baking is off
    for name, rs, baked in (("rs", True, True), ("rs-exported", True, False),
                            ("general", False, True), ("general-exported", False, False)):
        if not rs:
            monkeypatch.setattr(depthwise_op, "depthwise_rs_ok", lambda *args: False)
        monkeypatch.setattr(bake, "bake_layers", bake_layers if baked else lambda layers: layers)
        path = check_model(model, tmp_path / name, {"DEPTHWISE_CONV_2D": len(layers)}, seed=43)
        calls = [c for c in _lowered(path, HOST_DSP)]
        assert all(c.function.startswith("tp_depthwise_s8_dsp") for c in calls)
        found[name] = sorted(c.function for c in calls)
        assert sorted(c.params["transposed"] for c in calls) == [0] * 6 + [1] * 3
        called = re.findall(r"(tp_depthwise\w*)\(&", (tmp_path / name / "run_dsp" / "gen" /
                                                      "model.c").read_text())
        assert sorted(called) == (["tp_depthwise_s8_dsp_inline"] * len(layers) if baked
                                  else found[name])
    suffixes = ["", "", "", "", "_k3s1", "_k3s2", "_k3s2", "_k5s1", "_k5s2"]
    assert found["rs"] == sorted(f"tp_depthwise_s8_dsp_rs{v}" for v in suffixes)
    assert found["general"] == sorted(f"tp_depthwise_s8_dsp{v}" for v in suffixes)


def test_requant_x2_ok_bounds():
    """The compile-time proof for the *_dsp_rs conv kernels: |folded bias| + 128 * sum|w|
    must stay below 2^30 (2 * acc fits int32) and every shift must be a right shift."""
    w = np.full((2, 8), -127, dtype=np.int8)               # sum|w| * 128 = 130048
    edge = (1 << 30) - 1 - 130048
    assert requant_x2_ok(w, np.array([edge, -edge]), np.array([-1, -31]))
    assert not requant_x2_ok(w, np.array([edge + 1, 0]), np.array([-1, -1]))
    assert not requant_x2_ok(w, np.array([0, -edge - 1]), np.array([-1, -1]))
    assert not requant_x2_ok(w, np.array([0, 0]), np.array([-1, 0]))  # a left shift


@pytest.mark.tf
def test_dsp_conv_requant_variants(tmp_path, monkeypatch):
    """Both conv requantisations on the same layers, bit-exact: the SMMULR *_dsp_rs kernels
    the compiler picks for converter scales, then, with the proof switched off, the
    general tp_out_s8 kernels. k x k with a k % 4 tail and padding, 1x1 with stride 2 and
    an odd channel count, a 1x1 that runs in place, ReLU6 (narrow clamp) and full range.
    With the SMMULR proof, windows of up to 64 values and pointwise depths 8 take the
    packed-filter kernels (tp_conv_pk_dsp.c); without it, the general unpacked ones."""
    x = keras.Input((9, 7, 3), batch_size=1)
    a = keras.layers.Conv2D(9, 3, padding="same", activation="relu6")(x)      # k 27
    b = keras.layers.Conv2D(8, 1, activation="relu")(a)                      # in place
    c = keras.layers.Conv2D(5, 1, strides=2)(b)
    d = keras.layers.Conv2D(6, 3, strides=2)(b)                              # k 72
    e = keras.layers.Conv2D(4, 5, padding="same")(x)                         # k 75
    model = keras.Model(x, [c, d, e])
    funcs = {}
    for name, rs in (("rs", True), ("general", False)):
        if not rs:
            monkeypatch.setattr(conv_op, "requant_x2_ok", lambda *args: False)
        check_model(model, tmp_path / name, {"CONV_2D": 5}, seed=47)
        funcs[name] = re.findall(r"(tp_conv\w*_dsp\w*)\(&",
                                 (tmp_path / name / "run_dsp" / "gen" / "model.c").read_text())
    assert sorted(set(funcs["rs"])) == ["tp_conv_1x1_inplace_s8_dsp_rs", "tp_conv_1x1_s8_dsp_rs",
                                        "tp_conv_pk_s8_dsp_k28", "tp_conv_s8_dsp_rs"], funcs
    assert sorted(set(funcs["general"])) == ["tp_conv_1x1_inplace_s8_dsp", "tp_conv_1x1_s8_dsp",
                                             "tp_conv_s8_dsp"], funcs
