/*
 * CONV_2D for cores with the DSP extension (Cortex-M4/M7/M33): SMLAD on sign-extended
 * int8 pairs, two output channels x two output pixels per inner loop (column pairs
 * interleaved so LDRD loads them).
 *
 * Same parameters (tp_conv_params, bias with the input zero point folded in) and the
 * same results as tp_conv_s8 / tp_conv_1x1_s8, bit for bit. Each output pixel's window
 * is widened once to int16 in "reordered" order (x0, x2, x1, x3 per block of four), so
 * one SXTB16 / SXTB16 ROR #8 pair on four filter bytes lines up with two words of the
 * column for two SMLADs; the widened column is reused by every output channel.
 * On other cores (and the host) the intrinsics are portable C, same results.
 * Shallow windows (k <= 64) and 1x1 depths up to 32 take the packed-filter variants of
 * tp_conv_pk_dsp.h instead when the compiler can prove their requantisation.
 */
#ifndef TP_CONV_DSP_H
#define TP_CONV_DSP_H

#include <stdint.h>

#include "tp_conv.h"
#include "tp_conv_pk_dsp.h" /* the packed-filter variants, chosen by the compiler */

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief  Any convolution (as tp_conv_s8): gathers two output pixels' windows (im2col),
 *         widens them to int16, then SMLAD 2x2 blocks.
 * @param[in]  p        layer parameters
 * @param[in]  input    [in_h][in_w][in_c] int8
 * @param[out] output   [out_h][out_w][out_c] int8
 * @param[in]  scratch  TP_CONV_DSP_SCRATCH_BYTES(k_h * k_w * in_c) bytes, any alignment
 */
void tp_conv_s8_dsp(const tp_conv_params *p, const int8_t *input, int8_t *output, void *scratch);

/**
 * @brief  1x1 convolution without padding (as tp_conv_1x1_s8): widens two input pixels
 *         at a time, no im2col.
 * @param[in]  p        layer parameters (k_h, k_w, dil_*, pad_* ignored)
 * @param[in]  input    [in_h][in_w][in_c] int8
 * @param[out] output   [out_h][out_w][out_c] int8
 * @param[in]  scratch  TP_CONV_1X1_DSP_SCRATCH_BYTES(in_c) bytes, any alignment
 */
void tp_conv_1x1_s8_dsp(const tp_conv_params *p, const int8_t *input, int8_t *output,
                        void *scratch);

/**
 * @brief  tp_conv_s8_dsp with the branch-free SMMULR requantisation (tp_out_s8_x2).
 *         Chosen by the compiler only when every channel's shift is <= -1 and every
 *         accumulator is proven below 2^30 in magnitude (|folded bias| + 128 * sum|w|),
 *         so twice it cannot overflow; results identical to tp_conv_s8_dsp.
 * @param[in]  p        layer parameters (same fields and meaning as tp_conv_s8_dsp)
 * @param[in]  input    [in_h][in_w][in_c] int8
 * @param[out] output   [out_h][out_w][out_c] int8
 * @param[in]  scratch  TP_CONV_DSP_SCRATCH_BYTES(k_h * k_w * in_c) bytes, any alignment
 */
void tp_conv_s8_dsp_rs(const tp_conv_params *p, const int8_t *input, int8_t *output,
                       void *scratch);

/**
 * @brief  tp_conv_1x1_s8_dsp with the SMMULR requantisation, under the same compile-time
 *         conditions as tp_conv_s8_dsp_rs. For depths TP_CONV_1X1_PK(in_c) (in_c % 4 == 0,
 *         <= 32) the compiler packs the filter instead (tp_conv_pk_dsp.h) and this runs
 *         tp_conv_1x1_pk_s8_dsp, so the in-place bands (tp_conv_1x1_inplace_s8_dsp_rs)
 *         take that path too.
 * @param[in]  p        layer parameters (k_h, k_w, dil_*, pad_* ignored); filter packed
 *                      for TP_CONV_1X1_PK(in_c)
 * @param[in]  input    [in_h][in_w][in_c] int8
 * @param[out] output   [out_h][out_w][out_c] int8
 * @param[in]  scratch  TP_CONV_1X1_DSP_SCRATCH_BYTES(in_c) bytes, any alignment
 */
void tp_conv_1x1_s8_dsp_rs(const tp_conv_params *p, const int8_t *input, int8_t *output,
                           void *scratch);

/** int16 slots of one column pair for a depth of k: two pixels' blocks of four (the last
 * zero-padded) + two tails of four. */
#define TP_CONV_DSP_PAIR_Q15(k) (2u * (((uint32_t)(k) + 3u) & ~3u) + 8u)

/** Scratch bytes of tp_conv_s8_dsp for a window of k = k_h * k_w * in_c values: 4 for
 * alignment, the column pair, one int8 window rounded up to whole words (zero-padded, so
 * it widens by words). */
#define TP_CONV_DSP_SCRATCH_BYTES(k) \
    (4u + 2u * TP_CONV_DSP_PAIR_Q15(k) + (((uint32_t)(k) + 3u) & ~3u))

/** Scratch bytes of tp_conv_1x1_s8_dsp for in_c input channels: 4 + the column pair. */
#define TP_CONV_1X1_DSP_SCRATCH_BYTES(c) (4u + 2u * TP_CONV_DSP_PAIR_Q15(c))

#ifdef __cplusplus
}
#endif

#endif /* TP_CONV_DSP_H */
