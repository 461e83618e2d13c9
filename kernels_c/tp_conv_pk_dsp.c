#include "tp_conv_pk_dsp.h"

#include "tp_conv_gather.h"
#include "tp_dsp_common.h"

/*
 * Column pair (int16 words, 4-byte aligned), as in tp_conv_dsp.c: per block of four depth
 * slots x0..x3 the words (p0: x0,x2) (p0: x1,x3) (p1: x0,x2) (p1: x1,x3), so one LDRD
 * per pixel feeds a block's SMLADs, and the packed filter's blocks line up with it.
 */

#if defined(__GNUC__)
#define TP_PK_INLINE static inline __attribute__((always_inline))
#else
#define TP_PK_INLINE static inline
#endif

/* Four input bytes into one block (two words) of a column slot. */
TP_PK_INLINE void widen4(const int8_t *src, uint32_t *d)
{
    const uint32_t w = tp_read_s8x4(src);
    d[0] = tp_sxtb16(w);
    d[1] = tp_sxtb16_ror8(w);
}

/* The geometry of a call's windows, worked out once. Output pixels whose window lies
 * wholly inside the image (oy in [oy_lo, oy_hi), ox in [ox_lo, ox_hi), empty when a
 * bound crosses; dil_w 1) read it in place, rows `step` bytes apart; the others gather
 * it (zero-point padded) into raw, rows `row` bytes apart. */
typedef struct {
    const tp_conv_params *p;
    const int8_t *input;
    int8_t *raw;   /* one gathered window */
    int32_t oy_lo, oy_hi, ox_lo, ox_hi;
    int32_t step, row, groups, rest;
} pk_geom;

/* One pixel's window (top-left tap src, filter rows step bytes apart) into the column
 * slot at d, in the packed depth order: the `groups` whole words of every row, then the
 * rows' remaining `rest` bytes, per four of them the words (r0, r2) (r1, r3) by LDRSB
 * and PKHBT. One remaining byte per row (3x3 RGB, 5x5 mono) takes them straight from
 * four rows; the half after the last value may be anything (its weight is 0). */
TP_PK_INLINE void widen_window(const int8_t *src, int32_t step, int32_t k_h, int32_t groups,
                               int32_t rest, uint32_t *d)
{
    const int8_t *r = src;
    int32_t ky, q;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
    for (ky = 0; ky < k_h; ++ky) {
        for (q = 0; q < groups; ++q) {
            widen4(r + 4 * q, d + 4 * q);
        }
        d += 4 * groups;
        r += step;
    }
    r = src + 4 * groups;
    if (rest == 1) {
        for (ky = 0; ky + 4 <= k_h; ky += 4) {
            d[0] = tp_pkhbt16(r[0], r[2 * step]);
            d[1] = tp_pkhbt16(r[step], r[3 * step]);
            d += 4;
            r += 4 * step;
        }
        if (ky + 2 < k_h) {
            d[0] = tp_pkhbt16(r[0], r[2 * step]);
            d[1] = (uint32_t)r[step];
        } else if (ky + 1 < k_h) {
            d[0] = (uint32_t)r[0];
            d[1] = (uint32_t)r[step];
        } else if (ky < k_h) {
            d[0] = (uint32_t)r[0];
            d[1] = 0;
        }
    } else if (rest) {
        int32_t v[4], nv = 0, i;
        for (ky = 0; ky < k_h; ++ky) {
            for (i = 0; i < rest; ++i) {
                v[nv++] = r[i];
                if (nv == 4) {
                    d[0] = tp_pkhbt16(v[0], v[2]);
                    d[1] = tp_pkhbt16(v[1], v[3]);
                    d += 4;
                    nv = 0;
                }
            }
            r += step;
        }
        if (nv) {
            for (i = nv; i < 4; ++i) {
                v[i] = 0;
            }
            d[0] = tp_pkhbt16(v[0], v[2]);
            d[1] = tp_pkhbt16(v[1], v[3]);
        }
    }
}

/* Windows of output pixels (oy, ox) and (oy1, ox1) into slots 0 and 1 of the column pair.
 * Out of line, one copy per window shape (groups, rest constants in the instances). */
TP_PK_INLINE void widen_pair_k(const pk_geom *g, int32_t oy, int32_t ox, int32_t oy1,
                               int32_t ox1, uint32_t *pair, int32_t k_h, int32_t groups,
                               int32_t rest)
{
    const tp_conv_params *p = g->p;
    int32_t s;
    for (s = 0; s < 2; ++s) {
        if (oy >= g->oy_lo && oy < g->oy_hi && ox >= g->ox_lo && ox < g->ox_hi) {
            widen_window(g->input + ((oy * p->stride_h - p->pad_top) * p->in_w
                                     + ox * p->stride_w - p->pad_left) * p->in_c,
                         g->step, k_h, groups, rest, pair + 2 * s);
        } else {
            tp_conv_gather(p, g->input, oy, ox, g->raw);
            widen_window(g->raw, g->row, k_h, groups, rest, pair + 2 * s);
        }
        oy = oy1;
        ox = ox1;
    }
}

typedef void (*pk_widen_fn)(const pk_geom *g, int32_t oy, int32_t ox, int32_t oy1,
                            int32_t ox1, uint32_t *pair);

/* 3x3 x 3 channels (RGB): three rows of two words and one byte. */
static void widen_pair_3x3x3(const pk_geom *g, int32_t oy, int32_t ox, int32_t oy1,
                             int32_t ox1, uint32_t *pair)
{
    widen_pair_k(g, oy, ox, oy1, ox1, pair, 3, 2, 1);
}

/* rows of one word (DS-CNN's 10x4 x 1, k_h x 1 x 4) */
static void widen_pair_g1r0(const pk_geom *g, int32_t oy, int32_t ox, int32_t oy1, int32_t ox1,
                            uint32_t *pair)
{
    widen_pair_k(g, oy, ox, oy1, ox1, pair, g->p->k_h, 1, 0);
}

static void widen_pair_any(const pk_geom *g, int32_t oy, int32_t ox, int32_t oy1, int32_t ox1,
                           uint32_t *pair)
{
    widen_pair_k(g, oy, ox, oy1, ox1, pair, g->p->k_h, g->groups, g->rest);
}

/* One block of four depth slots for two filter channels x the two pixels of a column
 * pair: two LDRD of the column, two of the filter, eight SMLAD (16 MACs). */
#define TP_PK_BLOCK()                                                                   \
    do {                                                                                \
        uint32_t p0l, p0h, p1l, p1h, wl, wh;                                            \
        c = tp_read_u32x2(c, &p0l, &p0h);                                               \
        c = tp_read_u32x2(c, &p1l, &p1h);                                               \
        w = tp_read_u32x2(w, &wl, &wh);                                                 \
        a00 = tp_smlad(wl, p0l, a00);                                                   \
        a01 = tp_smlad(wl, p1l, a01);                                                   \
        a00 = tp_smlad(wh, p0h, a00);                                                   \
        a01 = tp_smlad(wh, p1h, a01);                                                   \
        w = tp_read_u32x2(w, &wl, &wh);                                                 \
        a10 = tp_smlad(wl, p0l, a10);                                                   \
        a11 = tp_smlad(wl, p1l, a11);                                                   \
        a10 = tp_smlad(wh, p0h, a10);                                                   \
        a11 = tp_smlad(wh, p1h, a11);                                                   \
    } while (0)

/* The whole channel pairs for one column pair: per pair one pass over the packed stream
 * w (biases, np blocks, requantisation words), two filter channels x two pixels. p1's
 * outputs go to o1 (o1 == o0 for a lone last pixel: the same values twice). With np a
 * constant (the specialised instances) the depth loop is unrolled whole; corr, full are
 * constants per instance. Returns w after the last pair. */
TP_PK_INLINE const uint32_t *pk_channels(const uint32_t *w, int32_t pairs, const uint32_t *pair,
                                         int8_t *o0, int8_t *o1, int32_t np, int corr,
                                         int full, int32_t lo, int32_t hi)
{
    int8_t *const end = o0 + 2 * pairs;
    while (o0 != end) {
        const uint32_t *c = pair;
        uint32_t b0, b1, m0, m1, c0, c1, e0, e1;
        int32_t a00, a01, a10, a11, q;
        w = tp_read_u32x2(w, &b0, &b1);
        a00 = (int32_t)b0;
        a01 = (int32_t)b0;
        a10 = (int32_t)b1;
        a11 = (int32_t)b1;
        if (__builtin_constant_p(np)) {
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 16
#endif
            for (q = 0; q < np; ++q) {
                TP_PK_BLOCK();
            }
        } else {
            for (q = 0; q < np; ++q) {
                TP_PK_BLOCK();
            }
        }
        w = tp_read_u32x2(w, &m0, &m1);
        w = tp_read_u32x2(w, &c0, &c1);
        w = tp_read_u32x2(w, &e0, &e1);
        o0[0] = tp_conv_pk_out(a00, (int32_t)m0, (int32_t)c0, (int32_t)e0, corr, full, lo, hi);
        o1[0] = tp_conv_pk_out(a01, (int32_t)m0, (int32_t)c0, (int32_t)e0, corr, full, lo, hi);
        o0[1] = tp_conv_pk_out(a10, (int32_t)m1, (int32_t)c1, (int32_t)e1, corr, full, lo, hi);
        o1[1] = tp_conv_pk_out(a11, (int32_t)m1, (int32_t)c1, (int32_t)e1, corr, full, lo, hi);
        o0 += 2;
        o1 += 2;
    }
    return w;
}

/* The last channel of an odd out_c (its pair's second channel is padding): out of line,
 * once per column pair, runtime depth and requantisation. */
static void pk_last_channel(const tp_conv_params *p, const uint32_t *w, const uint32_t *pair,
                            int8_t *o0, int8_t *o1, int32_t np)
{
    const uint32_t *c = pair;
    uint32_t b0, b1, m0, m1, c0, c1, e0, e1;
    const int corr = p->act_min < p->output_zp;
    int32_t a00, a01, q;
    w = tp_read_u32x2(w, &b0, &b1);
    a00 = (int32_t)b0;
    a01 = (int32_t)b0;
    for (q = 0; q < np; ++q) {
        uint32_t p0l, p0h, p1l, p1h, wl, wh;
        c = tp_read_u32x2(c, &p0l, &p0h);
        c = tp_read_u32x2(c, &p1l, &p1h);
        w = tp_read_u32x2(w, &wl, &wh);
        a00 = tp_smlad(wh, p0h, tp_smlad(wl, p0l, a00));
        a01 = tp_smlad(wh, p1h, tp_smlad(wl, p1l, a01));
        w += 2; /* the padding channel */
    }
    w = tp_read_u32x2(w, &m0, &m1);
    w = tp_read_u32x2(w, &c0, &c1);
    (void)tp_read_u32x2(w, &e0, &e1);
    o0[0] = tp_conv_pk_out(a00, (int32_t)m0, (int32_t)c0, (int32_t)e0, corr, 0, p->act_min,
                           p->act_max);
    o1[0] = tp_conv_pk_out(a01, (int32_t)m0, (int32_t)c0, (int32_t)e0, corr, 0, p->act_min,
                           p->act_max);
}

/* Every output channel for one column pair. */
TP_PK_INLINE void pk_pixel_pair(const tp_conv_params *p, const uint32_t *pair, int8_t *o0,
                                int8_t *o1, int32_t np, int corr, int full)
{
    const int32_t pairs = p->out_c >> 1;
    const uint32_t *w = pk_channels((const uint32_t *)(const void *)p->filter, pairs, pair, o0,
                                    o1, np, corr, full, p->act_min, p->act_max);
    if (p->out_c & 1) {
        pk_last_channel(p, w, pair, o0 + 2 * pairs, o1 + 2 * pairs, np);
    }
}

TP_PK_INLINE void conv_pk(const tp_conv_params *p, const int8_t *input, int8_t *output,
                          void *scratch, int32_t k4, int corr, int full)
{
    const int32_t c = p->in_c, k_h = p->k_h, in_w = p->in_w;
    const int32_t out_w = p->out_w, out_c = p->out_c, s_h = p->stride_h, s_w = p->stride_w;
    const int32_t n = p->out_h * out_w;
    const int32_t ext_h = (k_h - 1) * p->dil_h, ext_w = p->k_w - 1;
    uint32_t *pair = (uint32_t *)(void *)tp_align4(scratch);
    pk_geom g;
    pk_widen_fn widen;
    int32_t i, oy = 0, ox = 0; /* of pixel i, kept incrementally: no divisions */
    g.p = p;
    g.input = input;
    g.raw = (int8_t *)(pair + k4);
    g.oy_lo = (p->pad_top + s_h - 1) / s_h;
    g.ox_lo = (p->pad_left + s_w - 1) / s_w;
    g.oy_hi = p->in_h - ext_h + p->pad_top > 0 ? (p->in_h - ext_h + p->pad_top + s_h - 1) / s_h
                                               : 0;
    g.ox_hi = p->dil_w == 1 && in_w - ext_w + p->pad_left > 0
                  ? (in_w - ext_w + p->pad_left + s_w - 1) / s_w : 0;
    g.step = p->dil_h * in_w * c;
    g.row = p->k_w * c;
    g.groups = g.row >> 2;
    g.rest = g.row & 3;
    widen = k_h == 3 && g.row == 9         ? widen_pair_3x3x3
            : g.groups == 1 && g.rest == 0 ? widen_pair_g1r0 : widen_pair_any;
    for (i = 0; i < n; i += 2) {
        const int32_t j = i + 1 < n ? i + 1 : i;
        int32_t oy1 = oy, ox1 = ox + (j - i);
        if (ox1 == out_w) {
            ox1 = 0;
            ++oy1;
        }
        widen(&g, oy, ox, oy1, ox1, pair);
        pk_pixel_pair(p, pair, output + i * out_c, output + j * out_c, k4 >> 2, corr, full);
        /* next i = i + 2 */
        ox = ox1 + 1;
        oy = oy1;
        if (ox == out_w) {
            ox = 0;
            ++oy;
        }
    }
}

/* The clamp and the sign step, checked once per call: the full clamp [-128, 127] (no
 * activation, or ReLU / ReLU6 whose range covers it) has an instance per sign step, ReLU
 * (act_min == output_zp) skipping it; a narrower clamp tests both per value. */
TP_PK_INLINE void conv_pk_any(const tp_conv_params *p, const int8_t *input, int8_t *output,
                              void *scratch, int32_t k4)
{
    const int corr = p->act_min < p->output_zp;
    if (p->act_min == -128 && p->act_max == 127) {
        if (corr) {
            conv_pk(p, input, output, scratch, k4, 1, 1);
        } else {
            conv_pk(p, input, output, scratch, k4, 0, 1);
        }
    } else {
        conv_pk(p, input, output, scratch, k4, corr, 0);
    }
}

#define TP_CONV_PK_DEFINE(k4)                                                           \
    void tp_conv_pk_s8_dsp_k##k4(const tp_conv_params *p, const int8_t *input,          \
                                 int8_t *output, void *scratch)                         \
    {                                                                                   \
        conv_pk_any(p, input, output, scratch, k4);                                     \
    }

TP_CONV_PK_DEFINE(4)
TP_CONV_PK_DEFINE(8)
TP_CONV_PK_DEFINE(12)
TP_CONV_PK_DEFINE(16)
TP_CONV_PK_DEFINE(20)
TP_CONV_PK_DEFINE(24)
TP_CONV_PK_DEFINE(28)
TP_CONV_PK_DEFINE(32)
TP_CONV_PK_DEFINE(36)
TP_CONV_PK_DEFINE(40)
TP_CONV_PK_DEFINE(44)
TP_CONV_PK_DEFINE(48)
TP_CONV_PK_DEFINE(52)
TP_CONV_PK_DEFINE(56)
TP_CONV_PK_DEFINE(60)
TP_CONV_PK_DEFINE(64)

/* 1x1: each pixel's in_c bytes are whole words, widened straight into the pair. The
 * input advances by stride_w pixels per output pixel, and to the next sampled row after
 * the last of an output row (dy; dy == dx when the pixels are contiguous). */
TP_PK_INLINE void conv_1x1_pk(const tp_conv_params *p, const int8_t *input, int8_t *output,
                              void *scratch, int32_t np, int corr, int full)
{
    const int32_t c = p->in_c, out_c = p->out_c, out_w = p->out_w;
    const int32_t dx = p->stride_w * c;
    const int32_t dy = (p->stride_h * p->in_w - (out_w - 1) * p->stride_w) * c;
    int8_t *const end = output + p->out_h * out_w * out_c;
    uint32_t *pair = (uint32_t *)(void *)tp_align4(scratch);
    const int8_t *x = input;
    int8_t *o = output;
    int32_t g, ox = 0; /* output column of o; x its input pixel */
    while (o != end) {
        const int8_t *x1 = x;
        int8_t *o1 = o;
        if (o + out_c != end) { /* else a lone last pixel, paired with itself */
            o1 += out_c;
            x1 += ++ox == out_w ? dy : dx;
            ox = ox == out_w ? 0 : ox;
        }
        for (g = 0; g < np; ++g) {
            widen4(x + 4 * g, pair + 4 * g);
            widen4(x1 + 4 * g, pair + 4 * g + 2);
        }
        pk_pixel_pair(p, pair, o, o1, np, corr, full);
        o = o1 + out_c;
        if (o != end) {
            x = x1 + (++ox == out_w ? dy : dx);
            ox = ox == out_w ? 0 : ox;
        }
    }
}

/* Depths with an unrolled instance (8, 16: the shallow 1x1 layers of MobileNets) and the
 * others with a runtime block count, each with and without the sign step for the full
 * clamp; narrower clamps through one instance that tests both per value. */
void tp_conv_1x1_pk_s8_dsp(const tp_conv_params *p, const int8_t *input, int8_t *output,
                           void *scratch)
{
    const int corr = p->act_min < p->output_zp;
    const int32_t np = p->in_c >> 2;
    if (p->act_min != -128 || p->act_max != 127) {
        conv_1x1_pk(p, input, output, scratch, np, corr, 0);
    } else if (np == 2) {
        if (corr) {
            conv_1x1_pk(p, input, output, scratch, 2, 1, 1);
        } else {
            conv_1x1_pk(p, input, output, scratch, 2, 0, 1);
        }
    } else if (np == 4) {
        if (corr) {
            conv_1x1_pk(p, input, output, scratch, 4, 1, 1);
        } else {
            conv_1x1_pk(p, input, output, scratch, 4, 0, 1);
        }
    } else if (corr) {
        conv_1x1_pk(p, input, output, scratch, np, 1, 1);
    } else {
        conv_1x1_pk(p, input, output, scratch, np, 0, 1);
    }
}
