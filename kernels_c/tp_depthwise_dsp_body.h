/*
 * The body of the DSP depthwise kernels (tp_depthwise_dsp.h), as always-inline functions:
 * tp_depthwise_dsp.c instantiates the exported variants from it, and generated code calls
 * tp_depthwise_s8_dsp_inline with the layer's filter size, strides and requantisation as
 * literals and its `static const` parameter struct, so the compiler also folds the
 * channel count, plane geometry and strides into immediates (TinyEngine's per-layer
 * specialisation, without a generated kernel per layer).
 */
#ifndef TP_DEPTHWISE_DSP_BODY_H
#define TP_DEPTHWISE_DSP_BODY_H

#include <stdint.h>

#include "tp_arm_intrinsics.h"
#include "tp_depthwise_dsp.h"
#include "tp_dsp_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Inlined per filter size, stride and requantisation so the tap loops unroll with
 * constant bounds; each exported variant in tp_depthwise_dsp.c is one instantiation, and
 * generated code inlines tp_depthwise_s8_dsp_inline per layer. */
#define TP_DW_INLINE static inline __attribute__((always_inline))

/* Geometry of the channel plane, in the plane's orientation: transposed (the compiler
 * sets it when the output is taller than wide) so rows are long and the
 * two-outputs-per-step loop rarely starts or ends (e.g. 1-pixel-wide k x 1 audio
 * layers). Mirrored by codegen/kernels.py (depthwise_plane). */
typedef struct {
    int32_t transposed;
    int32_t rows, cols;          /* output pixels */
    int32_t kh, kw, sh, sw, dh, dw;
    int32_t plane_rows, pitch;   /* int16 rows; int16 per row (even) */
    int32_t top, left;           /* plane position of input pixel (0, 0): the padding */
    int32_t img_rows, img_cols;  /* input pixels copied (the ones some tap reads) */
    int32_t in_row, in_col;      /* input bytes between rows / columns of one channel */
    int32_t out_row, out_col;    /* output bytes between rows / columns of one channel */
} tp_dw_plane;

TP_DW_INLINE int32_t tp_dw_clamp0(int32_t v, int32_t hi)
{
    return v < 0 ? 0 : (v > hi ? hi : v);
}

TP_DW_INLINE void tp_dw_plane_geometry(const tp_depthwise_params *p, tp_dw_plane *g)
{
    const int32_t ch = p->in_c;
    int32_t plane_cols;
    g->transposed = p->transposed;
    if (g->transposed) {
        g->rows = p->out_w;
        g->cols = p->out_h;
        g->kh = p->k_w;
        g->kw = p->k_h;
        g->sh = p->stride_w;
        g->sw = p->stride_h;
        g->dh = p->dil_w;
        g->dw = p->dil_h;
        g->top = p->pad_left;
        g->left = p->pad_top;
        g->in_row = ch;
        g->in_col = p->in_w * ch;
        g->out_row = ch;
        g->out_col = p->out_w * ch;
        g->img_rows = p->in_w;
        g->img_cols = p->in_h;
    } else {
        g->rows = p->out_h;
        g->cols = p->out_w;
        g->kh = p->k_h;
        g->kw = p->k_w;
        g->sh = p->stride_h;
        g->sw = p->stride_w;
        g->dh = p->dil_h;
        g->dw = p->dil_w;
        g->top = p->pad_top;
        g->left = p->pad_left;
        g->in_row = p->in_w * ch;
        g->in_col = ch;
        g->out_row = p->out_w * ch;
        g->out_col = ch;
        g->img_rows = p->in_h;
        g->img_cols = p->in_w;
    }
    g->plane_rows = (g->rows - 1) * g->sh + (g->kh - 1) * g->dh + 1;
    plane_cols = (g->cols - 1) * g->sw + (g->kw - 1) * g->dw + 1;
    /* spare columns: an odd last output is computed as a pair (sw more), and a pair
     * load at the last tap reads one column beyond */
    g->pitch = (plane_cols + g->sw + 2) & ~1;
    g->img_rows = tp_dw_clamp0(g->img_rows, g->plane_rows - g->top);
    g->img_cols = tp_dw_clamp0(g->img_cols, plane_cols - g->left);
}

/* Scratch bytes of the DSP kernels for p: 4 to align the plane, the int16 plane, then
 * one row of int32 sums (cols rounded up to even), as tp_dw_layer lays them out.
 * codegen/kernels.py (depthwise_scratch) mirrors it. */
TP_DW_INLINE uint32_t tp_dw_scratch_bytes(const tp_depthwise_params *p)
{
    tp_dw_plane g;
    tp_dw_plane_geometry(p, &g);
    return 4u + 2u * (uint32_t)(g.plane_rows * g.pitch) + 4u * (uint32_t)((g.cols + 1) & ~1);
}

/* Two plane values kx and kx + dw of a row as one packed word; `single` (an odd last
 * tap, whose weight's top half is zero) reads only the first. dw == 1 is one (possibly
 * unaligned) LDR, which reads the spare column at the row's end. */
TP_DW_INLINE uint32_t tp_dw_tap_pair(const int16_t *q, int32_t dw, int single)
{
    if (dw == 1) {
        return tp_read_q15x2(q);
    }
    return single ? (uint16_t)q[0] : ((uint16_t)q[0] | ((uint32_t)(uint16_t)q[dw] << 16));
}

/* One channel's requantisation constants. */
typedef struct {
    int32_t mult, shift, zp, lo, hi;
    int32_t k; /* x2: tp_requant_x2k's rounding + zero point constant */
} tp_dw_requant;

/* x2: the accumulator is doubled and shift holds -shift (tp_requant_x2k); full: the
 * clamp is [-128, 127] (one SSAT). */
TP_DW_INLINE int8_t tp_dw_out(int32_t acc, const tp_dw_requant *r, int x2, int full)
{
    if (x2) {
        const int32_t v = tp_requant_x2k(acc, r->mult, r->shift, r->k);
        return full ? (int8_t)tp_ssat8(v) : tp_clamp_s8(v, r->lo, r->hi);
    }
    return full ? (int8_t)tp_ssat8(tp_requantize_fast(acc, r->mult, r->shift) + r->zp)
                : tp_out_s8(acc, r->mult, r->shift, r->zp, r->lo, r->hi);
}

/* All outputs of one channel from its plane, a row at a time in two passes that each
 * fit the registers: the taps of two neighbouring outputs per step into int32 sums (acc,
 * cols rounded up to even), then requantisation of the row.
 * wq: per filter row, (KW + 1) / 2 packed weight pairs, the top half of an odd last
 * pair zero. Stride 1 with an odd KW shares the last word of output x's taps with
 * output x + 1 (SMLABB / SMLATB): 3 loads and 4 MAC instructions per 3x3 filter row.
 * An odd last output runs as a pair too, its twin reading spare plane columns. */
TP_DW_INLINE void tp_dw_channel(const tp_dw_plane *g, const int16_t *plane, const uint32_t *packed,
                             int32_t bias, const tp_dw_requant *rq, int32_t *acc, int8_t *out,
                             int32_t KH, int32_t KW, int32_t SH, int32_t SW, int32_t DH,
                             int32_t DW, int x2, int full)
{
    const int32_t np = (KW + 1) / 2;
    uint32_t wq[TP_DW_DSP_MAX_PAIRS]; /* a local copy: the sums' stores cannot alias it */
    const int32_t rows = g->rows, cols = g->cols, pitch = g->pitch;
    const int32_t out_row = g->out_row, out_col = g->out_col;
    const int share = SW == 1 && DW == 1 && (KW & 1);
    int32_t *const acc_end = acc + ((cols + 1) & ~1);
    int32_t oy, ky, j;
    for (j = 0; j < KH * np; ++j) {
        wq[j] = packed[j];
    }
    for (oy = 0; oy < rows; ++oy) {
        const int16_t *q0 = plane + oy * SH * pitch;
        int32_t *a = acc;
        int8_t *o = out + oy * out_row;
        for (; a != acc_end; a += 2, q0 += 2 * SW) {
            int32_t a0 = bias, a1 = bias;
#pragma GCC unroll 7
            for (ky = 0; ky < KH; ++ky) {
                const int16_t *q = q0 + ky * DH * pitch;
                const uint32_t *w = wq + ky * np;
                if (share) {
#pragma GCC unroll 4
                    for (j = 0; j + 1 < np; ++j) {
                        a0 = tp_smlad(tp_read_q15x2(q + 2 * j), w[j], a0);
                        a1 = tp_smlad(tp_read_q15x2(q + 2 * j + 1), w[j], a1);
                    }
                    {
                        const uint32_t last = tp_read_q15x2(q + KW - 1);
                        a0 = tp_smlabb(last, w[np - 1], a0);
                        a1 = tp_smlatb(last, w[np - 1], a1);
                    }
                } else {
#pragma GCC unroll 4
                    for (j = 0; j < np; ++j) {
                        const int single = 2 * j + 1 == KW;
                        a0 = tp_smlad(tp_dw_tap_pair(q + 2 * j * DW, DW, single), w[j], a0);
                        a1 = tp_smlad(tp_dw_tap_pair(q + SW + 2 * j * DW, DW, single), w[j], a1);
                    }
                }
            }
            a[0] = a0;
            a[1] = a1;
        }
        a = acc;
        for (j = cols >> 1; j > 0; --j) {
            const int32_t v0 = a[0], v1 = a[1];
            a += 2;
            o[0] = tp_dw_out(v0, rq, x2, full);
            o[out_col] = tp_dw_out(v1, rq, x2, full);
            o += 2 * out_col;
        }
        if (cols & 1) {
            *o = tp_dw_out(a[0], rq, x2, full);
        }
    }
}

/* The whole layer: per channel, copy the channel into the plane (raw int8 values; the
 * padding holds the input zero point, so padded taps add w * (zp - zp) = 0 with the
 * folded bias), then compute it. Output goes to the channel's own bytes only, after its
 * input was copied: output may equal input. */
TP_DW_INLINE void tp_dw_layer(const tp_depthwise_params *p, const int8_t *input, int8_t *output,
                           void *scratch, int32_t KH, int32_t KW, int32_t SH, int32_t SW,
                           int32_t DH, int32_t DW, int x2)
{
    const int32_t ch = p->in_c;
    const uint32_t *wq = p->packed;
    const int32_t *folded = p->folded, *mult = p->mult, *shift = p->shift, *kconst = p->kconst;
    const int full = p->act_min == -128 && p->act_max == 127;
    const int32_t pairs = KH * ((KW + 1) / 2);
    int16_t *plane = tp_align4(scratch);
    int32_t *acc;
    tp_dw_requant rq;
    tp_dw_plane g;
    int32_t c, i, y, x, in_col;
    tp_dw_plane_geometry(p, &g);
    in_col = g.in_col;
    acc = (int32_t *)(void *)(plane + g.plane_rows * g.pitch);
    {
        const uint32_t pad = ((uint32_t)(-p->input_offset) & 0xFFFFu) * 0x10001u;
        const int32_t words = g.plane_rows * g.pitch / 2;
        for (i = 0; i < words; ++i) {
            tp_write_q15x2(plane + 2 * i, pad);
        }
    }
    rq.zp = p->output_zp;
    rq.lo = p->act_min;
    rq.hi = p->act_max;
    for (c = 0; c < ch; ++c, wq += pairs) {
        for (y = 0; y < g.img_rows; ++y) {
            const int8_t *s = input + c + y * g.in_row;
            int16_t *d = plane + (y + g.top) * g.pitch + g.left;
            /* two values per (possibly unaligned) word store: PKHBT + STR */
            for (x = 0; x + 2 <= g.img_cols; x += 2, d += 2) {
                const int32_t v0 = s[0], v1 = s[in_col];
                s += 2 * in_col;
                tp_write_q15x2(d, ((uint32_t)v0 & 0xFFFFu) | ((uint32_t)v1 << 16));
            }
            if (x < g.img_cols) {
                *d = *s;
            }
        }
        rq.mult = mult[c];
        rq.shift = x2 ? -shift[c] : shift[c];
        rq.k = x2 ? kconst[c] : 0;
        if (full) {
            tp_dw_channel(&g, plane, wq, folded[c], &rq, acc, output + c, KH, KW, SH, SW, DH, DW,
                       x2, 1);
        } else {
            tp_dw_channel(&g, plane, wq, folded[c], &rq, acc, output + c, KH, KW, SH, SW, DH, DW,
                       x2, 0);
        }
    }
}

/* Any geometry: sizes from the parameters (in the plane's orientation). */
TP_DW_INLINE void tp_dw_any(const tp_depthwise_params *p, const int8_t *input, int8_t *output,
                         void *scratch, int x2)
{
    tp_dw_plane g;
    tp_dw_plane_geometry(p, &g);
    tp_dw_layer(p, input, output, scratch, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, x2);
}

/**
 * @brief  tp_depthwise_s8_dsp specialised at the call site: the arguments after scratch
 *         must be literals (plane orientation: swapped when p->transposed), p a
 *         `static const` struct in the caller's translation unit.
 * @param[in]  p, input, output, scratch  as tp_depthwise_s8_dsp
 * @param[in]  kh, kw, sh, sw, dh, dw      filter size, strides, dilations in the plane
 * @param[in]  x2                          1: the _rs requantisation (constants packed for it)
 */
TP_DW_INLINE void tp_depthwise_s8_dsp_inline(const tp_depthwise_params *p, const int8_t *input,
                                             int8_t *output, void *scratch, int32_t kh,
                                             int32_t kw, int32_t sh, int32_t sw, int32_t dh,
                                             int32_t dw, int x2)
{
    tp_dw_layer(p, input, output, scratch, kh, kw, sh, sw, dh, dw, x2);
}

#ifdef __cplusplus
}
#endif

#endif /* TP_DEPTHWISE_DSP_BODY_H */
