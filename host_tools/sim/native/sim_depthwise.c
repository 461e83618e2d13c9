/*
 * Batched int8 depthwise convolution for the host simulator's native engine
 * (kernels_c/tp_depthwise.c over many inferences per call).
 *
 * Same sums as the kernel: bias + sum over the taps inside the image of w * (x + offset).
 * Each sample is copied into a padded int16 image of x + offset, 0 outside the input (so
 * those taps add nothing, as the kernel skips them), with channels repeated depth_mult
 * times and columns split into stride_w phases. For one filter tap, a whole output row
 * is then one contiguous product with the tap's weights tiled along the row: long loops
 * the compiler vectorises whatever the channel count. |x + offset| <= 255 and |w| <= 128,
 * so every product fits int16; sums are int32 as in the kernel.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim_requant.h"

#define TP_SIM_DW_MAX_K 64  /* filter width the native engine takes (the loader checks) */

/** Geometry and constants of one depthwise convolution. */
typedef struct {
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;
    int32_t depth_mult;    /**< output channel oc reads input channel oc / depth_mult */
    int32_t input_offset;  /**< added to every input value (-input zero point) */
    const int8_t *filter;  /**< [k_h][k_w][out_c] */
    tp_sim_requant q;      /**< [out_c] arrays; bias is the kernel's (offset not folded) */
} tp_sim_depthwise;

/** acc[j] += w[j] * x[j]: products in int16 (see the file comment), sums in int32.
 *  Not inlined: inside the caller the restrict promises are lost and the loop stays
 *  scalar (the same holds for tap_row3 and expand). */
__attribute__((noinline)) static void tap_row(int32_t *restrict acc, const int16_t *restrict w,
                                              const int16_t *restrict x, int32_t n)
{
    int32_t j;
    for (j = 0; j < n; ++j) {
        acc[j] += (int16_t)(w[j] * x[j]);
    }
}

/** acc[j] += w0[j] * x0[j] + w1[j] * x1[j] + w2[j] * x2[j]: three taps of a filter row
 *  in one pass over the sums (int16 products widened before adding). */
__attribute__((noinline)) static void tap_row3(int32_t *restrict acc, const int16_t *restrict w0,
                                               const int16_t *restrict w1,
                                               const int16_t *restrict w2,
                                               const int16_t *restrict x0,
                                               const int16_t *restrict x1,
                                               const int16_t *restrict x2, int32_t n)
{
    int32_t j;
    for (j = 0; j < n; ++j) {
        acc[j] += (int32_t)(int16_t)(w0[j] * x0[j]) + (int32_t)(int16_t)(w1[j] * x1[j]) +
                  (int32_t)(int16_t)(w2[j] * x2[j]);
    }
}

/** dst[ic * dm + m] = x[ic] + off for m < dm: one pixel's channels as the taps read them. */
__attribute__((noinline)) static void expand(int16_t *restrict dst, const int8_t *restrict x,
                                             int32_t in_c, int32_t dm, int32_t off)
{
    int32_t ic, m;
    if (dm == 1) {
        for (ic = 0; ic < in_c; ++ic) {
            dst[ic] = (int16_t)(x[ic] + off);
        }
        return;
    }
    for (ic = 0; ic < in_c; ++ic) {
        for (m = 0; m < dm; ++m) {
            dst[ic * dm + m] = (int16_t)(x[ic] + off);
        }
    }
}

/** Input pixels x_lo .. x_hi - 1 of one image row (n channels, depth multiplier 1) to
 *  their stride phases as x + off; n is a literal at each call, so each pixel is a few
 *  vector moves. */
static inline __attribute__((always_inline)) void split_row(
    int16_t *restrict dst, const int8_t *restrict src, int32_t x_lo, int32_t x_hi, int32_t sw,
    int64_t phase_len, int32_t off, const int n)
{
    int32_t phase, x, c;
    for (phase = 0; phase < sw; ++phase) {
        const int32_t first = x_lo + ((phase - x_lo) % sw + sw) % sw;  /* first x of this phase */
        int16_t *p = dst + phase * phase_len + (first / sw) * n;
        for (x = first; x < x_hi; x += sw, p += n) {
            const int8_t *q = src + (int64_t)(x - x_lo) * n;
            for (c = 0; c < n; ++c) {
                p[c] = (int16_t)(q[c] + off);
            }
        }
    }
}

/**
 * @brief  Depthwise convolution of n samples.
 * @param[in]  d        layer
 * @param[in]  input    [n][in_h][in_w][in_c] int8
 * @param[out] output   [n][out_h][out_w][out_c] int8
 * @param[in]  n        samples
 * @return     0, or -1 if scratch could not be allocated (output not written)
 */
int tp_sim_depthwise_s8(const tp_sim_depthwise *d, const int8_t *input, int8_t *output,
                        int32_t n)
{
    const int32_t c_n = d->out_c, dm = d->depth_mult, sw = d->stride_w;
    const int32_t img_h = (d->out_h - 1) * d->stride_h + (d->k_h - 1) * d->dil_h + 1;
    const int32_t img_w = (d->out_w - 1) * sw + (d->k_w - 1) * d->dil_w + 1;
    const int32_t phase_w = (img_w + sw - 1) / sw;   /* columns per stride phase */
    const int64_t phase_len = (int64_t)phase_w * c_n;
    const int64_t img_row = phase_len * sw;          /* int16 values per image row */
    const int32_t row_n = d->out_w * c_n;            /* values per output row */
    const int32_t taps = d->k_h * d->k_w;
    const int64_t in_size = (int64_t)d->in_h * d->in_w * d->in_c;
    /* image columns holding input pixels: [x_lo, x_hi) */
    const int32_t x_lo = d->pad_left < img_w ? d->pad_left : img_w;
    const int32_t x_hi = img_w < d->pad_left + d->in_w ? img_w : d->pad_left + d->in_w;
    int16_t *img = malloc(sizeof(int16_t) * (size_t)(img_row * img_h));
    int16_t *wrow = malloc(sizeof(int16_t) * (size_t)taps * row_n);
    int32_t *acc = malloc(sizeof(int32_t) * (size_t)row_n);
    int32_t *rq = malloc(sizeof(int32_t) * 3 * (size_t)row_n);
    double *rqf = malloc(sizeof(double) * 2 * (size_t)row_n);
    int32_t s, y, x, c, t, oy, ky, kx;
    if (img == NULL || wrow == NULL || acc == NULL || rq == NULL || rqf == NULL) {
        free(img), free(wrow), free(acc), free(rq), free(rqf);
        return -1;
    }
    /* weights and requantisation constants tiled along an output row */
    for (t = 0; t < taps; ++t) {
        for (x = 0; x < d->out_w; ++x) {
            for (c = 0; c < c_n; ++c) {
                wrow[(int64_t)t * row_n + x * c_n + c] = d->filter[t * c_n + c];
            }
        }
    }
    for (x = 0; x < d->out_w; ++x) {
        for (c = 0; c < c_n; ++c) {
            rq[x * c_n + c] = d->q.bias[c];
            rq[row_n + x * c_n + c] = d->q.mult[c];
            rq[2 * row_n + x * c_n + c] = d->q.shift[c];
            if (d->q.scale != NULL) {
                rqf[x * c_n + c] = d->q.scale[c];
                rqf[row_n + x * c_n + c] = d->q.offset[c];
            }
        }
    }
    {
        const tp_sim_requant q = {rq, rq + row_n, rq + 2 * row_n, d->q.output_zp,
                                  d->q.act_min, d->q.act_max,
                                  d->q.scale != NULL ? rqf : NULL,
                                  d->q.scale != NULL ? rqf + row_n : NULL};
        /* every sample writes the same image positions, so the padding stays 0 */
        memset(img, 0, sizeof(int16_t) * (size_t)(img_row * img_h));
        for (s = 0; s < n; ++s) {
            const int8_t *src = input + s * in_size;
            int8_t *out = output + (int64_t)s * d->out_h * row_n;
            for (y = 0; y < img_h; ++y) {
                const int32_t iy = y - d->pad_top;
                if (iy < 0 || iy >= d->in_h) {
                    continue;
                }
                const int8_t *src_row = src + (int64_t)iy * d->in_w * d->in_c;
                int16_t *dst_row = img + y * img_row;
                if (sw == 1 && dm == 1) {  /* one contiguous run per row */
                    expand(dst_row + x_lo * c_n, src_row, (x_hi - x_lo) * c_n, 1,
                           d->input_offset);
                    continue;
                }
                /* pixels to their stride phases; common channel counts as literals */
                switch (dm == 1 ? c_n : 0) {
                case 8:
                    split_row(dst_row, src_row, x_lo, x_hi, sw, phase_len, d->input_offset, 8);
                    break;
                case 16:
                    split_row(dst_row, src_row, x_lo, x_hi, sw, phase_len, d->input_offset, 16);
                    break;
                case 32:
                    split_row(dst_row, src_row, x_lo, x_hi, sw, phase_len, d->input_offset, 32);
                    break;
                case 64:
                    split_row(dst_row, src_row, x_lo, x_hi, sw, phase_len, d->input_offset, 64);
                    break;
                default:
                    for (x = x_lo; x < x_hi; ++x) {
                        expand(dst_row + (x % sw) * phase_len + (x / sw) * c_n,
                               src_row + (int64_t)(x - x_lo) * d->in_c, d->in_c, dm,
                               d->input_offset);
                    }
                }
            }
            for (oy = 0; oy < d->out_h; ++oy) {
                memset(acc, 0, sizeof(int32_t) * (size_t)row_n);
                for (ky = 0; ky < d->k_h; ++ky) {
                    const int16_t *row =
                        img + (int64_t)(oy * d->stride_h + ky * d->dil_h) * img_row;
                    const int16_t *taps_w = wrow + (int64_t)ky * d->k_w * row_n;
                    const int16_t *x_at[TP_SIM_DW_MAX_K];
                    for (kx = 0; kx < d->k_w; ++kx) {
                        const int32_t col = kx * d->dil_w;  /* = sw * q + phase */
                        x_at[kx] = row + (col % sw) * phase_len + (col / sw) * c_n;
                    }
                    for (kx = 0; kx + 3 <= d->k_w; kx += 3) {
                        tap_row3(acc, taps_w + kx * row_n, taps_w + (kx + 1) * row_n,
                                 taps_w + (kx + 2) * row_n, x_at[kx], x_at[kx + 1],
                                 x_at[kx + 2], row_n);
                    }
                    for (; kx < d->k_w; ++kx) {
                        tap_row(acc, taps_w + kx * row_n, x_at[kx], row_n);
                    }
                }
                tp_sim_requant_row(&q, acc, out + (int64_t)oy * row_n, row_n);
            }
        }
    }
    free(img), free(wrow), free(acc), free(rq), free(rqf);
    return 0;
}
