"""In-place pointwise (1x1, stride 1) convolution: the gap that keeps every band's
writes below its unread input, the chained buffer groups in the plan, and bit-exactness
on the host (portable and DSP bands) for out_c >, == and < in_c on an odd pixel count."""
from __future__ import annotations

import numpy as np
import pytest

import codegen.inplace as inplace
import codegen.memschedule as memschedule
from codegen.compile import compile_model
from codegen.inplace import (PW_FUNCTION, PW_FUNCTION_DSP, PW_FUNCTION_DSP_RS, is_inplace,
                             pointwise_band, pointwise_gap)
from codegen.memoptions import MemoryOptions
from tests.support.harness import HOST, HOST_DSP, assert_bit_exact
from tests.support.tiny_models import convert_fn


def _bands_safe(n: int, in_c: int, out_c: int, band: int, shift: int, descending: bool) -> bool:
    """Replays tp_conv_1x1_inplace.c's bands (last to first when descending) with the
    output `shift` bytes from the input's start: True when no band writes a byte of an
    input pixel that it or a later band still reads."""
    unread = set(range(n))
    starts = list(range(0, n, band))
    for i in (starts[::-1] if descending else starts):
        end = min(i + band, n)
        lo, hi = shift + i * out_c, shift + end * out_c   # bytes written, input-relative
        if any(lo < (k + 1) * in_c and k * in_c < hi for k in unread):
            return False
        unread -= set(range(i, end))
    return True


@pytest.mark.parametrize("n,in_c,out_c", [(143, 8, 24), (143, 24, 24), (143, 24, 7),
                                          (1, 3, 5), (9, 64, 16), (576, 8, 16)])
@pytest.mark.parametrize("descending", [False, True])
def test_gap_is_minimal_and_safe(n, in_c, out_c, descending):
    p = {"in_h": 1, "in_w": n, "out_h": 1, "out_w": n, "in_c": in_c, "out_c": out_c}
    band = pointwise_band(p)
    shift = pointwise_gap(p, band, descending)
    assert shift % 16 == 0 and (shift > 0) == descending
    assert _bands_safe(n, in_c, out_c, band, shift, descending)
    # 16 B closer to the input's start would overwrite unread input
    assert not _bands_safe(n, in_c, out_c, band, shift - 16 if descending else shift + 16,
                           descending)
    if descending == (out_c > in_c):  # the default order: output within a band of the input
        assert abs(shift) <= band * min(in_c, out_c) + 15


@pytest.fixture(scope="module")
def pw_model(tmp_path_factory):
    """13x11 pixels (odd); pointwise 8->24 (>), 24->24 (==), 24->24 after a depthwise,
    24->7 (<) and 7->20 (>, odd depth), chained so their groups merge."""
    import tensorflow as tf
    rng = np.random.default_rng(7)
    w0 = tf.constant(rng.normal(0, 0.4, (3, 3, 3, 8)).astype(np.float32))
    p1 = tf.constant(rng.normal(0, 0.4, (1, 1, 8, 24)).astype(np.float32))
    p2 = tf.constant(rng.normal(0, 0.3, (1, 1, 24, 24)).astype(np.float32))
    d3 = tf.constant(rng.normal(0, 0.4, (3, 3, 24, 1)).astype(np.float32))
    p4 = tf.constant(rng.normal(0, 0.3, (1, 1, 24, 24)).astype(np.float32))
    p5 = tf.constant(rng.normal(0, 0.3, (1, 1, 24, 7)).astype(np.float32))
    p6 = tf.constant(rng.normal(0, 0.4, (1, 1, 7, 20)).astype(np.float32))
    fc = tf.constant(rng.normal(0, 0.3, (20, 4)).astype(np.float32))

    def fn(x):
        a = tf.nn.relu6(tf.nn.conv2d(x, w0, 1, "SAME"))
        a = tf.nn.relu(tf.nn.conv2d(a, p1, 1, "SAME"))
        a = tf.nn.conv2d(a, p2, 1, "SAME")
        a = tf.nn.relu6(tf.nn.depthwise_conv2d(a, d3, [1, 1, 1, 1], "SAME"))
        a = tf.nn.relu(tf.nn.conv2d(a, p4, 1, "SAME"))
        a = tf.nn.conv2d(a, p5, 1, "SAME")
        a = tf.nn.relu6(tf.nn.conv2d(a, p6, 1, "SAME"))
        return tf.matmul(tf.reduce_mean(a, axis=[1, 2]), fc)

    return convert_fn(fn, [(1, 13, 11, 3)], tmp_path_factory.mktemp("pw") / "pw.tflite")


@pytest.fixture
def keep_all(monkeypatch):
    """Every eligible layer in place, not only those that lower the arena: exercises all
    five pointwise shapes."""
    original = memschedule._with_inplace
    monkeypatch.setattr(memschedule, "_with_inplace",
                        lambda graph, layers, inplace, keep_all=False:
                        original(graph, layers, inplace, keep_all=True))


def _pointwise(model) -> list:
    return [la for la in model.layers
            if la.calls[0].function in (PW_FUNCTION, PW_FUNCTION_DSP, PW_FUNCTION_DSP_RS)]


@pytest.mark.tf
def test_plan_places_output_near_input(pw_model, keep_all):
    model = compile_model(pw_model, HOST, MemoryOptions())
    pws = _pointwise(model)
    assert len(pws) == 5 and all(is_inplace(la) for la in pws)
    groups = set()
    for la in pws:
        src = model.plan.buffers[f"t{model.graph.storage(la.inputs[0])}"]
        dst = model.plan.buffers[f"t{model.graph.storage(la.output)}"]
        assert src.group == dst.group != ""
        assert dst.offset - src.offset == la.share_shift != 0
        assert (la.share_shift > 0) == (la.calls[0].params["out_c"] > la.calls[0].params["in_c"])
        groups.add(src.group)
    assert len(groups) == 1  # the chain conv -> pw -> pw -> dw -> pw -> pw -> pw is one group


@pytest.mark.tf
def test_inplace_pointwise_lowers_arena(pw_model):
    off = compile_model(pw_model, HOST, MemoryOptions(inplace=False))
    on = compile_model(pw_model, HOST, MemoryOptions())
    assert _pointwise(on) and on.plan.arena_bytes < off.plan.arena_bytes


@pytest.mark.tf
@pytest.mark.parametrize("flip", [False, True], ids=["default-order", "other-order"])
@pytest.mark.parametrize("target", [HOST, HOST_DSP], ids=["portable", "dsp"])
def test_inplace_pointwise_bit_exact_on_host(pw_model, keep_all, monkeypatch, target, flip, tmp_path):
    if flip:  # every layer in the band order the compiler does not pick by default
        original = inplace._pw_layer
        monkeypatch.setattr(inplace, "_pw_layer", lambda layer, descending=None: original(
            layer, layer.calls[0].params["out_c"] <= layer.calls[0].params["in_c"]))
    model = compile_model(pw_model, target, MemoryOptions())
    pws = _pointwise(model)
    assert len(pws) == 5
    assert {la.calls[0].params["descending"] == (la.calls[0].params["out_c"] > la.calls[0].params["in_c"])
            for la in pws} == {not flip}
    assert assert_bit_exact(pw_model, None, tmp_path, MemoryOptions(), target=target) == 9
