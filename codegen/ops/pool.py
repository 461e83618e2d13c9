"""AVERAGE_POOL_2D / MAX_POOL_2D -> tp_avgpool_s8 / tp_maxpool_s8.

TFLite's int8 pools do no requantisation: pooling.cc only DCHECKs (debug builds) that
input and output share scale and zero point, and the release interpreter silently
reinterprets the values otherwise. We refuse such models instead of copying that.
"""
from __future__ import annotations

from ..errors import CompileError
from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import KernelCall, Target, TensorArg
from .common import clamp_range, nhwc, require_int8, tensor, window_padding


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    inp, out = tensor(graph, op, 0), tensor(graph, op, 0, output=True)
    require_int8(op, inp, out)
    in_h, in_w, c = nhwc(inp)
    out_h, out_w, out_c = nhwc(out)
    if out_c != c:
        raise CompileError(f"layer {op.index} ({op.kind}): output has {out_c} channels, input "
                           f"{c}; the model is malformed.")
    if abs(inp.scale - out.scale) > 1e-6 or inp.zero_point != out.zero_point:
        raise CompileError(f"layer {op.index} ({op.kind}): input quantization (scale "
                           f"{inp.scale:g}, zero point {inp.zero_point}) differs from the "
                           f"output's ({out.scale:g}, {out.zero_point}); TFLite int8 pooling "
                           "requires them equal. Re-convert the model with the TFLite converter.")
    if "folded_pad" in op.options:
        raise CompileError(f"layer {op.index} ({op.kind}): a PAD folded into a pooling layer is "
                           "not supported (padded pixels would count in the window).")
    k_h, k_w = op.options["filter_h"], op.options["filter_w"]
    s_h, s_w = op.options.get("stride_h", 1), op.options.get("stride_w", 1)
    pad_top, pad_left = window_padding(op, in_h, in_w, k_h, k_w, s_h, s_w)
    act_min, act_max = clamp_range(op, out)
    params = {"in_h": in_h, "in_w": in_w, "c": c, "out_h": out_h, "out_w": out_w,
              "k_h": k_h, "k_w": k_w, "stride_h": s_h, "stride_w": s_w,
              "pad_top": pad_top, "pad_left": pad_left, "act_min": act_min, "act_max": act_max}
    avg = op.kind == "AVERAGE_POOL_2D"
    return [make_call(select("avgpool" if avg else "maxpool"), params,
                      [TensorArg(inp.index), TensorArg(out.index)],
                      comment=f"{'avg' if avg else 'max'} pool {k_h}x{k_w} s{s_h}x{s_w} "
                              f"pad {pad_top},{pad_left}")]
