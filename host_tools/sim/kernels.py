"""numpy versions of the C kernels in kernels_c/, vectorised over a batch of inferences.

Each function has the C kernel's name and takes the same parameter struct (the lowering's
`params` dict, so multipliers, folded biases and tables are the compiler's own) and
the same tensor arguments, as (batch, elements) int8 arrays; it writes the output
array in place as the C kernel writes its output buffer. The arithmetic mirrors the C
code operation by operation (see each kernel's .c file); sums of int8 products are
exact in float32 up to 1024 terms and in float64 beyond, so matrix products may go
through BLAS without changing a single bit.

Speed: the per-element requantisation dominates once the products go through BLAS, so
`_requant_rows` runs it in float64, which is exact while every intermediate integer stays
below 2^52 (checked per block, with the int64 port of tp_requant.h as the fallback), on
cache-sized blocks of rows. ADD and MUL read two int8 values, so their whole arithmetic is
a 256 x 256 table built once per call with the exact int64 code.
"""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from codegen.lowering import ConstArray

from . import fixedpoint as fx

Kernel = Callable[[dict, list[np.ndarray]], None]


def _const(v) -> np.ndarray:
    return v.values if isinstance(v, ConstArray) else np.asarray(v)


def _clamp_s8(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.clip(x, lo, hi).astype(np.int8)


def _exact_matmul(cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """int8 (m, k) @ int8 (n, k).T as exact integers in a float array (|product| <= 2^14,
    so float32 is exact while k * 2^14 <= 2^24, float64 up to 2^53)."""
    k = cols.shape[-1]
    ftype = np.float32 if k <= 1024 else np.float64
    return cols.astype(ftype) @ weights.astype(ftype).T


_BLOCK = 1 << 16          # elements per requantisation block: the temporaries stay in L2
_EXACT = float(1 << 52)   # float64 holds every integer below 2^53; +0.5 needs one more bit


def _row_blocks(rows: int, cols: int) -> Iterator[tuple[slice, np.ndarray]]:
    """(row slice, float64 work buffer of its shape) over blocks of about _BLOCK elements,
    so the requantisation temporaries stay in L2; the buffer is reused."""
    step = max(1, _BLOCK // max(cols, 1))
    buf = np.empty((min(step, rows), cols), np.float64)
    for r0 in range(0, rows, step):
        yield slice(r0, r0 + step), buf[:min(step, rows - r0)]


def _float_requant(p: dict) -> tuple[np.ndarray, ...]:
    """Per channel: mult and shift (int64), the right shift, m1 = mult * 2^(left - 31) and
    inv = 2^-right (float64), and the largest |acc + bias| for which the float64 forms
    below are exact (x * M below 2^52, x << left not wrapping)."""
    mult = _const(p["mult"]).astype(np.int64)
    shift = _const(p["shift"]).astype(np.int64)
    left, right = np.maximum(shift, 0), np.maximum(-shift, 0)
    scale_max = float((mult << left).max(initial=1))
    limit = min(_EXACT / scale_max, float(1 << 31) / float(1 << int(left.max(initial=0))))
    m1 = np.ldexp(mult.astype(np.float64), (left - 31).astype(np.int32))
    inv = np.ldexp(1.0, -right.astype(np.int32))
    return mult, shift, right, m1, inv, limit


def _requant_rows(acc: np.ndarray, bias: np.ndarray, p: dict, bound: np.ndarray | None = None
                  ) -> np.ndarray:
    """clamp(tp_requantize(wrap32(acc + bias), mult, shift) + output_zp) as int8.

    acc: (rows, out_c) exact integers (any float or int dtype, bias not added); bound: a
    per-channel bound on |acc|, if known, which lets blocks skip the range check.
    In float64: srdhm(x, M) = floor(x * M * 2^-31 + 0.5) for every x (tp_requant_fast.h
    derives the same single nudge) and tp_rdbypot rounds half away from zero, i.e.
    trunc(v + copysign(0.5, v)); both are exact while |x * M| < 2^52 and x << left does
    not wrap. A block that could break that takes the int64 path (same result, slower)."""
    mult, shift, right, m1, inv, limit = _float_requant(p)
    has_right = bool(right.any())
    bias_f = bias.astype(np.float64)
    lo, hi = float(p["act_min"]), float(p["act_max"])
    zp = float(p["output_zp"])
    checked = bound is not None and float((bound + np.abs(bias_f)).max()) < limit
    single = single_rounding(p, bias, bound)
    if single is not None:
        return _requant_single(acc, *single, lo, hi)
    out = np.empty(acc.shape, np.int8)
    for rows, a in _row_blocks(*acc.shape):
        np.add(acc[rows], bias_f, out=a)
        if not checked and max(a.max(), -a.min()) >= limit:
            v = fx.requantize(fx.wrap32(a.astype(np.int64)), mult, shift) + p["output_zp"]
            out[rows] = _clamp_s8(v, p["act_min"], p["act_max"])
            continue
        a *= m1
        a += 0.5
        np.floor(a, out=a)                      # srdhm
        if has_right:
            a *= inv
            a += np.copysign(0.5, a)
            np.trunc(a, out=a)                  # rdbypot
        a += zp
        np.clip(a, lo, hi, out=a)
        out[rows] = a
    return out


_SINGLE_LIMIT = float(1 << 22)  # multiples of 2^-31 below 2^22 fit float64's 53 bits


def _half(right: np.ndarray) -> np.ndarray:
    """2^(r-1) per channel (tp_rdbypot's rounding half), 0 where there is no right shift."""
    return np.where(right > 0, np.ldexp(1.0, (right - 1).astype(np.int32)), 0.0)


def _single_rounding(acc_bound: np.ndarray, m1: np.ndarray, right: np.ndarray, zp: float
                     ) -> bool:
    """Whether _requant_single is exact for accumulators (bias added) within acc_bound.

    srdhm then tp_rdbypot is u = floor(y + 0.5), y = x M 2^-31, then round half away of
    u / 2^r. For u >= 0 that is floor((u + h) / 2^r), h = 2^(r-1), and because the floor
    of an integer's quotient nests, floor((floor(y + 0.5) + h) / 2^r) = floor((y + 0.5 + h)
    / 2^r): one rounding. For u < 0 both results are <= 0, so they clamp alike when the
    lower bound is at or above the zero point (ReLU-style outputs; the caller checks).
    The sums are multiples of 2^-31 and exact in float64 while below 2^22."""
    peak = (acc_bound * m1 + 0.5 + _half(right)
            + abs(zp) * np.ldexp(1.0, right.astype(np.int32)))
    return bool(peak.max(initial=0.0) < _SINGLE_LIMIT)


def single_rounding(p: dict, bias: np.ndarray, bound: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray] | None:
    """Per channel (m, c) such that clamp(floor(acc * m + c)) is _requant_rows' result for
    every accumulator with |acc| <= bound (bias not added), when that is proven (see
    _single_rounding and the clamp condition there); None otherwise."""
    if bound is None:
        return None
    _, _, right, m1, inv, limit = _float_requant(p)
    bias_f = np.asarray(bias).astype(np.float64)
    total = bound + np.abs(bias_f)
    zp = float(p["output_zp"])
    if (float(total.max()) >= limit or (p["act_min"] < zp and right.any())
            or not _single_rounding(total, m1, right, zp)):
        return None
    return m1 * inv, (bias_f * m1 + 0.5 + _half(right)) * inv + zp


def _requant_single(acc: np.ndarray, m: np.ndarray, c: np.ndarray, lo: float, hi: float
                    ) -> np.ndarray:
    """clamp(floor(acc * m + c)) as int8 (see single_rounding)."""
    out = np.empty(acc.shape, np.int8)
    for rows, a in _row_blocks(*acc.shape):
        np.multiply(acc[rows], m, out=a)
        a += c
        np.floor(a, out=a)
        np.clip(a, lo, hi, out=a)
        out[rows] = a
    return out


def _abs_weight_bound(w2d: np.ndarray, largest_input: int = 128) -> np.ndarray:
    """Per output channel, the largest |sum of products| an int8 input can produce."""
    return np.abs(w2d.astype(np.int64)).sum(axis=1).astype(np.float64) * largest_input


def _nhwc(x: np.ndarray, h: int, w: int, c: int) -> np.ndarray:
    return x.reshape(x.shape[0], h, w, c)


def _padded(x: np.ndarray, p: dict, c: int, fill: int, k_h: int, k_w: int,
            dil_h: int = 1, dil_w: int = 1, dtype=np.int8) -> np.ndarray:
    """The input with every tap a window can reach outside the image set to `fill`."""
    n = x.shape[0]
    need_h = (p["out_h"] - 1) * p["stride_h"] + (k_h - 1) * dil_h + 1
    need_w = (p["out_w"] - 1) * p["stride_w"] + (k_w - 1) * dil_w + 1
    top, left = p["pad_top"], p["pad_left"]
    bottom = max(need_h - top - p["in_h"], 0)
    right = max(need_w - left - p["in_w"], 0)
    out = np.full((n, top + p["in_h"] + bottom, left + p["in_w"] + right, c), fill, dtype)
    out[:, top:top + p["in_h"], left:left + p["in_w"]] = _nhwc(x, p["in_h"], p["in_w"], c)
    return out


def _tap(xp: np.ndarray, p: dict, ky: int, kx: int, dil_h: int = 1, dil_w: int = 1) -> np.ndarray:
    """(batch, out_h, out_w, c) values under filter tap (ky, kx) of every output pixel."""
    y0, x0 = ky * dil_h, kx * dil_w
    return xp[:, y0:y0 + (p["out_h"] - 1) * p["stride_h"] + 1:p["stride_h"],
              x0:x0 + (p["out_w"] - 1) * p["stride_w"] + 1:p["stride_w"]]


def _im2col(xp: np.ndarray, p: dict) -> np.ndarray:
    """(batch, out_h, out_w, k_h * k_w * c) windows of the padded input, a fresh array.
    With dil_w 1 the k_w * c values of one filter row are contiguous in xp, so a strided
    view with that run as its last axis copies in long runs (2-3x faster than stacking
    one (batch, out_h, out_w, c) slice per tap)."""
    if p["dil_w"] != 1:
        taps = [_tap(xp, p, ky, kx, p["dil_h"], p["dil_w"])
                for ky in range(p["k_h"]) for kx in range(p["k_w"])]
        return np.stack(taps, axis=3).reshape(*taps[0].shape[:3], -1)
    xp = np.ascontiguousarray(xp)
    n, _, _, c = xp.shape
    s_n, s_y, s_x, s_c = xp.strides
    rows = np.lib.stride_tricks.as_strided(
        xp, (n, p["out_h"], p["out_w"], p["k_h"], p["k_w"] * c),
        (s_n, s_y * p["stride_h"], s_x * p["stride_w"], s_y * p["dil_h"], s_c),
        writeable=False)
    return rows.reshape(n, p["out_h"], p["out_w"], -1)


def _batch_step(n: int, per_sample: int, budget: int = 1 << 22) -> int:
    """Samples per block so that one block's largest temporary stays around `budget` bytes."""
    return max(1, min(n, budget // max(per_sample, 1)))


def tp_conv_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]  # args[2] is the im2col scratch, not needed here
    n = x.shape[0]
    w = _const(p["filter"]).reshape(p["out_c"], -1)
    bias, bound = _const(p["bias"]), _abs_weight_bound(w)
    ftype = np.float32 if w.shape[1] <= 1024 else np.float64
    wf = np.ascontiguousarray(w.astype(ftype).T)
    pixels = p["out_h"] * p["out_w"]
    step = _batch_step(n, pixels * w.shape[1] * 4)
    view = out.reshape(n, pixels, p["out_c"])
    for b0 in range(0, n, step):
        xb = x[b0:b0 + step]
        xp = _padded(xb, p, p["in_c"], p["input_zp"], p["k_h"], p["k_w"], p["dil_h"],
                     p["dil_w"], ftype)
        cols = _im2col(xp, p).reshape(len(xb) * pixels, -1)  # (ky, kx, c) order
        acc = cols @ wf
        view[b0:b0 + step] = _requant_rows(acc, bias, p, bound).reshape(len(xb), pixels, -1)


def tp_conv_1x1_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    n = x.shape[0]
    xs = _nhwc(x, p["in_h"], p["in_w"], p["in_c"])[
        :, :(p["out_h"] - 1) * p["stride_h"] + 1:p["stride_h"],
        :(p["out_w"] - 1) * p["stride_w"] + 1:p["stride_w"]]
    w = _const(p["filter"]).reshape(p["out_c"], p["in_c"])
    bias, bound = _const(p["bias"]), _abs_weight_bound(w)
    ftype = np.float32 if p["in_c"] <= 1024 else np.float64
    wf = np.ascontiguousarray(w.astype(ftype).T)
    pixels = p["out_h"] * p["out_w"]
    step = _batch_step(n, pixels * p["in_c"] * 4)
    view = out.reshape(n, pixels, p["out_c"])
    for b0 in range(0, n, step):
        xb = xs[b0:b0 + step]
        acc = xb.reshape(-1, p["in_c"]).astype(ftype) @ wf
        view[b0:b0 + step] = _requant_rows(acc, bias, p, bound).reshape(len(xb), pixels, -1)


def tp_depthwise_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    n, dm, off = x.shape[0], p["depth_mult"], p["input_offset"]
    k = p["k_h"] * p["k_w"]
    # sums of k products |w * (x + off)| <= 127 * 255 are exact in float32 up to 2^24
    ftype = np.float32 if k * 127 * 255 < (1 << 24) else np.float64
    w = _const(p["filter"]).reshape(p["k_h"], p["k_w"], p["out_c"])
    wf = w.astype(ftype)
    bias = _const(p["bias"])
    bound = np.abs(w.astype(np.int64)).reshape(k, -1).sum(axis=0).astype(np.float64) * 255
    pixels = p["out_h"] * p["out_w"]
    step = _batch_step(n, pixels * p["out_c"] * 4, 1 << 20)  # acc + tmp + input in L2
    view = out.reshape(n, pixels, p["out_c"])
    for b0 in range(0, n, step):
        xb = x[b0:b0 + step]
        # taps outside the image are skipped in C; padding with -offset makes them add 0,
        # and adding the offset once here is the C code's (x + off) for every tap
        xp = _padded(xb, p, p["in_c"], -off, p["k_h"], p["k_w"], p["dil_h"], p["dil_w"], ftype)
        xp += off
        if dm > 1:  # output channel oc reads input channel oc // dm
            xp = np.repeat(xp, dm, axis=3)
        acc = np.zeros((len(xb), p["out_h"], p["out_w"], p["out_c"]), ftype)
        tmp = np.empty_like(acc)
        for ky in range(p["k_h"]):
            for kx in range(p["k_w"]):
                np.multiply(_tap(xp, p, ky, kx, p["dil_h"], p["dil_w"]), wf[ky, kx], out=tmp)
                acc += tmp
        view[b0:b0 + step] = _requant_rows(acc.reshape(-1, p["out_c"]), bias, p,
                                           bound).reshape(len(xb), pixels, -1)


def _round_away_clamped(v: np.ndarray) -> np.ndarray:
    """tp_fully_connected.c round_away: std::round to int32 clamped to +-2^24."""
    v = np.clip(v, -16777216.0, 16777216.0)
    i = np.trunc(v)
    up = (v >= 0) & (v >= i + 0.5)
    down = (v < 0) & (v <= i - 0.5)
    return i.astype(np.int64) + up - down


def tp_fully_connected_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    n, depth, units = x.shape[0], p["depth"], p["out_c"]
    w = _const(p["weights"]).reshape(units, depth)
    acc = fx.wrap32(_exact_matmul(x.reshape(-1, depth), w).astype(np.int64)
                    + _const(p["bias"]).astype(np.int64))
    scales = _const(p["scale_bits"]).astype(np.int32).view(np.uint32).view("<f8")
    scale = scales if p["per_channel"] else scales[:1]
    v = _round_away_clamped(acc.astype(np.float64) * scale) + p["output_zp"]
    out[:] = _clamp_s8(v, p["act_min"], p["act_max"]).reshape(n, -1)


def tp_avgpool_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    n, c = x.shape[0], p["c"]
    xp = _padded(x, p, c, 0, p["k_h"], p["k_w"]).astype(np.int32)
    ones = _padded(np.ones((1, p["in_h"] * p["in_w"] * c), np.int8), p, c, 0, p["k_h"], p["k_w"])
    acc = np.zeros((n, p["out_h"], p["out_w"], c), np.int32)
    count = np.zeros((1, p["out_h"], p["out_w"], c), np.int32)
    for ky in range(p["k_h"]):
        for kx in range(p["k_w"]):
            acc += _tap(xp, p, ky, kx)
            count += _tap(ones, p, ky, kx)
    half = count // 2
    safe = np.maximum(count, 1)
    # C: acc > 0 ? (acc + count/2) / count : (acc - count/2) / count, truncating
    v = np.where(acc > 0, (acc + half) // safe, -((half - acc) // safe))
    v = np.where(count > 0, v, 0)
    out[:] = _clamp_s8(v, p["act_min"], p["act_max"]).reshape(n, -1)


def tp_maxpool_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    n, c = x.shape[0], p["c"]
    xp = _padded(x, p, c, -128, p["k_h"], p["k_w"])
    best = np.full((n, p["out_h"], p["out_w"], c), -128, np.int8)
    for ky in range(p["k_h"]):
        for kx in range(p["k_w"]):
            np.maximum(best, _tap(xp, p, ky, kx), out=best)
    out[:] = _clamp_s8(best, p["act_min"], p["act_max"]).reshape(n, -1)


def _broadcast_index(p: dict, which: str) -> np.ndarray:
    """Element offsets the 4 nested loops of tp_add/tp_mul read from input `which`
    (fields n0..n3, in1_s0.. as flat keys or inside the nested `loops.` struct)."""
    pre = "loops." if "loops.n0" in p else ""
    idx = np.zeros(1, np.int64)
    for k in range(4):
        idx = (idx[:, None] + np.arange(p[f"{pre}n{k}"]) * p[f"{pre}{which}_s{k}"]).reshape(-1)
    return idx


def _pair_table(f: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """f over every (a, b) int8 pair, as a flat table indexed (a + 128) * 256 + b + 128."""
    v = np.arange(-128, 128, dtype=np.int64)
    return f(np.repeat(v, 256), np.tile(v, 256))


def _operand(x: np.ndarray, p: dict, which: str) -> np.ndarray:
    """The (batch, elements) values the loops read from input `which`: x itself when they
    read it element by element (same shapes, no broadcast), else a gathered copy."""
    idx = _broadcast_index(p, which)
    if idx.size == x.shape[1] and np.array_equal(idx, np.arange(idx.size)):
        return x
    return x[:, idx]


def _pair_lookup(table: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    idx = a.astype(np.int32) << 8
    idx += b
    idx += 128 * 256 + 128
    return table[idx]


def add_table(p: dict) -> np.ndarray:
    """tp_add_s8's output for every input pair (see _pair_table)."""
    def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        shift = 1 << p["left_shift"]
        a_scaled = fx.requantize((a + p["input1_offset"]) * shift, p["input1_multiplier"],
                                 p["input1_shift"])
        b_scaled = fx.requantize((b + p["input2_offset"]) * shift, p["input2_multiplier"],
                                 p["input2_shift"])
        raw = fx.requantize(a_scaled + b_scaled, p["output_multiplier"], p["output_shift"])
        return _clamp_s8(raw + p["output_offset"], p["act_min"], p["act_max"])
    return _pair_table(add)


def mul_table(p: dict) -> np.ndarray:
    """tp_mul_s8's output for every input pair (see _pair_table)."""
    def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        prod = (a + p["input1_offset"]) * (b + p["input2_offset"])
        raw = fx.requantize(prod, p["output_multiplier"], p["output_shift"])
        return _clamp_s8(raw + p["output_offset"], p["act_min"], p["act_max"])
    return _pair_table(mul)


def same_shape(p: dict) -> bool:
    """Whether tp_add_s8 / tp_mul_s8 read both inputs element by element (no broadcast)."""
    first = _broadcast_index(p, "in1")
    return (np.array_equal(first, np.arange(first.size))
            and np.array_equal(_broadcast_index(p, "in2"), first))


def tp_add_s8(p: dict, args: list[np.ndarray]) -> None:
    args[2][:] = _pair_lookup(add_table(p), _operand(args[0], p, "in1"),
                              _operand(args[1], p, "in2"))


def tp_mul_s8(p: dict, args: list[np.ndarray]) -> None:
    args[2][:] = _pair_lookup(mul_table(p), _operand(args[0], p, "in1"),
                              _operand(args[1], p, "in2"))


def tp_softmax_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    n, rows, depth = x.shape[0], p["rows"], p["depth"]
    v = x.reshape(n * rows, depth).astype(np.int64)
    diff = v - np.maximum(v.max(axis=1, keepdims=True), -128)
    valid = diff >= p["diff_min"]
    scaled = fx.srdhm(fx.wrap32(diff << p["input_left_shift"]), p["input_multiplier"])
    exp = fx.exp_on_negative_values_q5(scaled)
    sum_of_exps = fx.wrap32(np.where(valid, fx.rdbypot(exp, 12), 0).sum(axis=1, keepdims=True))
    reciprocal, bits_over_unit = fx.get_reciprocal(sum_of_exps, 12)
    exponent = bits_over_unit + 31 - 8
    prod = fx.srdhm(reciprocal, exp)
    unsat = (prod + (np.int64(1) << (exponent - 1))) >> exponent
    res = np.where(valid, np.clip(unsat - 128, -128, 127), -128)
    out[:] = res.astype(np.int8).reshape(n, -1)


def _walk_index(shape, strides) -> np.ndarray:
    idx = np.zeros(1, np.int64)
    for d, s in zip(_const(shape), _const(strides)):
        idx = (idx[:, None] + np.arange(int(d)) * int(s)).reshape(-1)
    return idx


def tp_reduce_mean_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    gather = (_walk_index(p["out_shape"], p["out_strides"])[:, None]
              + _walk_index(p["red_shape"], p["red_strides"])[None, :])
    total = x[:, gather].astype(np.int64).sum(axis=2)
    acc = fx.requantize(total - p["count"] * p["in_zp"], p["multiplier"], p["shift"])
    out[:] = _clamp_s8(acc + p["out_zp"], -128, 127)


def tp_reduce_max_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    gather = (_walk_index(p["out_shape"], p["out_strides"])[:, None]
              + _walk_index(p["red_shape"], p["red_strides"])[None, :])
    out[:] = x[:, gather].max(axis=2)


def tp_transpose_s8(p: dict, args: list[np.ndarray]) -> None:
    args[1][:] = args[0][:, _walk_index(p["out_shape"], p["in_strides"])]


def tp_pad_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    in_shape, out_shape = _const(p["in_shape"]), _const(p["out_shape"])
    before = _const(p["pad_before"])
    n = x.shape[0]
    full = np.full((n, *out_shape), np.int8(p["pad_value"]), np.int8)
    region = tuple(slice(int(b), int(b) + int(s)) for b, s in zip(before, in_shape))
    full[(slice(None), *region)] = x.reshape(n, *in_shape)
    out[:] = full.reshape(n, -1)


def tp_concat_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    n = x.shape[0]
    view = out.reshape(n, p["outer"], p["out_slice"])
    view[:, :, p["out_offset"]:p["out_offset"] + p["in_slice"]] = x.reshape(n, p["outer"], -1)


def tp_concat_lut_s8(p: dict, args: list[np.ndarray]) -> None:
    lut = _const(p["lut"])
    tp_concat_s8(p, [lut[args[0].astype(np.int64) + 128], args[1]])


def tp_lut_s8(p: dict, args: list[np.ndarray]) -> None:
    args[1][:] = _const(p["lut"])[args[0].astype(np.int64) + 128]


def tp_resize_nearest_s8(p: dict, args: list[np.ndarray]) -> None:
    x, out = args[0], args[1]
    n = x.shape[0]
    img = x.reshape(n, p["batches"], p["in_h"], p["in_w"], p["c"])
    sy, sx = _const(p["src_y"]).astype(np.int64), _const(p["src_x"]).astype(np.int64)
    out[:] = img[:, :, sy][:, :, :, sx].reshape(n, -1)


def tp_copy(p: dict, args: list[np.ndarray]) -> None:
    args[1].view(np.uint8)[:, :p["bytes"]] = args[0].view(np.uint8)[:, :p["bytes"]]


KERNELS: dict[str, Kernel] = {f.__name__: f for f in (
    tp_conv_s8, tp_conv_1x1_s8, tp_depthwise_s8, tp_fully_connected_s8, tp_avgpool_s8,
    tp_maxpool_s8, tp_add_s8, tp_mul_s8, tp_softmax_s8, tp_reduce_mean_s8, tp_reduce_max_s8,
    tp_transpose_s8, tp_pad_s8, tp_concat_s8, tp_concat_lut_s8, tp_lut_s8,
    tp_resize_nearest_s8, tp_copy)}
