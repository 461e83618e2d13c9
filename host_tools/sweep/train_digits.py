"""Train the project's digit classifiers and convert them to int8 .tflite.

    python -m host_tools.sweep.train_digits [--out host_tools/data/models]
    python -m host_tools.sweep.train_digits --only mobilenet_v1 --out build/models

Data: scikit-learn's digits, train split (host_tools/sweep/datasets.py; sweeps use the
test split), upsampled to each model's input. Both models end in a softmax and have int8
inputs and outputs (TFLite converter, full-integer quantization, representative data =
the training images), so the sweep measures true accuracy with labels.

- digits_cnn: an MNIST-class CNN (28x28, three 3x3 convolutions, two dense layers):
  many MACs per activation byte, so compute dominates its energy.
- digits_mobilenet: a small MobileNet-style CNN (32x32, depthwise-separable blocks):
  few MACs per activation byte, so persisting activations dominates.
- digits_mobilenet_v1_025_96 (`--only mobilenet_v1`, not shipped: 0.3 MB, built on
  demand in a few minutes): Keras' MobileNetV1 0.25 at 96x96x3, the MLPerf Tiny
  visual-wake-words architecture, with a 10-class head, so the per-layer QL search is
  measured on that network with real labels.
Seeded; TensorFlow's CPU kernels may still differ in the last bits between machines,
so a retrained file can differ slightly from the shipped one.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "models"


def cnn(tf):
    L = tf.keras.layers
    return tf.keras.Sequential([
        tf.keras.Input((28, 28, 1)),
        L.Conv2D(16, 3, activation="relu"),
        L.Conv2D(32, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(32, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Flatten(),
        L.Dense(64, activation="relu"),
        L.Dense(10),
        L.Softmax(),
    ], name="digits_cnn")


def mobilenet(tf):
    L = tf.keras.layers

    def block(x, filters, stride):
        x = L.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x)
        x = L.ReLU(6.0)(L.BatchNormalization()(x))
        x = L.Conv2D(filters, 1, use_bias=False)(x)
        return L.ReLU(6.0)(L.BatchNormalization()(x))

    inp = tf.keras.Input((32, 32, 1))
    x = L.Conv2D(8, 3, strides=2, padding="same", use_bias=False)(inp)
    x = L.ReLU(6.0)(L.BatchNormalization()(x))
    for filters, stride in ((16, 1), (32, 2), (32, 1), (64, 2)):
        x = block(x, filters, stride)
    x = L.GlobalAveragePooling2D()(x)
    x = L.Softmax()(L.Dense(10)(x))
    return tf.keras.Model(inp, x, name="digits_mobilenet")


def mobilenet_v1(tf):
    return tf.keras.applications.MobileNet(alpha=0.25, input_shape=(96, 96, 3), weights=None,
                                           classes=10, name="digits_mobilenet_v1_025_96")


ARCHITECTURES = {"cnn": cnn, "mobilenet": mobilenet, "mobilenet_v1": mobilenet_v1}
SHIPPED = ("cnn", "mobilenet")


def train_and_convert(build, out: Path, epochs: int, seed: int) -> Path:
    import tensorflow as tf

    from .datasets import digits_images

    tf.keras.utils.set_random_seed(seed)
    model = build(tf)
    h, w, c = model.input_shape[1:]
    x, y = digits_images(h, w, c, "train")
    x_te, y_te = digits_images(h, w, c, "test")
    model.compile(optimizer=tf.keras.optimizers.Adam(3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, validation_data=(x_te, y_te))
    _, acc = model.evaluate(x_te, y_te, verbose=0)

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([x[i:i + 1]] for i in range(0, len(x), 4))
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    path = out / f"{model.name}_int8.tflite"
    out.mkdir(parents=True, exist_ok=True)
    path.write_bytes(conv.convert())
    print(f"{path}: {path.stat().st_size} bytes, float test accuracy {100 * acc:.1f}% "
          f"({len(y_te)} test images)")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=sorted(ARCHITECTURES), action="append",
                    help=f"train only these (default: the shipped {', '.join(SHIPPED)})")
    args = ap.parse_args(argv)
    np.random.seed(args.seed)
    for name in args.only or SHIPPED:
        train_and_convert(ARCHITECTURES[name], args.out, args.epochs, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
