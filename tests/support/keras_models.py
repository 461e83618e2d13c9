"""The Keras-built benchmark models (random weights, batch-norm calibrated, int8).

    python -m tests.support.keras_models --out build/models

writes mobilenet_v1_025_96.tflite (MLPerf VWW shapes, 2 classes) and
mobilenet_v2_035_144.tflite (10 classes), the models the memory and speed figures in
BENCHMARKS.md are measured on. Same seeds, same files every time.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tests.support.models import calibrate_batchnorm, convert_int8
from tests.support.paths import REPO_ROOT


def mobilenet_v1(out: Path) -> Path:
    import tensorflow as tf
    tf.keras.utils.set_random_seed(1)
    m = tf.keras.applications.MobileNet(alpha=0.25, input_shape=(96, 96, 3), weights=None,
                                        classes=2)
    calibrate_batchnorm(m, np.random.default_rng(2).uniform(-1, 1, (8, 96, 96, 3)).astype(np.float32))
    return convert_int8(m, out / "mobilenet_v1_025_96.tflite", samples=4)


def mobilenet_v2(out: Path, size: int = 144) -> Path:
    import tensorflow as tf
    tf.keras.utils.set_random_seed(1)
    m = tf.keras.applications.MobileNetV2(alpha=0.35, input_shape=(size, size, 3), weights=None,
                                          classes=10)
    x = np.random.default_rng(2).uniform(-1, 1, (8, size, size, 3)).astype(np.float32)
    calibrate_batchnorm(m, x)
    return convert_int8(m, out / f"mobilenet_v2_035_{size}.tflite", samples=4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "models")
    out = ap.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for path in (mobilenet_v1(out), mobilenet_v2(out)):
        print(path)


if __name__ == "__main__":
    main()
