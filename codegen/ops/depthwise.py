"""DEPTHWISE_CONV_2D -> tp_depthwise_s8, or a tp_depthwise_s8_dsp variant on DSP targets
(depth multiplier 1, up to 49 taps).

Arithmetic follows TFLite's reference_integer_ops::DepthwiseConvPerChannel, multipliers
from PopulateConvolutionQuantizationParams (double, per output channel).
"""
from __future__ import annotations

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import ConstArray, KernelCall, ScratchArg, Target, TensorArg
from ..quant import per_channel_multipliers
from .common import clamp_range, nhwc, require_int8, tensor, window_padding
from .conv import check_weights, optional_bias
from .dsp import depthwise_fits, depthwise_pack, depthwise_rs_ok, depthwise_transposed, use_dsp


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    inp, filt, out = tensor(graph, op, 0), tensor(graph, op, 1), tensor(graph, op, 0, output=True)
    bias = optional_bias(op, graph, 2)
    require_int8(op, inp, out)
    check_weights(op, filt, axis=3)
    in_h, in_w, in_c = nhwc(inp)
    out_h, out_w, out_c = nhwc(out)
    if len(filt.shape) != 4 or filt.shape[0] != 1 or filt.shape[3] != out_c:
        raise CompileError(f"layer {op.index} ({op.kind}): filter shape {list(filt.shape)} does "
                           f"not match {out_c} output channels; the model is malformed.")
    if out_c % in_c:
        raise CompileError(f"layer {op.index} ({op.kind}): {out_c} output channels are not a "
                           f"multiple of {in_c} input channels; the model is malformed.")
    dm = out_c // in_c
    if op.options.get("depth_multiplier", 0) not in (0, dm):
        raise CompileError(f"layer {op.index} ({op.kind}): depth_multiplier "
                           f"{op.options['depth_multiplier']} disagrees with the shapes "
                           f"({in_c} -> {out_c} channels); the model is malformed.")
    _, k_h, k_w, _ = filt.shape
    s_h, s_w = op.options.get("stride_h", 1), op.options.get("stride_w", 1)
    d_h, d_w = op.options.get("dilation_h", 1), op.options.get("dilation_w", 1)
    pad_top, pad_left = window_padding(op, in_h, in_w, k_h, k_w, s_h, s_w, d_h, d_w)
    act_min, act_max = clamp_range(op, out)
    mult, shift = per_channel_multipliers(inp.scale, filt.quant.scale, out.scale, out_c)
    bias32 = np.zeros(out_c, np.int32) if bias is None else bias.astype(np.int32)
    params = {
        "in_h": in_h, "in_w": in_w, "in_c": in_c, "out_h": out_h, "out_w": out_w,
        "out_c": out_c, "depth_mult": dm, "k_h": k_h, "k_w": k_w,
        "stride_h": s_h, "stride_w": s_w, "dil_h": d_h, "dil_w": d_w,
        "pad_top": pad_top, "pad_left": pad_left,
        "input_offset": -inp.zero_point, "output_zp": out.zero_point,
        "act_min": act_min, "act_max": act_max,
        "filter": ConstArray(filt.data.astype(np.int8).reshape(-1)),
        "bias": ConstArray(bias32), "mult": ConstArray(mult), "shift": ConstArray(shift),
    }
    if use_dsp(target) and depthwise_fits(dm, k_h, k_w):  # SMLAD on a channel plane
        x2 = depthwise_rs_ok(filt.data, bias32, shift)
        transposed = depthwise_transposed(params)
        packs = depthwise_pack(filt.data, bias32, -inp.zero_point, shift, out.zero_point,
                               transposed, x2)
        del params["filter"]  # the kernel reads the packed pairs only
        params.update(transposed=int(transposed),
                      **{k: ConstArray(v) for k, v in packs.items()})
        return [make_call(select("depthwise", "dsp_rs" if x2 else "dsp"), params,
                          [TensorArg(inp.index), TensorArg(out.index), ScratchArg()],
                          f"depthwise {k_h}x{k_w} s{s_h}x{s_w} d{d_h}x{d_w} "
                          f"pad {pad_top},{pad_left} {in_c}x{dm} (DSP)")]
    return [make_call(select("depthwise"), params, [TensorArg(inp.index), TensorArg(out.index)],
                      f"depthwise {k_h}x{k_w} s{s_h}x{s_w} d{d_h}x{d_w} "
                      f"pad {pad_top},{pad_left} {in_c}x{dm}")]
