#include "tp_conv_dsp.h"

#include <stddef.h>
#include <string.h>

#include "tp_arm_intrinsics.h"
#include "tp_conv_gather.h"
#include "tp_dsp_common.h"
#include "tp_requant_fast.h"

/*
 * Column pair layout (int16 words, 4-byte aligned): for each block of four depth values
 * x0..x3 the words (p0: x0,x2) (p0: x1,x3) (p1: x0,x2) (p1: x1,x3), so one LDRD pair
 * feeds both pixels' SMLADs. If k % 4, a last block zero-padded to four values, then
 * the tail values again in order (pixel 0's four slots, then pixel 1's).
 */

#if defined(__GNUC__)
#define TP_CONV_INLINE static inline __attribute__((always_inline))
#else
#define TP_CONV_INLINE static inline
#endif

/* Widen n int8 values (n % 4 == 0, at a depth offset off % 4 == 0) into slot s (0 or 1)
 * of a column pair. */
TP_CONV_INLINE void widen_blocks(const int8_t *src, int16_t *pair, int32_t off, int32_t n,
                                 int32_t s)
{
    uint32_t *d = (uint32_t *)(void *)pair + off + 2 * s;
    int32_t i;
    /* two blocks per iteration: one loop test per 8 values (this runs once per pixel
     * for every k_h x k_w x in_c value of the 3x3 layers) */
    for (i = 0; i + 8 <= n; i += 8) {
        const uint32_t w = tp_read_s8x4(src + i), v = tp_read_s8x4(src + i + 4);
        d[0] = tp_sxtb16(w);
        d[1] = tp_sxtb16_ror8(w);
        d[4] = tp_sxtb16(v);
        d[5] = tp_sxtb16_ror8(v);
        d += 8;
    }
    if (i < n) {
        const uint32_t w = tp_read_s8x4(src + i);
        d[0] = tp_sxtb16(w);
        d[1] = tp_sxtb16_ror8(w);
    }
}

/* n zero-point values (n % 4 == 0, off % 4 == 0) into slot s: out-of-image taps. */
static void fill_blocks(int16_t *pair, int32_t off, int32_t n, int32_t s, int32_t zp)
{
    uint32_t *d = (uint32_t *)(void *)pair + off + 2 * s;
    const uint32_t z = ((uint32_t)zp & 0xFFFFu) * 0x10001u;
    int32_t i;
    for (i = 0; i < n; i += 4) {
        d[0] = z;
        d[1] = z;
        d += 4;
    }
}

/* Widen one pixel's k int8 values into slot s (0 or 1) of a column pair: the k / 4 full
 * blocks; then, if k % 4, a last block zero-padded to four and the tail values again in
 * pixel s's four tail slots. */
static void widen_into_pair(const int8_t *src, int16_t *pair, int32_t k, int32_t s)
{
    const int32_t full = k & ~3;
    widen_blocks(src, pair, 0, full, s);
    if (k & 3) {
        int16_t *last = pair + 2 * full + 4 * s, *tail = pair + 2 * full + 8 + 4 * s;
        int32_t i;
        for (i = 0; i < 4; ++i) {
            const int16_t v = full + i < k ? src[full + i] : 0;
            /* reordered: (x0, x2) (x1, x3) */
            last[(i & 1) * 2 + (i >> 1)] = v;
            tail[i] = v;
        }
    }
}

/* Widen one pixel's int8 window of k values (k % 4 != 0) into slot s of a column pair,
 * like widen_into_pair, but raw is 4-aligned and zero from k up to a whole word: the
 * zero-padded last block is one more word block, and the tail slots are that block's two
 * SXTB16 halves re-paired, with no per-value loop. */
static void widen_padded(const int8_t *raw, int16_t *pair, int32_t k, int32_t s)
{
    const int32_t full = k & ~3;
    const uint32_t w = tp_read_s8x4(raw + full);
    const uint32_t lo = tp_sxtb16(w), hi = tp_sxtb16_ror8(w); /* (x0, x2), (x1, x3) */
    uint32_t *t = (uint32_t *)(void *)pair + full + 4 + 2 * s;
    widen_blocks(raw, pair, 0, full + 4, s);
    t[0] = (lo & 0xFFFFu) | (hi << 16);         /* (x0, x1) */
    t[1] = (lo >> 16) | (hi & 0xFFFF0000u);     /* (x2, x3) */
}

/* One block of four depth steps for two filter rows x the two pixels of a column pair:
 * two LDRD, two LDR, four SXTB16, eight SMLAD (16 MACs). */
#define TP_CONV_DSP_BLOCK()                                                             \
    do {                                                                                \
        uint32_t p0l, p0h, p1l, p1h, x, wl, wh;                                         \
        c = tp_read_u32x2(c, &p0l, &p0h);                                               \
        c = tp_read_u32x2(c, &p1l, &p1h);                                               \
        x = tp_read_s8x4(w0);                                                           \
        w0 += 4;                                                                        \
        wl = tp_sxtb16(x);                                                              \
        wh = tp_sxtb16_ror8(x);                                                         \
        a00 = tp_smlad(wl, p0l, a00);                                                   \
        a01 = tp_smlad(wl, p1l, a01);                                                   \
        a00 = tp_smlad(wh, p0h, a00);                                                   \
        a01 = tp_smlad(wh, p1h, a01);                                                   \
        x = tp_read_s8x4(w1);                                                           \
        w1 += 4;                                                                        \
        wl = tp_sxtb16(x);                                                              \
        wh = tp_sxtb16_ror8(x);                                                         \
        a10 = tp_smlad(wl, p0l, a10);                                                   \
        a11 = tp_smlad(wl, p1l, a11);                                                   \
        a10 = tp_smlad(wh, p0h, a10);                                                   \
        a11 = tp_smlad(wh, p1h, a11);                                                   \
    } while (0)

/* Every output channel for one column pair (p1 may repeat p0 for a lone last pixel: o1
 * then equals o0 and gets the same values). Two filter rows x two pixels per inner loop:
 * per four depth steps two LDRD, two LDR, four SXTB16, eight SMLAD (16 MACs), with few
 * enough live values for GCC to keep all in registers.
 * rs (a constant per caller): every shift <= -1 and |acc| < 2^30, proven by the compiler,
 * so tp_out_s8_x2 (SMMULR, no branch, no 64-bit nudge) requantises; full (constant):
 * the clamp is [-128, 127], one SSAT. */
/* Output channel pairs [oc_from, oc_to) of conv_pair; tail (a constant per call site)
 * says this range is the last pair of a k % 4 != 0 layer, which runs the k % 4 tail in
 * scalar: the other pairs have no tail code, so the hot loop keeps more registers. */
TP_CONV_INLINE void conv_pairs_range(const tp_conv_params *p, int32_t k, const int16_t *pair,
                                     int8_t *o0, int8_t *o1, int32_t oc_from, int32_t oc_to,
                                     int rs, int full, int32_t tail, int odd,
                                     const uint32_t *full_end, const uint32_t *padded_end)
{
    /* locals: the int8 stores below may alias *p, which would force reloads */
    const int32_t zp = p->output_zp;
    const int32_t lo = full ? -128 : p->act_min, hi = full ? 127 : p->act_max;
    const int8_t *filter = p->filter;
    const int32_t *bias = p->bias, *mult = p->mult, *shift = p->shift;
    const int16_t *t0 = (const int16_t *)(const void *)padded_end, *t1 = t0 + 4;
    int32_t oc;
    for (oc = oc_from; oc < oc_to; oc += 2) {
        /* odd (a constant per call site): the lone last channel of an odd out_c runs
         * with itself as the pair and drops the copy; every other range is whole pairs,
         * with no per-pair clamp */
        const int32_t oc1 = odd ? oc : oc + 1;
        const int8_t *w0 = filter + oc * k, *w1 = odd ? w0 : w0 + k;
        const uint32_t *c = (const uint32_t *)(const void *)pair;
        const uint32_t *cend = tail ? full_end : padded_end;
        int32_t a00 = bias[oc], a01 = a00, a10 = bias[oc1], a11 = a10;
        int32_t t;
        /* unrolling this by two measured slower: registers spill. Only a tail range
         * of k < 4 has no whole block; the others skip the entry test. */
        if (!tail || c != cend) {
            do {
                TP_CONV_DSP_BLOCK();
            } while (c != cend);
        }
        for (t = 0; t < tail; ++t) {
            a00 = (int32_t)((uint32_t)a00 + (uint32_t)(w0[t] * t0[t]));
            a01 = (int32_t)((uint32_t)a01 + (uint32_t)(w0[t] * t1[t]));
            a10 = (int32_t)((uint32_t)a10 + (uint32_t)(w1[t] * t0[t]));
            a11 = (int32_t)((uint32_t)a11 + (uint32_t)(w1[t] * t1[t]));
        }
        if (rs) {
            const int32_t m0 = mult[oc], e0 = ~shift[oc], m1 = mult[oc1], e1 = ~shift[oc1];
            const int8_t r00 = full ? tp_out_s8_x2_sat(a00 * 2, m0, e0, zp)
                                    : tp_out_s8_x2(a00 * 2, m0, e0, zp, lo, hi);
            const int8_t r01 = full ? tp_out_s8_x2_sat(a01 * 2, m0, e0, zp)
                                    : tp_out_s8_x2(a01 * 2, m0, e0, zp, lo, hi);
            const int8_t r10 = full ? tp_out_s8_x2_sat(a10 * 2, m1, e1, zp)
                                    : tp_out_s8_x2(a10 * 2, m1, e1, zp, lo, hi);
            const int8_t r11 = full ? tp_out_s8_x2_sat(a11 * 2, m1, e1, zp)
                                    : tp_out_s8_x2(a11 * 2, m1, e1, zp, lo, hi);
            o0[oc] = r00;
            o1[oc] = r01;
            o0[oc1] = r10;
            o1[oc1] = r11;
        } else {
            /* all four results before the int8 stores, which could alias mult / shift */
            const int32_t m0 = mult[oc], s0 = shift[oc], m1 = mult[oc1], s1 = shift[oc1];
            const int8_t r00 = full ? (int8_t)tp_ssat8(tp_requantize_fast(a00, m0, s0) + zp)
                                    : tp_out_s8(a00, m0, s0, zp, lo, hi);
            const int8_t r01 = full ? (int8_t)tp_ssat8(tp_requantize_fast(a01, m0, s0) + zp)
                                    : tp_out_s8(a01, m0, s0, zp, lo, hi);
            const int8_t r10 = full ? (int8_t)tp_ssat8(tp_requantize_fast(a10, m1, s1) + zp)
                                    : tp_out_s8(a10, m1, s1, zp, lo, hi);
            const int8_t r11 = full ? (int8_t)tp_ssat8(tp_requantize_fast(a11, m1, s1) + zp)
                                    : tp_out_s8(a11, m1, s1, zp, lo, hi);
            o0[oc] = r00;
            o1[oc] = r01;
            o0[oc1] = r10;
            o1[oc1] = r11;
        }
    }
}

TP_CONV_INLINE void conv_pair(const tp_conv_params *p, int32_t k, const int16_t *pair,
                              int8_t *o0, int8_t *o1, int rs, int full, int k4)
{
    const int32_t out_c = p->out_c;
    const uint32_t *full_end = (const uint32_t *)(const void *)pair + 4 * (k >> 2);
    /* with a k % 4 tail, rows other than the last read up to 3 bytes of the next row
     * against the zero padding (exactly 0); the last pair runs the tail in scalar */
    const int32_t even = out_c & ~1;
    if (k4 || (k & 3) == 0) {
        conv_pairs_range(p, k, pair, o0, o1, 0, even, rs, full, 0, 0, full_end, full_end);
        if (out_c & 1) {
            conv_pairs_range(p, k, pair, o0, o1, even, out_c, rs, full, 0, 1, full_end,
                             full_end);
        }
    } else {
        const int32_t last = (out_c - 1) & ~1;
        conv_pairs_range(p, k, pair, o0, o1, 0, last, rs, full, 0, 0, full_end, full_end + 4);
        if (out_c & 1) {
            conv_pairs_range(p, k, pair, o0, o1, last, out_c, rs, full, k & 3, 1, full_end,
                             full_end + 4);
        } else {
            conv_pairs_range(p, k, pair, o0, o1, last, out_c, rs, full, k & 3, 0, full_end,
                             full_end + 4);
        }
    }
}

/* Gather for a window wholly inside the image with dil_w 1 and rows of >= 4 bytes (the
 * 3x3 RGB conv away from the border): k_h word copies, none of gather's per-row checks
 * or per-tap fallbacks, so it inlines into the pixel loop. src is the window's top-left
 * tap, step the bytes between its filter rows. */
TP_CONV_INLINE void gather_inside(const int8_t *src, int32_t step, int32_t k_h, int32_t row,
                                  int8_t *col)
{
    int32_t ky;
    for (ky = 0; ky < k_h; ++ky) {
        tp_copy_s8_ge4(col, src, row);
        src += step;
        col += row;
    }
}

/* Window of output pixel (oy, ox) straight into slot s of the pair, for in_c % 4 == 0
 * (every tap starts a block): no int8 copy. A filter row wholly inside the image with
 * dil_w 1 is one contiguous run. */
static void gather_widen(const tp_conv_params *p, const int8_t *input, int32_t oy, int32_t ox,
                         int16_t *pair, int32_t s)
{
    const int32_t c = p->in_c, k_w = p->k_w, dil_w = p->dil_w, in_w = p->in_w;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const int32_t row = k_w * c;
    const int row_inside = x0 >= 0 && x0 + (k_w - 1) * dil_w < in_w;
    const int32_t zp = (int8_t)p->input_zp;
    int32_t ky, kx, off = 0;
    for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) {
            fill_blocks(pair, off, row, s, zp);
        } else if (row_inside && dil_w == 1) {
            widen_blocks(input + (iy * in_w + x0) * c, pair, off, row, s);
        } else {
            for (kx = 0; kx < k_w; ++kx) {
                const int32_t ix = x0 + kx * dil_w;
                if (ix < 0 || ix >= in_w) {
                    fill_blocks(pair, off + kx * c, c, s, zp);
                } else {
                    widen_blocks(input + (iy * in_w + ix) * c, pair, off + kx * c, c, s);
                }
            }
        }
        off += row;
    }
}

TP_CONV_INLINE void conv_any(const tp_conv_params *p, const int8_t *input, int8_t *output,
                             void *scratch, int rs, int full)
{
    const int32_t k = p->k_h * p->k_w * p->in_c;
    const int32_t n = p->out_h * p->out_w;
    int16_t *pair = tp_align4(scratch);
    int8_t *raw = (int8_t *)(pair + TP_CONV_DSP_PAIR_Q15(k));
    int32_t i;
    if ((p->in_c & 3) == 0) {
        for (i = 0; i < n; i += 2) {
            const int32_t j = i + 1 < n ? i + 1 : i;
            gather_widen(p, input, i / p->out_w, i % p->out_w, pair, 0);
            gather_widen(p, input, j / p->out_w, j % p->out_w, pair, 1);
            conv_pair(p, k, pair, output + i * p->out_c, output + j * p->out_c, rs, full, 1);
        }
        return;
    }
    /* gather writes raw[0, k) only: the pad up to a whole word stays zero */
    memset(raw + k, 0, (size_t)(((k + 3) & ~3) - k));
    {
        /* output pixels whose window lies wholly inside the image take gather_inside:
         * oy in [oy_lo, oy_hi), ox in [ox_lo, ox_hi) (empty when a bound crosses) */
        const int32_t c = p->in_c, k_h = p->k_h, row = p->k_w * c, in_w = p->in_w;
        const int32_t out_w = p->out_w, s_h = p->stride_h, s_w = p->stride_w;
        const int32_t ext_h = (k_h - 1) * p->dil_h, ext_w = p->k_w - 1;
        const int32_t oy_lo = (p->pad_top + s_h - 1) / s_h;
        const int32_t ox_lo = (p->pad_left + s_w - 1) / s_w;
        const int32_t oy_hi = p->in_h - ext_h + p->pad_top > 0
                                  ? (p->in_h - ext_h + p->pad_top + s_h - 1) / s_h : 0;
        const int32_t ox_hi = p->dil_w == 1 && row >= 4 && in_w - ext_w + p->pad_left > 0
                                  ? (in_w - ext_w + p->pad_left + s_w - 1) / s_w : 0;
        const int32_t step = p->dil_h * in_w * c;
        int32_t oy = 0, ox = 0; /* of pixel i, kept incrementally: no divisions */
        for (i = 0; i < n; i += 2) {
            const int32_t j = i + 1 < n ? i + 1 : i;
            int32_t oy1 = oy, ox1 = ox + (j - i);
            if (ox1 == out_w) {
                ox1 = 0;
                ++oy1;
            }
            if (oy >= oy_lo && oy < oy_hi && ox >= ox_lo && ox < ox_hi) {
                const int32_t y = oy * s_h - p->pad_top, x = ox * s_w - p->pad_left;
                gather_inside(input + (y * in_w + x) * c, step, k_h, row, raw);
            } else {
                tp_conv_gather(p, input, oy, ox, raw);
            }
            widen_padded(raw, pair, k, 0);
            if (oy1 >= oy_lo && oy1 < oy_hi && ox1 >= ox_lo && ox1 < ox_hi) {
                const int32_t y = oy1 * s_h - p->pad_top, x = ox1 * s_w - p->pad_left;
                gather_inside(input + (y * in_w + x) * c, step, k_h, row, raw);
            } else {
                tp_conv_gather(p, input, oy1, ox1, raw);
            }
            widen_padded(raw, pair, k, 1);
            conv_pair(p, k, pair, output + i * p->out_c, output + j * p->out_c, rs, full, 0);
            /* next i = i + 2 */
            ox = ox1 + 1;
            oy = oy1;
            if (ox == out_w) {
                ox = 0;
                ++oy;
            }
        }
    }
}

TP_CONV_INLINE void conv_1x1_k(const tp_conv_params *p, const int8_t *input, int8_t *output,
                               void *scratch, int rs, int full, int k4)
{
    const int32_t c = p->in_c;
    const int32_t n = p->out_h * p->out_w;
    const int32_t out_w = p->out_w, in_w = p->in_w, s_h = p->stride_h, s_w = p->stride_w;
    int16_t *pair = tp_align4(scratch);
    int32_t i;
    for (i = 0; i < n; i += 2) {
        const int32_t j = i + 1 < n ? i + 1 : i;
        const int32_t y0 = i / out_w, x0 = i % out_w;
        const int32_t y1 = j / out_w, x1 = j % out_w;
        widen_into_pair(input + (y0 * s_h * in_w + x0 * s_w) * c, pair, c, 0);
        widen_into_pair(input + (y1 * s_h * in_w + x1 * s_w) * c, pair, c, 1);
        conv_pair(p, c, pair, output + i * p->out_c, output + j * p->out_c, rs, full, k4);
    }
}

/* in_c % 4 == 0 (every layer but a few odd-depth ones): no tail code in the channel loop,
 * which frees registers for it. */
TP_CONV_INLINE void conv_1x1(const tp_conv_params *p, const int8_t *input, int8_t *output,
                             void *scratch, int rs, int full)
{
    if ((p->in_c & 3) == 0) {
        conv_1x1_k(p, input, output, scratch, rs, full, 1);
    } else {
        conv_1x1_k(p, input, output, scratch, rs, full, 0);
    }
}

/* Full-range clamp checked once per call: most layers (no activation, or ReLU with the
 * output zero point at -128) take the SSAT variant. */
void tp_conv_s8_dsp(const tp_conv_params *p, const int8_t *input, int8_t *output, void *scratch)
{
    if (p->act_min == -128 && p->act_max == 127) {
        conv_any(p, input, output, scratch, 0, 1);
    } else {
        conv_any(p, input, output, scratch, 0, 0);
    }
}

void tp_conv_s8_dsp_rs(const tp_conv_params *p, const int8_t *input, int8_t *output,
                       void *scratch)
{
    if (p->act_min == -128 && p->act_max == 127) {
        conv_any(p, input, output, scratch, 1, 1);
    } else {
        conv_any(p, input, output, scratch, 1, 0);
    }
}

void tp_conv_1x1_s8_dsp(const tp_conv_params *p, const int8_t *input, int8_t *output,
                        void *scratch)
{
    if (p->act_min == -128 && p->act_max == 127) {
        conv_1x1(p, input, output, scratch, 0, 1);
    } else {
        conv_1x1(p, input, output, scratch, 0, 0);
    }
}

void tp_conv_1x1_s8_dsp_rs(const tp_conv_params *p, const int8_t *input, int8_t *output,
                           void *scratch)
{
    if (TP_CONV_1X1_PK(p->in_c)) { /* filter packed by the compiler (tp_conv_pk_dsp.h) */
        tp_conv_1x1_pk_s8_dsp(p, input, output, scratch);
    } else if (p->act_min == -128 && p->act_max == 127) {
        conv_1x1(p, input, output, scratch, 1, 1);
    } else {
        conv_1x1(p, input, output, scratch, 1, 0);
    }
}
