"""Build small int8 TFLite models for tests with Keras + the TFLite converter.

TensorFlow takes seconds to import, so nothing here imports it before it is used:
`tf` and `keras` are stand-ins that import it on first attribute access (inside a
test, never at collection). Tests that use them carry the `tf` marker.
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType
from typing import Callable

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class LazyModule:
    """Stands in for a module and imports it when an attribute is first read."""

    def __init__(self, load: Callable[[], ModuleType]) -> None:
        self._load = load

    def __getattr__(self, name: str):
        # private names are what introspection probes (pytest looks for fixture markers
        # and mocks on every module global while collecting): they must not import it
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._load(), name)

    def __repr__(self) -> str:
        return "<TensorFlow, imported on first use>"


tf = LazyModule(lambda: importlib.import_module("tensorflow"))
keras = LazyModule(lambda: tf.keras)


def convert_int8(model: tf.keras.Model, path: Path, *, seed: int = 0,
                 input_type: tf.DType | None = None, output_type: tf.DType | None = None,
                 samples: int = 16, quantize: bool = True) -> Path:
    """Full-integer quantization with a random representative dataset; writes `path`.
    input_type / output_type default to tf.int8."""
    rng = np.random.default_rng(seed)
    shapes = [tuple(d if d is not None else 1 for d in t.shape) for t in model.inputs]

    def representative():
        for _ in range(samples):
            yield [rng.uniform(-1, 1, size=s).astype(np.float32) for s in shapes]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if quantize:
        full_int8(conv, representative, input_type, output_type)
    path = Path(path)
    path.write_bytes(conv.convert())
    return path


def full_int8(conv, representative: Callable, input_type: tf.DType | None = None,
              output_type: tf.DType | None = None) -> None:
    """Sets a TFLite converter to full-integer int8 (edges int8 unless given)."""
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = input_type or tf.int8
    conv.inference_output_type = output_type or tf.int8


def op_kinds(path: Path) -> list[str]:
    """Operator names of a .tflite file, in order (to check what the converter produced)."""
    from codegen.reader import read_model
    return [op.kind for op in read_model(path).ops]


def calibrate_batchnorm(model: tf.keras.Model, x: np.ndarray) -> tf.keras.Model:
    """Set every BatchNormalization's moving statistics from the data it sees.

    Randomly initialised deep nets (weights=None) otherwise shrink activations layer
    after layer until the logits are ~1e-15 and every quantization scale degenerates;
    normalised activations give test models with realistic int8 ranges.
    """
    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            probe = tf.keras.Model(model.inputs, layer.input)
            acts = probe(x, training=False).numpy()
            axes = tuple(range(acts.ndim - 1))
            gamma, beta, _, _ = layer.get_weights()
            layer.set_weights([gamma, beta, acts.mean(axis=axes), acts.var(axis=axes) + 1e-3])
    return model
