/*
 * Batched int8 convolution for the host simulator's native engine (kernels_c/tp_conv.c
 * and tp_conv_1x1.c, over many inferences per call).
 *
 * A group of samples is first copied into padded images of x + 128 (padded taps get
 * input_zp + 128), row by row. A window's values are then a few contiguous runs (one per
 * filter row, or per tap when dilated), which the products read in place, no im2col:
 * each run is read in whole 4-byte words, and the values past its end (the next
 * pixel's, or the slack after the last image) meet zero filter values.
 * Products are of x + 128 (0..255) and the signed weights, so each sum carries
 * 128 * sum(w) more than the kernel's; the loader takes it out of the bias. Every sum is
 * exact in int32 and the requantisation is tp_requant.h's, so the output is bit-exact
 * with the kernels.
 *
 * Two builds, chosen by the host: AVX-512 VNNI (images of bytes, vpdpbusd: 4 products
 * per lane, 16 output channels per vector, requantised from registers) and AVX2 (images
 * of int16, vpmaddwd: 2 products per lane, 8 output channels per vector, requantised by
 * sim_requant.h). Other hosts have no native convolution: numpy's BLAS products beat
 * portable C loops there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim_requant.h"

/* TP_SIM_PORTABLE: neither (the tests build every variant) */
#if !defined(TP_SIM_PORTABLE) && defined(__AVX512F__) && defined(__AVX512BW__) && \
    defined(__AVX512VL__) && defined(__AVX512VNNI__)
#include <immintrin.h>
#define TP_SIM_KIND 2
typedef uint8_t tp_sim_elem;   /* image value x + 128 */
#define TP_SIM_LANES 16        /* output channels per packed block (one vector) */
#define TP_SIM_PER_WORD 4      /* image values per 4-byte word */
#elif !defined(TP_SIM_PORTABLE) && defined(__AVX2__)
#include <immintrin.h>
#define TP_SIM_KIND 1
typedef int16_t tp_sim_elem;
#define TP_SIM_LANES 8
#define TP_SIM_PER_WORD 2
#else
#define TP_SIM_KIND 0
#endif

#define TP_SIM_GROUP_BYTES (192 << 10) /* padded images per group: about half an L2 */
#define TP_SIM_MAX_RUNS 64             /* runs per window (filter rows, or taps if dilated) */

/** Geometry and constants of one convolution; filters packed by the loader. */
typedef struct {
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;
    int32_t input_zp;      /**< value of padded taps */
    int32_t k4;            /**< 4-byte words per window: runs x words per run (see below) */
    int32_t blocks;        /**< out_c rounded up to TP_SIM_LANES, divided by it */
    const void *packed;    /**< [blocks][k4][TP_SIM_LANES][TP_SIM_PER_WORD] int8 (VNNI) or
                                int16 (AVX2): filter b * LANES + l at word g value j, words
                                run after run, each run's values in (kx, c) order then 0 */
    tp_sim_requant q;      /**< arrays padded to LANES * blocks; bias has -128 * sum(w) in */
} tp_sim_conv;

/** Where a layer's windows are in a group of padded images. */
typedef struct {
    int32_t img_w;             /**< padded image width (pixels) */
    int64_t img_size;          /**< values per padded image */
    int32_t runs;              /**< contiguous runs per window */
    int32_t run_words;         /**< 4-byte words per run: its values rounded up */
    int64_t run_off[TP_SIM_MAX_RUNS]; /**< offset (values) of each run from the window's corner */
} tp_sim_windows;

#if TP_SIM_KIND
/** dst[i] = x[i] + 128, i < n. */
static void to_image(tp_sim_elem *restrict dst, const int8_t *restrict x, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        dst[i] = (tp_sim_elem)(x[i] + 128);
    }
}

/** n copies of v. */
static void fill(tp_sim_elem *dst, tp_sim_elem v, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; ++i) {
        dst[i] = v;
    }
}

/** Copy ns samples into padded images (see the file comment). */
static void pad_images(const tp_sim_conv *c, const tp_sim_windows *win, int32_t img_h,
                       const int8_t *restrict input, tp_sim_elem *restrict img, int32_t ns)
{
    const int32_t in_c = c->in_c, img_w = win->img_w, pad_left = c->pad_left;
    const tp_sim_elem pad = (tp_sim_elem)(c->input_zp + 128);
    /* image columns holding input pixels: [x_lo, x_hi) */
    const int32_t x_lo = pad_left < img_w ? pad_left : img_w;
    const int32_t x_hi = img_w < pad_left + c->in_w ? img_w : pad_left + c->in_w;
    int32_t s, y;
    for (s = 0; s < ns; ++s) {
        const int8_t *src = input + (int64_t)s * c->in_h * c->in_w * in_c;
        tp_sim_elem *dst = img + s * win->img_size;
        for (y = 0; y < img_h; ++y) {
            const int32_t iy = y - c->pad_top;
            tp_sim_elem *row = dst + (int64_t)y * img_w * in_c;
            if (iy < 0 || iy >= c->in_h) {
                fill(row, pad, (int64_t)img_w * in_c);
                continue;
            }
            fill(row, pad, (int64_t)x_lo * in_c);
            to_image(row + x_lo * in_c, src + (int64_t)iy * c->in_w * in_c, (x_hi - x_lo) * in_c);
            fill(row + x_hi * in_c, pad, (int64_t)(img_w - x_hi) * in_c);
        }
    }
}

/** Window corners of output rows r0 .. r0 + rows - 1 (sample-major) in a group of padded
 *  images; rows past `total` repeat the last one (computed, never stored). */
static inline void corners(const tp_sim_conv *c, const tp_sim_windows *win,
                           const tp_sim_elem *img, int64_t r0, int64_t total,
                           const tp_sim_elem **base, int rows)
{
    const int64_t pixels = (int64_t)c->out_h * c->out_w;
    const int64_t step_x = (int64_t)c->stride_w * c->in_c;
    const int64_t step_y = (int64_t)c->stride_h * win->img_w * c->in_c;
    int64_t s = r0 / pixels;
    int32_t p = (int32_t)(r0 - s * pixels);
    int32_t oy = p / c->out_w, ox = p - oy * c->out_w;
    int r;
    for (r = 0; r < rows; ++r) {
        base[r] = img + s * win->img_size + oy * step_y + ox * step_x;
        if (r0 + r + 1 < total && ++ox == c->out_w) {
            ox = 0;
            if (++oy == c->out_h) {
                oy = 0;
                ++s;
            }
        }
    }
}

#if TP_SIM_KIND == 2
/** (ab + nudge) / 2^31 truncated toward zero, per int64 lane: tp_srdhm after its product
 *  (nudge 2^30, or 1 - 2^30 for negative products). */
static inline __m512i srdhm_tail(__m512i ab)
{
    const __m512i zero = _mm512_setzero_si512();
    const __mmask8 negative = _mm512_cmplt_epi64_mask(ab, zero);
    ab = _mm512_add_epi64(ab, _mm512_mask_blend_epi64(negative, _mm512_set1_epi64(1LL << 30),
                                                      _mm512_set1_epi64(1 - (1LL << 30))));
    /* truncation: add 2^31 - 1 to negative sums before the arithmetic shift */
    ab = _mm512_add_epi64(ab, _mm512_and_si512(_mm512_srai_epi64(ab, 63),
                                               _mm512_set1_epi64(0x7FFFFFFF)));
    return _mm512_srai_epi64(ab, 31);
}

/** 16 int8 outputs in one float64 rounding (sim_requant.h), block b's constants. */
static inline __m512i requant16_single(const tp_sim_requant *q, int32_t b, __m512i acc)
{
    const int32_t rnd = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
    const double *scale = q->scale + 16 * b, *offset = q->offset + 16 * b;
    const __m512d lo = _mm512_cvtepi32_pd(_mm512_castsi512_si256(acc));
    const __m512d hi = _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(acc, 1));
    const __m512d lo_v = _mm512_roundscale_pd(
        _mm512_fmadd_pd(lo, _mm512_loadu_pd(scale), _mm512_loadu_pd(offset)), rnd);
    const __m512d hi_v = _mm512_roundscale_pd(
        _mm512_fmadd_pd(hi, _mm512_loadu_pd(scale + 8), _mm512_loadu_pd(offset + 8)), rnd);
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtpd_epi32(lo_v)),
                              _mm512_cvtpd_epi32(hi_v), 1);
}

/** 16 requantised int8 outputs of block b from their int32 sums (tp_sim_requant_row). */
static inline __m128i requant16(const tp_sim_requant *q, int32_t b, __m512i acc)
{
    const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
    __m512i v;
    if (q->scale != NULL) {
        v = requant16_single(q, b, acc);
    } else {
        const __m512i shift = _mm512_loadu_si512(q->shift + 16 * b);
        const __m512i left = _mm512_max_epi32(shift, zero);
        const __m512i right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
        const __m512i mult = _mm512_loadu_si512(q->mult + 16 * b);
        const __m512i x = _mm512_sllv_epi32(
            _mm512_add_epi32(acc, _mm512_loadu_si512(q->bias + 16 * b)), left);
        /* srdhm on the even and the odd lanes as int64 products */
        const __m512i even = srdhm_tail(_mm512_mul_epi32(x, mult));
        const __m512i odd = srdhm_tail(
            _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(mult, 32)));
        const __m512i high = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
        /* rdbypot: round half away from zero */
        const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
        const __m512i threshold = _mm512_add_epi32(
            _mm512_srai_epi32(mask, 1),
            _mm512_maskz_mov_epi32(_mm512_cmplt_epi32_mask(high, zero), one));
        const __mmask16 up = _mm512_cmpgt_epi32_mask(_mm512_and_si512(high, mask), threshold);
        v = _mm512_srav_epi32(high, right);
        v = _mm512_mask_add_epi32(v, up, v, one);
        v = _mm512_add_epi32(v, _mm512_set1_epi32(q->output_zp));
    }
    v = _mm512_max_epi32(v, _mm512_set1_epi32(q->act_min));
    v = _mm512_min_epi32(v, _mm512_set1_epi32(q->act_max));
    return _mm512_cvtepi32_epi8(v);
}

/* rows x (16 * nb) sums in registers; rows and nb are literals at every call */
static inline __attribute__((always_inline)) void tile(
    const tp_sim_conv *c, const tp_sim_windows *win, const tp_sim_elem *img, int64_t r0,
    int64_t total, int32_t b0, int8_t *output, const int rows, const int nb)
{
    const tp_sim_elem *base[8];
    __m512i sum[8][4];
    int r, b, run, j;
    int32_t g = 0;
    corners(c, win, img, r0, total, base, rows);
    for (r = 0; r < rows; ++r) {
        for (b = 0; b < nb; ++b) {
            sum[r][b] = _mm512_setzero_si512();
        }
    }
    for (run = 0; run < win->runs; ++run) {
        const int64_t off = win->run_off[run];
        for (j = 0; j < win->run_words; ++j, ++g) {
            __m512i w[4];
            for (b = 0; b < nb; ++b) {
                w[b] = _mm512_loadu_si512((const int8_t *)c->packed +
                                          ((int64_t)(b0 + b) * c->k4 + g) * 64);
            }
            for (r = 0; r < rows; ++r) {
                int32_t word;
                memcpy(&word, base[r] + off + 4 * j, 4);
                const __m512i a = _mm512_set1_epi32(word);
                for (b = 0; b < nb; ++b) {
                    sum[r][b] = _mm512_dpbusd_epi32(sum[r][b], a, w[b]);
                }
            }
        }
    }
    for (r = 0; r < rows && r0 + r < total; ++r) {
        for (b = 0; b < nb; ++b) {
            const int32_t oc = (b0 + b) * TP_SIM_LANES;
            const int32_t left = c->out_c - oc;
            const __mmask16 keep = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1u);
            _mm_mask_storeu_epi8(output + (r0 + r) * c->out_c + oc, keep,
                                 requant16(&c->q, b0 + b, sum[r][b]));
        }
    }
}

/** Outputs of `total` rows of a group of padded images (acc: unused here). */
static void rows_out(const tp_sim_conv *c, const tp_sim_windows *win, const tp_sim_elem *img,
                     int64_t total, int8_t *output, int32_t *acc)
{
    int64_t r;
    int32_t b = 0;
    (void)acc;
    for (; b + 4 <= c->blocks; b += 4) {
        for (r = 0; r < total; r += 6) {  /* 6 x 4 sums: 24 of the 32 vector registers */
            tile(c, win, img, r, total, b, output, 6, 4);
        }
    }
    for (; b + 2 <= c->blocks; b += 2) {
        for (r = 0; r < total; r += 8) {
            tile(c, win, img, r, total, b, output, 8, 2);
        }
    }
    for (; b < c->blocks; ++b) {
        for (r = 0; r < total; r += 8) {
            tile(c, win, img, r, total, b, output, 8, 1);
        }
    }
}
#else /* AVX2 */
#define TP_SIM_AVX2_ROWS 4  /* rows per tile: 4 x 3 sums + 3 filters + 1 input = 16 registers */

/* rows x (8 * nb) sums in registers, stored to acc; nb is a literal at every call */
static inline __attribute__((always_inline)) void tile(
    const tp_sim_conv *c, const tp_sim_windows *win, const tp_sim_elem *img, int64_t r0,
    int64_t total, int32_t b0, int32_t *acc, const int nb)
{
    const int32_t width = TP_SIM_LANES * c->blocks;
    const tp_sim_elem *base[TP_SIM_AVX2_ROWS];
    __m256i sum[TP_SIM_AVX2_ROWS][3];
    int r, b, run, j;
    int32_t g = 0;
    corners(c, win, img, r0, total, base, TP_SIM_AVX2_ROWS);
    for (r = 0; r < TP_SIM_AVX2_ROWS; ++r) {
        for (b = 0; b < nb; ++b) {
            sum[r][b] = _mm256_setzero_si256();
        }
    }
    for (run = 0; run < win->runs; ++run) {
        const int64_t off = win->run_off[run];
        for (j = 0; j < win->run_words; ++j, ++g) {
            __m256i w[3];
            for (b = 0; b < nb; ++b) {
                w[b] = _mm256_loadu_si256((const __m256i *)((const int16_t *)c->packed +
                                                            ((int64_t)(b0 + b) * c->k4 + g) * 16));
            }
            for (r = 0; r < TP_SIM_AVX2_ROWS; ++r) {
                int32_t word;
                memcpy(&word, base[r] + off + 2 * j, 4);
                const __m256i a = _mm256_set1_epi32(word);
                for (b = 0; b < nb; ++b) {
                    sum[r][b] = _mm256_add_epi32(sum[r][b], _mm256_madd_epi16(a, w[b]));
                }
            }
        }
    }
    for (r = 0; r < TP_SIM_AVX2_ROWS; ++r) {
        for (b = 0; b < nb; ++b) {
            _mm256_storeu_si256((__m256i *)(acc + r * width + (b0 + b) * TP_SIM_LANES), sum[r][b]);
        }
    }
}

/** Outputs of `total` rows of a group of padded images; acc: TP_SIM_AVX2_ROWS rows of
 *  8 * blocks sums. */
static void rows_out(const tp_sim_conv *c, const tp_sim_windows *win, const tp_sim_elem *img,
                     int64_t total, int8_t *output, int32_t *acc)
{
    const int32_t width = TP_SIM_LANES * c->blocks;
    int64_t r0;
    int32_t b, r;
    for (r0 = 0; r0 < total; r0 += TP_SIM_AVX2_ROWS) {
        for (b = 0; b + 3 <= c->blocks; b += 3) {
            tile(c, win, img, r0, total, b, acc, 3);
        }
        for (; b + 2 <= c->blocks; b += 2) {
            tile(c, win, img, r0, total, b, acc, 2);
        }
        for (; b < c->blocks; ++b) {
            tile(c, win, img, r0, total, b, acc, 1);
        }
        for (r = 0; r < TP_SIM_AVX2_ROWS && r0 + r < total; ++r) {
            tp_sim_requant_row(&c->q, acc + r * width, output + (r0 + r) * c->out_c, c->out_c);
        }
    }
}
#endif

/**
 * @brief  Convolution of n samples (AVX-512 VNNI and AVX2 builds only; see the file
 *         comment).
 * @param[in]  c        layer (packed by the loader for this build)
 * @param[in]  input    [n][in_h][in_w][in_c] int8
 * @param[out] output   [n][out_h][out_w][out_c] int8
 * @param[in]  n        samples
 * @return     0; -1 if scratch could not be allocated, -2 if the filter is packed for
 *             another layout (output not written)
 */
int tp_sim_conv_s8(const tp_sim_conv *c, const int8_t *input, int8_t *output, int32_t n)
{
    const int32_t img_h = (c->out_h - 1) * c->stride_h + (c->k_h - 1) * c->dil_h + 1;
    const int64_t pixels = (int64_t)c->out_h * c->out_w;
    const int64_t in_size = (int64_t)c->in_h * c->in_w * c->in_c;
    tp_sim_windows win;
    int32_t group, s0, ky, kx;
    tp_sim_elem *img;
    int32_t *acc;
    win.img_w = (c->out_w - 1) * c->stride_w + (c->k_w - 1) * c->dil_w + 1;
    win.img_size = (int64_t)img_h * win.img_w * c->in_c;
    if (c->dil_w == 1) {  /* a filter row's k_w * in_c values are contiguous */
        win.runs = c->k_h;
        win.run_words = (c->k_w * c->in_c + TP_SIM_PER_WORD - 1) / TP_SIM_PER_WORD;
        for (ky = 0; ky < c->k_h; ++ky) {
            win.run_off[ky] = (int64_t)ky * c->dil_h * win.img_w * c->in_c;
        }
    } else {
        win.runs = c->k_h * c->k_w;
        win.run_words = (c->in_c + TP_SIM_PER_WORD - 1) / TP_SIM_PER_WORD;
        for (ky = 0; ky < c->k_h; ++ky) {
            for (kx = 0; kx < c->k_w; ++kx) {
                win.run_off[ky * c->k_w + kx] =
                    ((int64_t)ky * c->dil_h * win.img_w + (int64_t)kx * c->dil_w) * c->in_c;
            }
        }
    }
    if (win.runs > TP_SIM_MAX_RUNS || win.runs * win.run_words != c->k4) {
        return -2;
    }
    group = (int32_t)(TP_SIM_GROUP_BYTES / (win.img_size * (int64_t)sizeof(tp_sim_elem)));
    group = group < 1 ? 1 : (group > n ? n : group);
    /* + one word of slack after the last run */
    img = malloc(sizeof(tp_sim_elem) * (size_t)(group * win.img_size) + 4);
    acc = malloc(sizeof(int32_t) * 8 * TP_SIM_LANES * (size_t)c->blocks);
    if (img == NULL || acc == NULL) {
        free(img), free(acc);
        return -1;
    }
    for (s0 = 0; s0 < n; s0 += group) {
        const int32_t ns = n - s0 < group ? n - s0 : group;
        pad_images(c, &win, img_h, input + s0 * in_size, img, ns);
        rows_out(c, &win, img, ns * pixels, output + s0 * pixels * c->out_c, acc);
    }
    free(img), free(acc);
    return 0;
}
#endif /* TP_SIM_KIND */

/** How this build multiplies convolutions: 2 AVX-512 VNNI, 1 AVX2, 0 not at all. */
int tp_sim_conv_kind(void)
{
    return TP_SIM_KIND;
}
