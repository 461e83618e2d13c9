"""The stored TFLite reference outputs that tell when TensorFlow's reference kernels change.

tests/fixtures/tf_golden/<model>.npz holds, for one small model of our own and a fixed
input, every operator's output from host_tools.reference.golden (BUILTIN_REF) under the
TensorFlow version pinned in requirements.lock, with that version and the model's SHA-256.
tests/kernels/test_tf_golden.py recomputes them with the installed TensorFlow.

Regenerate (after changing the pinned TensorFlow on purpose, from the repository root):

    .venv/bin/python -m tests.support.tf_golden
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from tests.support.paths import OWN_MODELS_DIR, REPO_ROOT

MODEL = OWN_MODELS_DIR / "digits_mobilenet_int8.tflite"
GOLDEN = REPO_ROOT / "tests" / "fixtures" / "tf_golden" / f"{MODEL.stem}.npz"


def layer_outputs(model: Path, x: np.ndarray | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """(the input, each operator's output in graph order) from TFLite's reference kernels."""
    import tensorflow as tf

    from host_tools.reference.golden import reference_tensors

    interp = tf.lite.Interpreter(model_path=str(model))
    detail = interp.get_input_details()[0]
    if x is None:
        x = np.random.default_rng(0).integers(-128, 128, size=detail["shape"], dtype=np.int8)
    tensors = reference_tensors(model, [x])
    return x, [tensors[int(op["outputs"][0])] for op in interp._get_ops_details()]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(model: Path = MODEL, out: Path = GOLDEN) -> Path:
    import tensorflow as tf

    x, layers = layer_outputs(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, input=x, tf_version=np.array(tf.__version__),
                        model_sha256=np.array(sha256(model)),
                        **{f"layer{n}": t for n, t in enumerate(layers)})
    return out


if __name__ == "__main__":
    import tensorflow as tf

    path = write()
    print(f"wrote {path.relative_to(REPO_ROOT)} ({path.stat().st_size} B, TensorFlow {tf.__version__})")
