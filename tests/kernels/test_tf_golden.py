"""The installed TensorFlow's reference kernels still give the stored per-layer outputs.

Bit-exactness is checked against TFLite's reference kernels, so a TensorFlow whose int8
arithmetic differs from the pinned one would move the goalposts silently; this says so.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.support.tf_golden import GOLDEN, MODEL, layer_outputs, sha256


@pytest.mark.tf
def test_reference_kernels_match_the_stored_outputs():
    import tensorflow as tf

    stored = np.load(GOLDEN)
    assert str(stored["model_sha256"]) == sha256(MODEL), (
        f"{MODEL.name} changed since {GOLDEN.name} was written; regenerate it with "
        "`python -m tests.support.tf_golden`")
    then = str(stored["tf_version"])
    _, layers = layer_outputs(MODEL, stored["input"])
    n_stored = sum(1 for k in stored.files if k.startswith("layer"))
    assert len(layers) == n_stored, f"{MODEL.name}: {len(layers)} layers, stored {n_stored}"
    for n, got in enumerate(layers):
        want = stored[f"layer{n}"]
        if got.shape != want.shape or not np.array_equal(got, want):
            pytest.fail(f"TensorFlow {tf.__version__}'s reference kernels give different outputs "
                        f"than {then} did for {MODEL.name} layer {n}; bit-exactness is checked "
                        "against the pinned version (requirements.lock)", pytrace=False)
