"""Loading user inputs for a model and checking them against its metadata."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ToolError
from .golden import default_inputs


def np_dtype(name: str) -> np.dtype:
    return np.dtype(name)


def load_inputs(path: str | Path | None, input_meta: list[dict]) -> list[np.ndarray]:
    """.npy (one input) or .npz (one array per input, in order); None -> the fixed default."""
    if path is None:
        return default_inputs(input_meta)
    p = Path(path)
    if not p.is_file():
        raise ToolError(f"input file '{p}' does not exist.")
    try:
        loaded = np.load(p, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise ToolError(f"cannot read '{p}' as a .npy/.npz file ({exc}).") from None
    arrays = [loaded[k] for k in loaded.files] if hasattr(loaded, "files") else [loaded]
    if len(arrays) != len(input_meta):
        raise ToolError(f"'{p}' holds {len(arrays)} arrays but the model has {len(input_meta)} inputs.")
    out = []
    for m, x in zip(input_meta, arrays):
        if x.size != int(np.prod(m["shape"])):
            raise ToolError(f"input '{m['name']}' needs shape {m['shape']} ({m['dtype']}), "
                            f"'{p}' has shape {list(x.shape)}.")
        want = np_dtype(m["dtype"])
        if x.dtype != want:
            if want.kind in "iu" and (x.dtype.kind not in "iu" or x.min() < np.iinfo(want).min
                                      or x.max() > np.iinfo(want).max):
                raise ToolError(f"input '{m['name']}' is {m['dtype']}; '{p}' has {x.dtype} values "
                                "that do not fit. Quantize the input first.")
            x = x.astype(want)
        out.append(np.ascontiguousarray(x.reshape(m["shape"])))
    return out
