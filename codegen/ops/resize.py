"""RESIZE_NEAREST_NEIGHBOR -> tp_resize_nearest_s8.

The source row / column of every output row / column comes from TFLite's
reference_ops::GetNearestNeighbor, reproduced here in float32 with numpy (IEEE single
precision, each operation rounded like the C++), so the kernel only copies pixels.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import ConstArray, KernelCall, Target, TensorArg
from .common import require_int8, tensor
from .transpose import const_ints


def nearest_indices(in_size: int, out_size: int, align_corners: bool,
                    half_pixel_centers: bool) -> np.ndarray:
    """GetNearestNeighbor for every output index, in float32 as TFLite computes it."""
    f32 = np.float32
    if align_corners and out_size > 1:
        scale = f32(in_size - 1) / f32(out_size - 1)
    else:
        scale = f32(in_size) / f32(out_size)
    offset = f32(0.5) if half_pixel_centers else f32(0.0)
    idx = np.empty(out_size, np.int64)
    for i in range(out_size):
        v = float((f32(i) + offset) * scale)  # one float32 multiply, then exact in double
        if align_corners:  # TfLiteRound = std::round (half away from zero)
            t = math.trunc(v)
            r = t + (1 if v - t >= 0.5 else (-1 if v - t <= -0.5 else 0))
        else:
            r = math.floor(v)
        r = min(r, in_size - 1)
        idx[i] = max(r, 0) if half_pixel_centers else r
    return idx


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    inp, out = tensor(graph, op, 0), tensor(graph, op, 0, output=True)
    require_int8(op, inp, out)
    if len(inp.shape) != 4:
        raise CompileError(f"layer {op.index} ({op.kind}): input shape {list(inp.shape)} is not "
                           "4-D NHWC, which TFLite requires; the model is malformed.")
    size = const_ints(op, graph, 1, "output size").reshape(-1)
    b, in_h, in_w, c = inp.shape
    if size.size != 2 or tuple(out.shape) != (b, int(size[0]), int(size[1]), c):
        raise CompileError(f"layer {op.index} ({op.kind}): output shape {list(out.shape)} does "
                           f"not match size {size.tolist()}; the model is malformed.")
    out_h, out_w = int(size[0]), int(size[1])
    if max(in_h, in_w) > 65535:
        raise CompileError(f"layer {op.index} ({op.kind}): input {in_h}x{in_w} is too large "
                           "(at most 65535 pixels per side).")
    ac = bool(op.options.get("align_corners", False))
    hp = bool(op.options.get("half_pixel_centers", False))
    src_y = nearest_indices(in_h, out_h, ac, hp)
    src_x = nearest_indices(in_w, out_w, ac, hp)
    params = {"batches": b, "in_h": in_h, "in_w": in_w, "c": c, "out_h": out_h, "out_w": out_w,
              "src_y": ConstArray(src_y.astype(np.uint16)),
              "src_x": ConstArray(src_x.astype(np.uint16))}
    return [make_call(select("resize_nearest"), params,
                      [TensorArg(inp.index), TensorArg(out.index)],
                      comment=f"nearest {in_h}x{in_w} -> {out_h}x{out_w}"
                              f"{' align_corners' if ac else ''}"
                              f"{' half_pixel_centers' if hp else ''}")]
