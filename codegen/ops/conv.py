"""CONV_2D -> tp_conv_s8 (im2col, any geometry) or tp_conv_1x1_s8 (pointwise, in place reads),
or their SMLAD variants tp_conv_s8_dsp / tp_conv_1x1_s8_dsp on DSP targets.

On DSP targets, shallow layers get a filter packed here in the exact order the kernel
reads it (pack_filter: int16 weights, zero-padded depth, per-channel-pair requantisation
words; kernels_c/tp_conv_pk_dsp.h): windows of up to 64 values run
tp_conv_pk_s8_dsp_k<padded depth>, pointwise depths 4..32 (multiples of 4)
tp_conv_1x1_s8_dsp_rs, which reads those depths packed (and so do its in-place bands).

Arithmetic follows TFLite's reference_integer_ops::ConvPerChannel with the multipliers of
PopulateConvolutionQuantizationParams (kernel_util.cc): per output channel,
double(input_scale) * double(filter_scale[c]) / double(output_scale), a per-tensor
filter scale broadcast to every channel.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op, Tensor
from ..kernels import CONV_PK_MAX_K4, make_call, select
from ..lowering import ConstArray, KernelCall, ScratchArg, Target, TensorArg
from ..quant import per_channel_multipliers
from .common import clamp_range, nhwc, require_int8, tensor, window_padding
from .dsp import conv_1x1_pk, conv_pk_ok, requant_x2_ok, use_dsp


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    inp, filt, out = tensor(graph, op, 0), tensor(graph, op, 1), tensor(graph, op, 0, output=True)
    bias = optional_bias(op, graph, 2)
    require_int8(op, inp, out)
    check_weights(op, filt, axis=0)
    in_h, in_w, in_c = nhwc(inp)
    out_h, out_w, out_c = nhwc(out)
    if len(filt.shape) != 4 or filt.shape[0] != out_c:
        raise CompileError(f"layer {op.index} ({op.kind}): filter shape {list(filt.shape)} does "
                           f"not match {out_c} output channels; the model is malformed.")
    _, k_h, k_w, f_c = filt.shape
    if f_c != in_c:
        raise CompileError(f"layer {op.index} ({op.kind}): grouped convolution (filter depth "
                           f"{f_c}, input channels {in_c}) is not supported. Use a regular or "
                           "depthwise convolution in the model.")
    s_h, s_w = op.options.get("stride_h", 1), op.options.get("stride_w", 1)
    d_h, d_w = op.options.get("dilation_h", 1), op.options.get("dilation_w", 1)
    pad_top, pad_left = window_padding(op, in_h, in_w, k_h, k_w, s_h, s_w, d_h, d_w)
    act_min, act_max = clamp_range(op, out)
    mult, shift = per_channel_multipliers(inp.scale, filt.quant.scale, out.scale, out_c)
    weights = filt.data.astype(np.int8)
    folded = fold_input_zero_point(bias, weights.reshape(out_c, -1), inp.zero_point)
    params = {
        "in_h": in_h, "in_w": in_w, "in_c": in_c, "out_h": out_h, "out_w": out_w,
        "out_c": out_c, "k_h": k_h, "k_w": k_w, "stride_h": s_h, "stride_w": s_w,
        "dil_h": d_h, "dil_w": d_w, "pad_top": pad_top, "pad_left": pad_left,
        "input_zp": inp.zero_point, "output_zp": out.zero_point,
        "act_min": act_min, "act_max": act_max,
        "filter": ConstArray(weights.reshape(-1)),
        "bias": ConstArray(folded),
        "mult": ConstArray(mult), "shift": ConstArray(shift),
    }
    geometry = f"{k_h}x{k_w} s{s_h}x{s_w} d{d_h}x{d_w} pad {pad_top},{pad_left}"
    pointwise = (k_h == 1 and k_w == 1 and pad_top == 0 and pad_left == 0
                 and (out_h - 1) * s_h < in_h and (out_w - 1) * s_w < in_w)
    if use_dsp(target):  # SMLAD 2x2 blocks, same params and results
        # right shifts and a small enough accumulator, proven here: SMMULR requantisation
        rs = requant_x2_ok(weights.reshape(out_c, -1), folded, shift)
        # ... and the packed filter's SMMLAR requantisation (tp_conv_pk_dsp.h)
        pk = rs and conv_pk_ok(mult, shift, out.zero_point)
        k4 = (k_h * k_w * in_c + 3) & ~3
        shallow = conv_1x1_pk(in_c) if pointwise else k4 <= CONV_PK_MAX_K4
        if shallow and pointwise and not pk:
            rs = False  # tp_conv_1x1_s8_dsp_rs would read this depth's filter packed
        elif shallow and pk:
            packed = {**params, "bias": 0, "mult": 0, "shift": 0, "filter": ConstArray(
                pack_filter(weights.reshape(out_c, -1), folded, mult, shift, out.zero_point,
                            pk_slots(k_h, k_w, in_c)))}
            args = [TensorArg(inp.index), TensorArg(out.index), ScratchArg()]
            if pointwise:  # tp_conv_1x1_s8_dsp_rs reads these depths packed (also in place)
                return [make_call(select("conv_1x1", "dsp_rs"), packed, args,
                                  f"conv 1x1 s{s_h}x{s_w} {in_c}->{out_c} (DSP, packed filter)")]
            return [make_call(select("conv", "packed"), packed, args,
                              f"conv {geometry} {in_c}->{out_c} (DSP, packed filter)")]
        variant, note = ("dsp_rs", ", SMMULR requant") if rs else ("dsp", "")
        args = [TensorArg(inp.index), TensorArg(out.index), ScratchArg()]
        if pointwise:
            return [make_call(select("conv_1x1", variant), params, args,
                              f"conv 1x1 s{s_h}x{s_w} {in_c}->{out_c} (DSP{note})")]
        return [make_call(select("conv", variant), params, args,
                          f"conv {geometry} {in_c}->{out_c} (DSP{note})")]
    if pointwise:
        return [make_call(select("conv_1x1"), params, [TensorArg(inp.index), TensorArg(out.index)],
                          f"conv 1x1 s{s_h}x{s_w} {in_c}->{out_c}")]
    return [make_call(select("conv"), params,
                      [TensorArg(inp.index), TensorArg(out.index), ScratchArg()],
                      f"conv {geometry} {in_c}->{out_c}")]


def optional_bias(op: Op, graph: Graph, i: int) -> np.ndarray | None:
    """The op's int32 bias data, or None when the optional input is omitted."""
    if len(op.inputs) <= i or op.inputs[i] < 0:
        return None
    b = graph.tensors[op.inputs[i]]
    if b.dtype != "int32" or b.data is None:
        raise CompileError(f"layer {op.index} ({op.kind}): bias '{b.name}' is "
                           f"{'a non-constant ' if b.data is None else ''}{b.dtype}; only constant "
                           "int32 biases (int8 models) are supported. Convert the model with "
                           "int8 activations (TFLITE_BUILTINS_INT8).")
    channels = graph.tensors[op.outputs[0]].shape[-1:]
    if b.size != math.prod(channels):
        raise CompileError(f"layer {op.index} ({op.kind}): bias '{b.name}' has {b.size} values "
                           f"but the output has {math.prod(channels)} channels. The model is "
                           "malformed; re-export it with the TFLite converter.")
    return b.data.astype(np.int64).reshape(-1)


def check_weights(op: Op, w: Tensor, axis: int) -> None:
    """Constant int8 weights, symmetric (zero point 0), per tensor or per `axis`."""
    if w.data is None:
        raise CompileError(f"layer {op.index} ({op.kind}): weights '{w.name}' are not constant; "
                           "only models with constant weights are supported.")
    if w.dtype != "int8" or w.quant is None:
        raise CompileError(f"layer {op.index} ({op.kind}): weights '{w.name}' are {w.dtype}; "
                           "this compiler needs int8 weights. Convert the model with "
                           "optimizations=[tf.lite.Optimize.DEFAULT] and TFLITE_BUILTINS_INT8.")
    if np.any(w.quant.zero_point != 0):
        raise CompileError(f"layer {op.index} ({op.kind}): weights '{w.name}' have a non-zero "
                           "zero point; TFLite int8 kernels need symmetric weights. Re-convert "
                           "the model with the TFLite converter's int8 quantization.")
    n = w.quant.scale.size
    if n > 1 and (w.quant.axis != axis or n != w.shape[axis]):
        raise CompileError(f"layer {op.index} ({op.kind}): weights '{w.name}' are quantized "
                           f"along axis {w.quant.axis} with {n} scales; expected per-tensor or "
                           f"per-channel along axis {axis}. Re-convert the model with the "
                           "TFLite converter.")


def fold_input_zero_point(bias: np.ndarray | None, weights_2d: np.ndarray,
                          input_zp: int) -> np.ndarray:
    """bias[o] - input_zp * sum(weights[o]), wrapped to int32 like TFLite's accumulator.

    Equal to TFLite's sum(w * (x - zp)) + bias because out-of-image taps are fed the zero
    point by the kernels and so add 0.
    """
    total = -int(input_zp) * weights_2d.astype(np.int64).sum(axis=1)
    if bias is not None:
        total = total + bias
    return ((total + 2**31) % 2**32 - 2**31).astype(np.int32)


def pk_slots(k_h: int, k_w: int, in_c: int) -> np.ndarray:
    """OHWI depth index of each of the k4 slots the tp_conv_pk kernels read (-1: zero):
    per filter row its first 4 * floor(k_w * in_c / 4) bytes, rows in turn, then every
    row's remaining bytes, then zeros up to a multiple of 4 (tp_conv_pk_dsp.h)."""
    row = k_w * in_c
    whole = row & ~3
    slots = [ky * row + r for ky in range(k_h) for r in range(whole)]
    slots += [ky * row + r for ky in range(k_h) for r in range(whole, row)]
    slots += [-1] * (-len(slots) % 4)
    return np.array(slots, dtype=np.int64)


def pack_filter(weights_2d: np.ndarray, folded: np.ndarray, mult: np.ndarray,
                shift: np.ndarray, output_zp: int, slots: np.ndarray) -> np.ndarray:
    """The packed stream of the tp_conv_pk kernels as bytes (int32 words, little endian).

    Per output channel pair (an odd out_c padded with an all-zero channel): the doubled
    folded biases, per block of four slots j..j+3 the int16 words (c0: 2w_j, 2w_j+2)
    (c0: 2w_j+1, 2w_j+3) (c1: ...) (c1: ...) (SXTB16 order), then m0, m1, C0, C1, e0, e1
    with e = -shift and C = 2^(e-1) + output_zp * 2^e (tp_conv_pk_dsp.h).
    """
    out_c = weights_2d.shape[0]
    w = np.concatenate([weights_2d.astype(np.int64), np.zeros((1, weights_2d.shape[1]),
                                                              np.int64)])
    w = np.where(slots >= 0, w[:, np.maximum(slots, 0)], 0) * 2   # (out_c + 1, k4)
    w = w.reshape(len(w), -1, 4)[:, :, [0, 2, 1, 3]]                 # SXTB16 halves
    e = -np.asarray(shift, dtype=np.int64)
    rec = np.stack([np.asarray(folded, np.int64) * 2, np.asarray(mult, np.int64),
                    2 ** (e - 1) + int(output_zp) * 2 ** e, e])      # (4, out_c)
    rec = np.concatenate([rec, np.zeros((4, 1), np.int64)], axis=1)
    words = []
    for c0 in range(0, out_c, 2):
        c1 = c0 + 1 if c0 + 1 < out_c else out_c                    # the zero channel
        blocks = np.stack([w[c0], w[c1]], axis=1)                    # (blocks, 2, 4) int16
        halves = blocks.astype(np.int16).view(np.uint16).astype(np.int64)
        weight_words = halves[..., 0::2] | (halves[..., 1::2] << 16)  # (blocks, 2, 2)
        words += [rec[0, c0], rec[0, c1], *weight_words.reshape(-1),
                  rec[1, c0], rec[1, c1], rec[2, c0], rec[2, c1], rec[3, c0], rec[3, c1]]
    packed = np.array(words, dtype=np.int64)
    return ((packed + 2**31) % 2**32 - 2**31).astype("<i4").view(np.int8)
