"""Input sets for a sweep, already quantized to the model's int8 input.

- `digits`: scikit-learn's handwritten digits (1797 labelled 8x8 images, shipped inside
  the package), upsampled by nearest neighbour to the model's input size. The project's
  own models were trained on the `train` split (tools/train_digits.py); sweeps use `test`.
- a user's .npz: array `x` (float, quantized with the model's input scale and zero point,
  or int8 as is) and optional integer labels `y`.
- `synthetic`: uniform random int8, no labels (agreement with the fault-free output only).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from codegen.ir import Tensor

from ..errors import ToolError

DIGITS_TEST_FRACTION = 0.3
DIGITS_SPLIT_SEED = 0


@dataclass
class Dataset:
    name: str               # shown in reports, e.g. "digits (test split)"
    x: np.ndarray           # (n, *input shape without batch), int8
    y: np.ndarray | None    # (n,) int labels, or None


def _input_hwc(t: Tensor) -> tuple[int, int, int]:
    if len(t.shape) != 4 or t.shape[0] != 1:
        raise ToolError(f"the digits data set needs a model with one NHWC image input; this "
                        f"model's input is {list(t.shape)}. Use --inputs data.npz.")
    return t.shape[1], t.shape[2], t.shape[3]


def quantize(real: np.ndarray, t: Tensor) -> np.ndarray:
    """Float values -> the input tensor's int8 (round half away from zero, as TFLite)."""
    q = real / t.scale
    return np.clip(np.sign(q) * np.floor(np.abs(q) + 0.5) + t.zero_point, -128, 127).astype(np.int8)


def digits_images(h: int, w: int, c: int, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(images in [0, 1] shaped (n, h, w, c) float32, labels) of one split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(
        d.images, d.target, test_size=DIGITS_TEST_FRACTION, random_state=DIGITS_SPLIT_SEED,
        stratify=d.target)
    x, y = (x_tr, y_tr) if split == "train" else (x_te, y_te)
    rows = (np.arange(h) * 8) // h  # nearest-neighbour upsampling of the 8x8 grid
    cols = (np.arange(w) * 8) // w
    img = (x[:, rows][:, :, cols] / 16.0).astype(np.float32)
    return np.repeat(img[..., None], c, axis=3), y.astype(np.int64)


def load_digits_set(t: Tensor, split: str = "test") -> Dataset:
    h, w, c = _input_hwc(t)
    img, y = digits_images(h, w, c, split)
    return Dataset(f"digits ({split} split, scikit-learn)", quantize(img, t), y)


def load_npz(path: str | Path, t: Tensor) -> Dataset:
    p = Path(path)
    try:
        loaded = np.load(p)
        if not hasattr(loaded, "files"):
            raise ToolError(f"'{p}' is a .npy file; save the inputs with numpy.savez(path, "
                            "x=inputs, y=labels).")
        with loaded as f:
            if "x" not in f:
                raise ToolError(f"'{p}' has no array named 'x' (arrays: {', '.join(f.files)}); "
                                "save the inputs as x= and optional labels as y=.")
            x, y = f["x"], (f["y"] if "y" in f else None)
    except FileNotFoundError:
        raise ToolError(f"input file '{p}' not found.") from None
    except (ValueError, OSError) as e:
        raise ToolError(f"'{p}' is not a readable .npz file ({e}).") from None
    want = tuple(t.shape[1:])
    if x.ndim == 0 or len(x) == 0:
        raise ToolError(f"'{p}' holds no samples (x has shape {list(x.shape)}).")
    if x[0].size != t.size:
        raise ToolError(f"'{p}': each sample has shape {list(x.shape[1:])} but the model input "
                        f"'{t.name}' is {list(want)} ({t.size} values).")
    x = x.reshape(len(x), *want)
    if x.dtype != np.int8:
        if not np.issubdtype(x.dtype, np.floating):
            raise ToolError(f"'{p}': x is {x.dtype}; give float inputs (quantized with the "
                            "model's input scale) or int8 inputs.")
        x = quantize(x.astype(np.float64), t)
    if y is not None:
        y = np.asarray(y).reshape(-1)
        if len(y) != len(x) or not np.issubdtype(y.dtype, np.integer):
            raise ToolError(f"'{p}': y must hold one integer label per sample ({len(x)}), got "
                            f"{y.dtype} shape {list(y.shape)}.")
    return Dataset(f"{p.name} (user file)", x, y)


def synthetic(t: Tensor, n: int, seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 128, size=(n, *t.shape[1:]), dtype=np.int8)
    return Dataset(f"SYNTHETIC uniform random int8 (seed {seed}, no labels)", x, None)
