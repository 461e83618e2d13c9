"""Graph passes: constant folding, PAD folding, reshape aliasing, activation fusion."""
from __future__ import annotations

import numpy as np
import pytest

from codegen.compile import compile_model
from codegen.reader import read_model
from tests.support.harness import HOST, assert_bit_exact
from tests.support.models import op_kinds, tf
from tests.support.paths import SHARED_MODELS_DIR

RNG = np.random.default_rng(3)
W = RNG.normal(0, 0.4, (3, 3, 4, 6)).astype(np.float32)  # a constant in the traced graph


def _dynamic_reshape(x):
    y = tf.nn.conv2d(tf.pad(x, [[0, 0], [2, 0], [1, 2], [0, 0]]), W, 2, "VALID")  # not SAME-like
    y = tf.nn.relu(y)
    flat = tf.reshape(y, tf.stack([tf.shape(y)[0], -1]))  # SHAPE -> STRIDED_SLICE -> PACK
    return tf.nn.softmax(flat)


def _convert_dynamic_batch(path):
    """Batch dimension None, so the converter keeps the SHAPE arithmetic in the graph."""
    fn = tf.function(_dynamic_reshape, input_signature=[tf.TensorSpec((None, 11, 9, 4), tf.float32)])
    conv = tf.lite.TFLiteConverter.from_concrete_functions([fn.get_concrete_function()])
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([RNG.uniform(-1, 1, (1, 11, 9, 4)).astype(np.float32)]
                                           for _ in range(8))
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = conv.inference_output_type = tf.int8
    path.write_bytes(conv.convert())
    return path


@pytest.mark.tf
def test_constant_subgraph_pad_and_reshape(tmp_path):
    path = _convert_dynamic_batch(tmp_path / "m.tflite")
    kinds = op_kinds(path)
    assert {"SHAPE", "STRIDED_SLICE", "PACK", "RESHAPE", "PAD"} <= set(kinds), kinds
    model = compile_model(path, HOST)
    layer_ops = [layer.op.kind for layer in model.layers]
    assert layer_ops == ["CONV_2D", "SOFTMAX"], layer_ops  # all folded or aliased
    assert model.layers[0].op.options["folded_pad"] == (2, 1)
    assert model.layers[0].op.options["fused_activation_function"] == "RELU"
    assert assert_bit_exact(path, None, tmp_path) == 2


@pytest.mark.tf
def test_reshape_output_shares_storage(tmp_path):
    path = _convert_dynamic_batch(tmp_path / "m.tflite")
    model = compile_model(path, HOST)
    flat = model.layers[1].op.inputs[0]
    assert model.graph.storage(flat) == model.layers[0].output
    assert f"t{flat}" not in model.plan.buffers  # no buffer of its own


def test_reader_keeps_tflite_indices():
    g = read_model(SHARED_MODELS_DIR / "dscnn_kws_int8.tflite")
    assert [op.index for op in g.ops] == list(range(len(g.ops)))
    assert all(g.tensors[i].index == i for i in g.tensors)
