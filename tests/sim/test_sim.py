"""The numpy graph simulator is bit-exact with TFLite's reference kernels, every layer,
on the shared models, the project's digit models and a Keras MobileNetV1 0.25 @96."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from host_tools.reference.golden import reference_tensors
from host_tools.sim import Simulator, SimulatorError
from host_tools.sim import fixedpoint as fx
from codegen.quant import requantize
from tests.support.paths import OWN_MODELS, SHARED_MODELS

SHARED = SHARED_MODELS
OWN = OWN_MODELS


def assert_layers_match(model: Path, samples: int = 2) -> None:
    sim = Simulator(model)
    t = sim.inputs[0]
    x = np.random.default_rng(3).integers(-128, 128, size=(samples, *t.shape[1:]), dtype=np.int8)
    got = sim.run(x, keep=True)
    for i in range(samples):
        ref = reference_tensors(model, [x[i:i + 1]])
        for layer in sim.layers:
            want = ref[layer.output].reshape(-1)
            diff = np.flatnonzero(got[layer.output][i] != want)
            assert diff.size == 0, (f"{model.name} sample {i} layer {layer.index} ({layer.kind}): "
                                    f"{diff.size} of {want.size} values differ")


@pytest.mark.tf
@pytest.mark.parametrize("model", SHARED + OWN, ids=lambda p: p.stem)
def test_every_layer_bit_exact(model):
    assert_layers_match(model)


@pytest.mark.tf
def test_mobilenet_v1_bit_exact(tmp_path):
    import tensorflow as tf
    from tests.support.models import calibrate_batchnorm, convert_int8
    tf.keras.utils.set_random_seed(1)
    v1 = tf.keras.applications.MobileNet(alpha=0.25, input_shape=(96, 96, 3), weights=None,
                                         classes=10)
    calibrate_batchnorm(v1, np.random.default_rng(2).uniform(-1, 1, (8, 96, 96, 3)).astype(np.float32))
    assert_layers_match(convert_int8(v1, tmp_path / "v1.tflite", samples=4), samples=1)


def test_requantize_matches_scalar_reference():
    rng = np.random.default_rng(0)
    x = rng.integers(-2**31, 2**31, 2000)
    m = rng.integers(2**30, 2**31, 2000)
    s = rng.integers(-31, 8, 2000)
    got = fx.requantize(x, m, s)
    want = [requantize(int(a), int(b), int(c)) for a, b, c in zip(x, m, s)]
    assert got.tolist() == want


def test_batch_rows_are_independent():
    sim = Simulator(OWN[0])
    t = sim.inputs[0]
    x = np.random.default_rng(1).integers(-128, 128, size=(5, *t.shape[1:]), dtype=np.int8)
    out = sim.run(x)[sim.graph.outputs[0]]
    for i in range(5):
        assert np.array_equal(sim.run(x[i:i + 1])[sim.graph.outputs[0]][0], out[i])


def test_input_shape_mismatch_is_reported():
    sim = Simulator(OWN[0])
    with pytest.raises(SimulatorError, match="values per sample"):
        sim.run(np.zeros((2, 7), np.int8))


def test_float_requantisation_matches_int64_port():
    """The float64 fast path of the conv requantisation equals tp_requantize bit for bit,
    including exact ties of both roundings, channels with multiplier 0, left shifts and
    accumulators large enough to take the int64 fallback."""
    from host_tools.sim.kernels import _requant_rows
    rng = np.random.default_rng(0)
    for trial in range(200):
        c = int(rng.integers(1, 20))
        mult = rng.integers(1 << 30, 1 << 31, c)
        mult[rng.random(c) < 0.1] = 0
        shift = rng.integers(-31, 8, c) if trial % 2 else rng.integers(-12, 1, c)
        acc = rng.integers(-2 ** int(rng.integers(4, 32)), 2 ** 31, (int(rng.integers(1, 3000)), c))
        bias = (rng.integers(-2**31, 2**31, c) if trial % 3 == 0
                else rng.integers(-1000, 1000, c))
        p = dict(mult=mult, shift=shift, output_zp=int(rng.integers(-128, 128)),
                 act_min=-128, act_max=127)
        want = np.clip(fx.requantize(fx.wrap32(acc + bias), mult, shift) + p["output_zp"],
                       -128, 127)
        assert np.array_equal(_requant_rows(acc.astype(np.float64), bias, p), want), trial
    x = np.arange(-5000, 5000)[:, None]  # with M = 2^30 every odd x is a tie of srdhm
    for sh in range(-12, 1):
        p = dict(mult=np.array([1 << 30]), shift=np.array([sh]), output_zp=0,
                 act_min=-128, act_max=127)
        want = np.clip(fx.requantize(x, p["mult"], p["shift"]), -128, 127)
        assert np.array_equal(_requant_rows(x.astype(np.float64), np.zeros(1, np.int64), p),
                              want), sh


def test_single_rounding_requantisation_matches_int64_port():
    """Outputs clamped at or above their zero point (ReLU, ReLU6) take one float64 rounding
    instead of srdhm then rdbypot; it must equal tp_requantize bit for bit, ties included,
    and is only taken where it is exact."""
    from host_tools.sim.kernels import _requant_rows, _single_rounding
    rng = np.random.default_rng(1)
    taken = 0
    for trial in range(300):
        c = int(rng.integers(1, 16))
        mult = rng.integers(1 << 30, 1 << 31, c)
        mult[rng.random(c) < 0.1] = 0
        if trial % 5 == 0:
            mult[:] = 1 << 30  # every odd accumulator is an srdhm tie
        shift = rng.integers(-14, 2, c)
        zp = int(rng.integers(-128, 100))
        lo = int(rng.integers(zp, 128)) if trial % 4 else zp
        if trial % 6 == 1:
            lo = -128  # below the zero point: negative results count, no shortcut
        hi = int(rng.integers(lo, 128))
        bound = rng.integers(1, 2 ** int(rng.integers(4, 22)), c).astype(np.float64)
        rows = int(rng.integers(1, 2000))
        acc = (rng.integers(-1, 2, (rows, c)) * rng.random((rows, c)) * bound).astype(np.int64)
        acc[: rows // 4] = rng.integers(-40, 40, (rows // 4, c))  # dense near zero: ties
        bias = rng.integers(-1000, 1000, c)
        p = dict(mult=mult, shift=shift, output_zp=zp, act_min=lo, act_max=hi)
        want = np.clip(fx.requantize(fx.wrap32(acc + bias), mult, shift) + zp, lo, hi)
        got = _requant_rows(acc.astype(np.float32), bias, p, bound)
        assert np.array_equal(got, want), trial
        m1 = np.ldexp(mult.astype(np.float64), (np.maximum(shift, 0) - 31).astype(np.int32))
        taken += _single_rounding(bound + np.abs(bias), m1, np.maximum(-shift, 0), float(zp))
    assert taken > 150  # the single-rounding path really ran


@pytest.mark.parametrize("model", [m for m in SHARED if m.stem == "resnet8_cifar10_int8"] + OWN,
                         ids=lambda p: p.stem)
def test_run_from_any_layer_equals_the_whole_run(model):
    """Resuming at layer k from the activations of an earlier run (only those layers k..
    read, e.g. a residual ADD's skip input) reproduces the rest of the run."""
    sim = Simulator(model)
    x = np.random.default_rng(5).integers(-128, 128, size=(3, *sim.inputs[0].shape[1:]),
                                          dtype=np.int8)
    full = sim.run_from(0, sim.input_buffers(x))
    out = sim.graph.storage(sim.graph.outputs[0])
    for k in range(len(sim.layers)):
        before = set(sim.activations[:len(sim.inputs) + k])
        needed = {s for l in sim.layers[k:] for s in l.reads} & before
        got = sim.run_from(k, {s: full[s] for s in needed})
        assert np.array_equal(got[out], full[out]), k
        with pytest.raises(SimulatorError, match="lack"):
            sim.run_from(k, {s: full[s] for s in sorted(needed)[1:]})
