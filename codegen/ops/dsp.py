"""Compile-time choice of the DSP kernel variants and their constants.

Their scratch sizes are the kernel registry's (codegen/kernels.py).
"""
from __future__ import annotations

import numpy as np

from ..kernels import (conv_1x1_scratch, conv_pk_scratch, conv_scratch,  # noqa: F401
                       depthwise_scratch, fc_scratch)  # re-exported: tests import them here
from ..lowering import Target

DW_MAX_TAPS = 49  # k_h * k_w; TP_DW_DSP_MAX_PAIRS >= k_h * ceil(k_w / 2)


def use_dsp(target: Target) -> bool:
    """SMLAD/SXTB16 kernels for ARMv7E-M / ARMv8-M Mainline with the DSP extension."""
    return target.dsp


CONV_1X1_PK_MAX_C = 32  # tp_conv_pk_dsp.h: TP_CONV_1X1_PK


def conv_1x1_pk(in_c: int) -> bool:
    """TP_CONV_1X1_PK: the pointwise depths tp_conv_1x1_s8_dsp_rs runs with a packed filter."""
    return in_c % 4 == 0 and in_c <= CONV_1X1_PK_MAX_C


def conv_pk_ok(mult: np.ndarray, shift: np.ndarray, output_zp: int) -> bool:
    """The packed kernels' requantisation (tp_conv_pk_out) on top of requant_x2_ok.

    SMMLAR(2 acc, m, C) >> e with C = 2^(e-1) + output_zp * 2^e and e = -shift is the
    double rounding when m is 0 or in [2^30, 2^31) (then a negative high half means a
    negative acc, so the sign step can test acc) and, with |h| < 2^30 from |acc| < 2^30,
    |C| < 2^30 keeps h + C - 1 inside int32.
    """
    m = np.asarray(mult, dtype=np.int64)
    e = -np.asarray(shift, dtype=np.int64)
    if not (np.all(e >= 1) and np.all(e <= 30) and np.all((m == 0) | (m >= 2**30))):
        return False
    c = 2 ** (e - 1) + int(output_zp) * 2 ** e
    return bool(np.all(np.abs(c) < 2**30))


def depthwise_fits(depth_mult: int, k_h: int, k_w: int) -> bool:
    """tp_depthwise_s8_dsp takes depth multiplier 1 and up to DW_MAX_TAPS taps."""
    return depth_mult == 1 and k_h * k_w <= DW_MAX_TAPS


def depthwise_transposed(p: dict) -> bool:
    """An output taller than wide runs on the transposed plane (the `transposed` field),
    so its rows are long."""
    return p["out_h"] > p["out_w"]


def depthwise_pack(filter_1hwo: np.ndarray, bias: np.ndarray, input_offset: int,
                   shift: np.ndarray, output_zp: int, transposed: bool,
                   x2: bool) -> dict[str, np.ndarray]:
    """The DSP kernel's per-channel constants (tp_depthwise_params packed / folded / kconst).

    packed: per channel, per plane filter row, the taps in int16 pairs (low half first;
    an odd last pair's top half zero), the plane's taps being the filter's transposed
    when the plane is; doubled for _rs. folded: bias + input_offset * sum of the
    channel's taps modulo 2^32, doubled for _rs. kconst (_rs): tp_x2k_const.
    """
    w = filter_1hwo.reshape(filter_1hwo.shape[1:]).astype(np.int64)  # [k_h][k_w][C]
    if transposed:
        w = w.transpose(1, 0, 2)
    kh, kw, ch = w.shape
    scale = 2 if x2 else 1
    if kw % 2:
        w = np.concatenate([w, np.zeros((kh, 1, ch), np.int64)], axis=1)
    pairs = w.reshape(kh, -1, 2, ch) * scale                      # [kh][np][2][C]
    words = (pairs[:, :, 0] & 0xFFFF) | ((pairs[:, :, 1] & 0xFFFF) << 16)
    packed = words.reshape(-1, ch).T.astype(np.uint32)          # [C][kh * np]
    folded = (np.asarray(bias, np.int64) + input_offset * w.sum(axis=(0, 1))) * scale
    out = {"packed": packed.reshape(-1),
           "folded": (((folded + 2**31) % 2**32) - 2**31).astype(np.int32)}
    if x2:
        e = -np.asarray(shift, np.int64)
        out["kconst"] = ((1 << (e - 1)) + output_zp * (1 << e)).astype(np.int32)
    return out


def depthwise_rs_ok(filter_1hwo: np.ndarray, bias: np.ndarray, shift: np.ndarray) -> bool:
    """tp_depthwise_s8_dsp_rs's conditions, proven from the constants: every shift in
    [-22, -1] (tp_requant_x2k) and, per channel, |bias| + 255 * sum|w| < 2^30 (inputs minus their zero point lie in
    [-255, 255]), so the doubled accumulator fits int32."""
    w = np.abs(filter_1hwo.astype(np.int64)).reshape(-1, filter_1hwo.shape[-1]).sum(axis=0)
    bound = np.abs(np.asarray(bias, dtype=np.int64)) + 255 * w
    shift = np.asarray(shift)
    return bool(np.all((shift <= -1) & (shift >= -22)) and np.all(bound < 2**30))


def requant_x2_ok(weights_2d: np.ndarray, folded_bias: np.ndarray, shift: np.ndarray) -> bool:
    """The *_dsp_rs conv kernels' conditions (tp_out_s8_x2), proven from the constants.

    Every shift <= -1, and |acc| < 2^30 for every input so 2 * acc fits int32. The kernels'
    accumulator starts at the int32 folded bias the kernel is given and adds w * x with x
    in [-128, 127] (zero-point taps included), so |acc| <= |folded| + 128 * sum|w| with no
    int32 wrap on the way when that bound holds.
    """
    w = weights_2d.astype(np.int64)
    folded = np.asarray(folded_bias, dtype=np.int64).reshape(-1)
    bound = np.abs(folded) + 128 * np.abs(w).sum(axis=1)
    return bool(np.all(np.asarray(shift) <= -1) and np.all(bound < 2**30))
