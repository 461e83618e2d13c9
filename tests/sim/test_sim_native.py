"""The simulator's native engine (host_tools/sim/native/) gives the numpy kernels'
results bit for bit: layer by layer on random geometries that reach both requantisation
paths, and on whole models; in its AVX-512 VNNI build and its portable build; and its
engine choice fails clearly."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from codegen.lowering import ConstArray
from host_tools.sim import Simulator, SimulatorError, kernels, native
from host_tools.sim.native import loader as native_loader
from tests.support.paths import OWN_MODELS, REPO_ROOT as ROOT, SHARED_MODELS

SHARED = SHARED_MODELS
OWN = OWN_MODELS


def _requant_params(rng: np.random.Generator, out_c: int, relu: bool) -> dict:
    zp = int(rng.integers(-128, 100))
    return {"output_zp": zp, "act_min": zp if relu else -128, "act_max": 127,
            "mult": ConstArray(rng.integers(1 << 30, 1 << 31, out_c).astype(np.int32)),
            "shift": ConstArray(rng.integers(-12, 2, out_c).astype(np.int32))}


def _geometry(rng: np.random.Generator, depthwise: bool) -> dict:
    k_h, k_w = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    s_h, s_w = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    d_h, d_w = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if rng.random() < 0.3 else (1, 1)
    in_h, in_w = int(rng.integers(k_h, 14)), int(rng.integers(k_w, 14))
    pad_t, pad_l = int(rng.integers(0, k_h)), int(rng.integers(0, k_w))
    span_h, span_w = (k_h - 1) * d_h + 1, (k_w - 1) * d_w + 1
    out_h = max(1, (in_h + 2 * pad_t - span_h) // s_h + 1)
    out_w = max(1, (in_w + 2 * pad_l - span_w) // s_w + 1)
    return {"in_h": in_h, "in_w": in_w, "out_h": out_h, "out_w": out_w, "k_h": k_h, "k_w": k_w,
            "stride_h": s_h, "stride_w": s_w, "dil_h": d_h, "dil_w": d_w,
            "pad_top": pad_t, "pad_left": pad_l}


def _compare(p: dict, numpy_kernel, native_kernel, x: np.ndarray, out_size: int) -> None:
    want = np.zeros((len(x), out_size), np.int8)
    got = np.full((len(x), out_size), 55, np.int8)
    numpy_kernel(p, [x, want, None])
    native_kernel(p, [x, got, None])
    diff = np.flatnonzero(got != want)
    assert diff.size == 0, f"{diff.size} of {want.size} values differ, params {p}"


def _weights(rng: np.random.Generator, size: int) -> np.ndarray:
    w = rng.integers(-127, 128, size)
    return np.where(rng.random(size) < 0.5, w // int(rng.integers(1, 40)), w).astype(np.int8)


def _conv_case(rng: np.random.Generator, case: int) -> dict:
    p = _geometry(rng, False)
    in_c, out_c = int(rng.integers(1, 21)), int(rng.integers(1, 41))
    p.update(in_c=in_c, out_c=out_c, input_zp=int(rng.integers(-128, 128)),
             filter=ConstArray(_weights(rng, out_c * p["k_h"] * p["k_w"] * in_c)),
             **_requant_params(rng, out_c, relu=case % 2 == 0))
    return p


def _depthwise_case(rng: np.random.Generator, case: int) -> dict:
    p = _geometry(rng, True)
    # 8/16/32/64 channels at depth multiplier 1 take the unrolled stride-phase copies
    in_c = int(rng.choice([8, 16, 32, 64])) if case % 3 == 0 else int(rng.integers(1, 40))
    dm = 1 if case % 3 == 0 else int(rng.choice([1, 1, 2, 3]))
    p.update(in_c=in_c, out_c=in_c * dm, depth_mult=dm, input_offset=int(rng.integers(-127, 129)),
             filter=ConstArray(_weights(rng, p["k_h"] * p["k_w"] * in_c * dm)),
             **_requant_params(rng, in_c * dm, relu=case % 2 == 0))
    return p


def _check_random_layers(seed: int, make, numpy_kernel, build) -> None:
    """80 random layers from make(rng, case), with random biases and inputs; both
    requantisation paths (integer, single float64 rounding) must be taken."""
    rng = np.random.default_rng(seed)
    single = 0
    for case in range(80):
        p = make(rng, case)
        p["bias"] = ConstArray(rng.integers(-30000, 30000, p["out_c"]).astype(np.int32))
        x = rng.integers(-128, 128, (3, p["in_h"] * p["in_w"] * p["in_c"])).astype(np.int8)
        run = build(p)
        single += bool(run.layer.q.scale)
        _compare(p, numpy_kernel, run, x, p["out_h"] * p["out_w"] * p["out_c"])
    assert 10 < single < 70, "both requantisation paths are exercised"


@pytest.mark.skipif(native.conv_kind() is None,
                    reason="no native convolution on this host (needs AVX-512 VNNI or AVX2)")
def test_conv_random_geometries_match_numpy():
    _check_random_layers(11, _conv_case, kernels.tp_conv_s8, native.conv)


def test_depthwise_random_geometries_match_numpy():
    _check_random_layers(12, _depthwise_case, kernels.tp_depthwise_s8, native.depthwise)


def test_pooling_random_geometries_match_numpy():
    rng = np.random.default_rng(13)
    for _ in range(40):
        p = _geometry(rng, True)
        p = {k: p[k] for k in ("in_h", "in_w", "out_h", "out_w", "k_h", "k_w", "stride_h",
                               "stride_w", "pad_top", "pad_left")}
        p.update(c=int(rng.integers(1, 70)), act_min=int(rng.integers(-128, 0)),
                 act_max=int(rng.integers(0, 128)))
        x = rng.integers(-128, 128, (3, p["in_h"] * p["in_w"] * p["c"])).astype(np.int8)
        _compare(p, kernels.tp_avgpool_s8, native.avgpool(p), x,
                 p["out_h"] * p["out_w"] * p["c"])
        _compare(p, kernels.tp_maxpool_s8, native.maxpool(p), x,
                 p["out_h"] * p["out_w"] * p["c"])


@pytest.mark.parametrize("model", SHARED + OWN, ids=lambda p: p.stem)
def test_models_match_numpy_engine(model):
    fast, slow = Simulator(model, engine="native"), Simulator(model, engine="numpy")
    x = np.random.default_rng(5).integers(-128, 128, (40, fast.inputs[0].size)).astype(np.int8)
    got, want = fast.run(x, keep=True), slow.run(x, keep=True)
    bad = [t for t in want if not np.array_equal(got[t], want[t])]
    assert not bad, f"{model.name}: tensors {bad} differ between engines"


def _has_avx2() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False
    return "avx2" in flags


VARIANTS = {  # build -> (environment, the conv_kind it must report)
    "avx2": ({"TP_SIM_MARCH": "x86-64-v3"}, "avx2"),  # AVX2, no AVX-512
    "portable": ({"TP_SIM_PORTABLE": "1"}, "None"),   # convolutions in numpy
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_other_builds_match_numpy(variant):
    """This file's comparisons again, in a fresh process on another build of the library:
    the AVX2 convolutions a host without AVX-512 gets, and the build without SIMD
    convolutions."""
    env, kind = VARIANTS[variant]
    if variant == "avx2" and not _has_avx2():
        pytest.skip("this host has no AVX2")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k",
         "not other_builds and not engine_choice"],
        env={**os.environ, **env, "TP_SIM_EXPECT_CONV": kind, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_build_is_the_expected_variant():
    """Inside test_other_builds_match_numpy: the variant asked for is the one built."""
    want = os.environ.get("TP_SIM_EXPECT_CONV")
    if want is None:
        pytest.skip("checked only inside test_other_builds_match_numpy")
    assert str(native.conv_kind()) == want


def test_engine_choice_errors(monkeypatch):
    with pytest.raises(SimulatorError, match="unknown simulator engine 'fast'"):
        Simulator(OWN[0], engine="fast")
    monkeypatch.setenv("TP_SIM_ENGINE", "gpu")
    with pytest.raises(SimulatorError, match="TP_SIM_ENGINE=gpu"):
        Simulator(OWN[0])
    monkeypatch.setenv("TP_SIM_ENGINE", "numpy")
    assert Simulator(OWN[0]).engine == "numpy"
    monkeypatch.delenv("TP_SIM_ENGINE")
    monkeypatch.setattr(native_loader, "_LIB", None)
    monkeypatch.setenv("CC", "no-such-compiler")
    with pytest.raises(SimulatorError, match="no C compiler 'no-such-compiler'"):
        Simulator(OWN[0], engine="native")
    with pytest.warns(UserWarning, match="numpy kernels"):
        assert Simulator(OWN[0]).engine == "numpy"


def test_reductions_match_numpy():
    """MEAN and REDUCE_MAX over the spatial axes of random (h, w, c) inputs."""
    rng = np.random.default_rng(14)
    for case in range(30):
        h, w, c = (int(v) for v in rng.integers(1, 12, 3))
        p = {"out_shape": [1, 1, 1, c], "out_strides": [0, 0, 0, 1],
             "red_shape": [1, 1, h, w], "red_strides": [0, 0, w * c, c], "count": h * w,
             "in_zp": int(rng.integers(-128, 128)), "out_zp": int(rng.integers(-128, 128)),
             "multiplier": int(rng.integers(1 << 30, 1 << 31)), "shift": int(rng.integers(-12, 1))}
        x = rng.integers(-128, 128, (4, h * w * c)).astype(np.int8)
        _compare(p, kernels.tp_reduce_mean_s8, native.reduce_mean(p), x, c)
        _compare(p, kernels.tp_reduce_max_s8, native.reduce_max(p), x, c)


def test_softmax_matches_numpy():
    rng = np.random.default_rng(15)
    for case in range(30):
        p = {"rows": int(rng.integers(1, 5)), "depth": int(rng.integers(1, 40)),
             "input_multiplier": int(rng.integers(1 << 30, 1 << 31)),
             "input_left_shift": int(rng.integers(0, 24)),
             "diff_min": -int(rng.integers(0, 1 << 12))}
        x = rng.integers(-128, 128, (4, p["rows"] * p["depth"])).astype(np.int8)
        _compare(p, kernels.tp_softmax_s8, native.softmax(p), x, p["rows"] * p["depth"])


def test_fault_draws_match_numpy(monkeypatch):
    """flip_bits, byte_flips and error_masks by the firmware's fault_prng.c compiled into
    the native library equal the numpy implementation (faults.py), partial words and
    multi-bit masks included."""
    from host_tools.intermittent import faults
    rng = np.random.default_rng(16)

    def draws(n: int, p: float, seed: int) -> list[np.ndarray]:
        rate = faults.RateThresholds.for_rate(p)
        data = rng.integers(0, 256, (5, n)).astype(np.uint8)
        streams = np.arange(5, dtype=np.uint64) * 65536 + 3
        flips = faults.byte_flips(n, rate, seed, streams)
        keys = faults.fault_key(seed, streams)
        return [faults.flip_bits(data, (rate,), seed, streams), flips.rows, flips.offsets,
                flips.masks, faults.error_masks(keys, (n + 3) // 4, rate),
                faults.flip_bits(data[0], (rate,), seed, 7)]

    for n in (1, 3, 4, 5, 257, 4099):
        for p in (0.0, 1e-6, 1e-3, 0.05, 0.5):
            seed = int(rng.integers(0, 1 << 32))
            state = rng.bit_generator.state
            monkeypatch.delenv("TP_SIM_ENGINE", raising=False)
            got = draws(n, p, seed)
            rng.bit_generator.state = state  # same data for the numpy run
            monkeypatch.setenv("TP_SIM_ENGINE", "numpy")
            want = draws(n, p, seed)
            for g, w in zip(got, want):
                assert np.array_equal(g, w), (n, p)
