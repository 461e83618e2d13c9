"""Golden outputs: TFLite's Python interpreter with its reference kernels (BUILTIN_REF).

The default resolver would use XNNPACK, whose int8 arithmetic is not guaranteed to
match the reference. All intermediate tensors are preserved for the per-layer check.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # only affects TF ops; silences its banner


def reference_tensors(model_path: str | Path, inputs: list[np.ndarray]) -> dict[int, np.ndarray]:
    """Run one inference; return every readable tensor by TFLite tensor index."""
    import tensorflow as tf  # slow import: only when a check is requested

    # tf.lite.Interpreter is what ships with tensorflow and has BUILTIN_REF; its
    # deprecation notice in favour of LiteRT is not for our users to act on.
    warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")

    interp = tf.lite.Interpreter(
        model_path=str(model_path),
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
        experimental_preserve_all_tensors=True)
    interp.allocate_tensors()
    details = interp.get_input_details()
    if len(details) != len(inputs):
        raise ValueError(f"model has {len(details)} inputs, got {len(inputs)}")
    for d, x in zip(details, inputs):
        interp.set_tensor(d["index"], np.asarray(x, dtype=d["dtype"]).reshape(d["shape"]))
    interp.invoke()
    out: dict[int, np.ndarray] = {}
    for d in interp.get_tensor_details():
        try:
            out[d["index"]] = np.array(interp.get_tensor(d["index"]))
        except ValueError:  # tensors without data (e.g. freed or never allocated)
            pass
    return out


def default_inputs(input_meta: list[dict], seed: int = 0) -> list[np.ndarray]:
    """A fixed, deterministic input per model input (from model.json metadata)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for m in input_meta:
        shape, dtype = m["shape"], m["dtype"]
        if dtype == "int8":
            arrays.append(rng.integers(-128, 128, size=shape, dtype=np.int8))
        elif dtype == "uint8":
            arrays.append(rng.integers(0, 256, size=shape, dtype=np.uint8))
        elif dtype == "int16":
            arrays.append(rng.integers(-32768, 32768, size=shape, dtype=np.int16))
        elif dtype == "float32":
            scale, zp = m.get("scale"), m.get("zero_point")
            lo, hi = ((-128 - zp) * scale, (127 - zp) * scale) if scale else (-1.0, 1.0)
            arrays.append(rng.uniform(lo, hi, size=shape).astype(np.float32))
        else:
            raise ValueError(f"no default input for dtype {dtype}")
    return arrays
