"""In-place depthwise: ring sizing, aliasing in the plan, and bit-exactness on the host."""
from __future__ import annotations

import json

import numpy as np
import pytest

from codegen.compile import compile_model
from codegen.inplace import is_inplace, ring_rows
from codegen.memoptions import MemoryOptions
from codegen.ops import depthwise as depthwise_op
from tests.support.harness import HOST, HOST_DSP, assert_bit_exact
from tests.support.tiny_models import convert_fn


def _geom(in_h, out_h, stride, pad_top, w=8, c=4):
    return {"in_h": in_h, "in_w": w, "in_c": c, "out_h": out_h, "out_w": (w + stride - 1) // stride,
            "out_c": c, "stride_h": stride, "pad_top": pad_top}


def test_ring_rows():
    assert ring_rows(_geom(10, 10, 1, 1)) == 2      # 3x3 SAME: row j still needs row j - 1
    assert ring_rows(_geom(10, 5, 2, 0)) == 1       # stride 2 output rows shrink faster
    assert ring_rows(_geom(10, 10, 1, 2)) == 3      # 5x5 SAME: two rows above


@pytest.fixture(scope="module")
def dw_model(tmp_path_factory):
    """A depthwise-heavy chain where the depthwise layers set the peak."""
    import tensorflow as tf
    rng = np.random.default_rng(5)
    w0 = tf.constant(rng.normal(0, 0.4, (1, 1, 3, 24)).astype(np.float32))
    d1 = tf.constant(rng.normal(0, 0.4, (3, 3, 24, 1)).astype(np.float32))
    d2 = tf.constant(rng.normal(0, 0.4, (5, 5, 24, 1)).astype(np.float32))
    d3 = tf.constant(rng.normal(0, 0.4, (3, 3, 24, 1)).astype(np.float32))
    w4 = tf.constant(rng.normal(0, 0.4, (1, 1, 24, 4)).astype(np.float32))

    def fn(x):
        a = tf.nn.conv2d(x, w0, 1, "SAME")
        a = tf.nn.relu6(tf.nn.depthwise_conv2d(a, d1, [1, 1, 1, 1], "SAME"))
        a = tf.nn.relu(tf.nn.depthwise_conv2d(a, d2, [1, 1, 1, 1], "SAME", dilations=[1, 1]))
        a = tf.nn.depthwise_conv2d(a, d3, [1, 2, 2, 1], "SAME")
        return tf.nn.conv2d(a, w4, 1, "SAME")

    return convert_fn(fn, [(1, 15, 13, 3)], tmp_path_factory.mktemp("inplace") / "dw.tflite")


@pytest.mark.tf
def test_inplace_lowers_arena(dw_model):
    off = compile_model(dw_model, HOST, MemoryOptions(inplace=False))
    on = compile_model(dw_model, HOST, MemoryOptions())
    kernels = [c.function for layer in on.layers for c in layer.calls]
    assert kernels.count("tp_depthwise_inplace_s8") >= 2
    assert on.plan.arena_bytes < off.plan.arena_bytes
    for layer in on.layers:  # an in-place output shares its input's arena slot
        if is_inplace(layer):
            assert on.graph.storage(layer.output) == on.graph.storage(layer.inputs[0])


@pytest.mark.tf
def test_inplace_bit_exact_on_host(dw_model, tmp_path):
    assert_bit_exact(dw_model, None, tmp_path, MemoryOptions())
    meta = json.loads((tmp_path / "gen" / "model.json").read_text())
    assert any("tp_depthwise_inplace_s8" in layer["kernels"] for layer in meta["layers"])


@pytest.mark.tf
def test_inplace_dsp_plane_bit_exact_on_host(dw_model, tmp_path):
    """The DSP kernels run in place as they are (output = input, channel by channel)."""
    model = compile_model(dw_model, HOST_DSP, MemoryOptions())
    planes = [la for la in model.layers if la.in_place]
    assert planes and all(la.calls[0].function.startswith("tp_depthwise_s8_dsp") for la in planes)
    for layer in planes:
        args = layer.calls[0].args
        assert model.graph.storage(args[0].tensor) == model.graph.storage(args[1].tensor)
    assert_bit_exact(dw_model, None, tmp_path, MemoryOptions(), target=HOST_DSP)


@pytest.fixture(scope="module")
def wide_dw_model(tmp_path_factory):
    """A 40x36 map with 4 channels: two held output rows (2 x 36 x 4 bytes) need far less
    scratch than a channel plane (42 x 40 int16), so the ring wins on DSP targets too."""
    import tensorflow as tf
    rng = np.random.default_rng(6)
    w0 = tf.constant(rng.normal(0, 0.4, (1, 1, 2, 4)).astype(np.float32))
    d1 = tf.constant(rng.normal(0, 0.4, (3, 3, 4, 1)).astype(np.float32))
    d2 = tf.constant(rng.normal(0, 0.4, (3, 3, 4, 1)).astype(np.float32))
    w3 = tf.constant(rng.normal(0, 0.4, (1, 1, 4, 2)).astype(np.float32))

    def fn(x):
        a = tf.nn.conv2d(x, w0, 1, "SAME")
        a = tf.nn.relu(tf.nn.depthwise_conv2d(a, d1, [1, 1, 1, 1], "SAME"))
        a = tf.nn.depthwise_conv2d(a, d2, [1, 2, 2, 1], "SAME")
        return tf.nn.conv2d(a, w3, 1, "SAME")

    return convert_fn(fn, [(1, 40, 36, 2)], tmp_path_factory.mktemp("inplace") / "wide.tflite")


@pytest.mark.tf
@pytest.mark.parametrize("rs", [True, False])
def test_inplace_dsp_rows_bit_exact_on_host(wide_dw_model, tmp_path, monkeypatch, rs):
    """Ring rows by the DSP kernel with either requantisation (the row kernel must match
    the variant the constants were packed for)."""
    if not rs:
        monkeypatch.setattr(depthwise_op, "depthwise_rs_ok", lambda *args: False)
    model = compile_model(wide_dw_model, HOST_DSP, MemoryOptions())
    function = "tp_depthwise_inplace_s8_dsp" + ("_rs" if rs else "")
    assert [c.function for layer in model.layers for c in layer.calls
            if "inplace" in c.function] == [function] * 2
    assert_bit_exact(wide_dw_model, None, tmp_path, MemoryOptions(), target=HOST_DSP)
