/*
 * CONV_2D for cores with the DSP extension, with the filter packed at compile time
 * ("pk"): the layers with a shallow window (the first RGB / audio convolutions, 1x1 convs
 * on a few channels), where widening the filter at run time and the per-output
 * requantisation cost as much as the multiply-accumulates.
 *
 * Same tp_conv_params and the same results as tp_conv_s8 / tp_conv_1x1_s8, bit for bit,
 * but `filter` holds the compiler's packed stream (codegen/ops/conv.py, pack_filter) and
 * bias, mult and shift are unused (NULL). Per output channel pair (c0, c1), as int32
 * words read in order by one pointer:
 *    2 b0, 2 b1                      doubled folded biases
 *    k4 / 4 blocks of four words     (c0: w_j, w_j+2) (c0: w_j+1, w_j+3) (c1: ..) (c1: ..)
 *    m0, m1, C0, C1, e0, e1          requantisation
 * The weights are int16 pairs, doubled (2 w), for the depth slots j..j+3 of each block
 * (the order below), the depth k = k_h * k_w * in_c zero-padded to k4 (a multiple of 4)
 * so there is no tail code; each block lines up with the SXTB16 / SXTB16 ROR #8 halves of
 * four input bytes. m is the Q31 multiplier, e = -shift >= 1 and C = 2^(e-1) + output_zp
 * * 2^e. An odd out_c ends with a pair whose second channel is all zero (not stored).
 *
 * The accumulator thus starts at 2 * acc, and the requantisation is SMMLAR(2 acc, m, C)
 * (the nudged high half of acc * m, plus C) >> e: C holds the rounding half and the output
 * zero point, so this is TFLite's double rounding in three instructions plus the clamp.
 * The compiler proves |acc| < 2^30 (2 acc fits), every shift <= -1, m = 0 or m >= 2^30,
 * and |C| < 2^30 (h + C cannot overflow): the conditions of the *_dsp_rs kernels and a
 * bound on e.
 * Rounding half away from zero subtracts 1 from a negative high half first; that step is
 * skipped when act_min >= output_zp (ReLU), where every negative high half clamps to
 * act_min either way.
 *
 * Depth slot order (k4 slots of the window, what the filter's "w_j" are): per filter row
 * ky, its first 4 * floor(k_w * in_c / 4) bytes, rows one after another, then the
 * remaining (k_w * in_c) % 4 bytes of every row, row after row, then zeros up to k4. Each
 * run of four whole bytes of an input row thus widens straight from the input (LDR,
 * SXTB16 x 2). A 1x1 layer (rows of in_c bytes) is plain channel order.
 */
#ifndef TP_CONV_PK_DSP_H
#define TP_CONV_PK_DSP_H

#include <stdint.h>

#include "tp_arm_intrinsics.h"
#include "tp_conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest padded depth k4 of the im2col kernels (tp_conv_pk_s8_dsp_k4 ... _k64). */
#define TP_CONV_PK_MAX_K4 64

/** 1x1 layers whose in_c takes the packed layout in tp_conv_1x1_s8_dsp_rs. */
#define TP_CONV_1X1_PK(in_c) ((in_c) % 4 == 0 && (in_c) <= 32)

/** Scratch bytes of tp_conv_pk_s8_dsp_k<k4> for a window of k values (k4 = k rounded up
 * to a multiple of 4): 4 for alignment, the widened column pair (2 x k4 int16) and one
 * int8 window (gathered at the border). */
#define TP_CONV_PK_SCRATCH_BYTES(k) (4u + 5u * (((uint32_t)(k) + 3u) & ~3u))

/**
 * @brief  One output value from a doubled accumulator with a packed record's m, C, e.
 * @param[in] acc2  2 * accumulator, |acc| < 2^30
 * @param[in] m     Q31 multiplier, 0 or in [2^30, 2^31)
 * @param[in] cc    C = 2^(e-1) + zp * 2^e, |C| < 2^30
 * @param[in] e     right shift, >= 1
 * @param[in] corr  1: round ties of negative values away from zero (always exact);
 *                  0: skip that step, exact only when the clamp's lo >= zp
 * @param[in] full  1: clamp to [-128, 127] (one SSAT), lo and hi ignored
 */
static inline int8_t tp_conv_pk_out(int32_t acc2, int32_t m, int32_t cc, int32_t e, int corr,
                                    int full, int32_t lo, int32_t hi)
{
    int32_t t = tp_smmlar(acc2, m, cc);
    if (corr) {
        t += acc2 >> 31;
    }
    t >>= e;
    return full ? (int8_t)tp_ssat8(t) : (int8_t)(t < lo ? lo : (t > hi ? hi : t));
}

#define TP_CONV_PK_DECLARE(k4)                                                          \
    void tp_conv_pk_s8_dsp_k##k4(const tp_conv_params *p, const int8_t *input,          \
                                 int8_t *output, void *scratch);

/**
 * @brief  Any convolution (as tp_conv_s8) whose padded window depth k4 = round4(k_h *
 *         k_w * in_c) is the number in the name (4, 8, ..., 64), with the packed filter
 *         and records above: two output pixels' windows widened into a column pair
 *         (rows read straight from the input away from the border), then every output
 *         channel pair with the depth loop unrolled.
 * @param[in]  p        layer parameters, filter packed (bias, mult, shift unused)
 * @param[in]  input    [in_h][in_w][in_c] int8
 * @param[out] output   [out_h][out_w][out_c] int8
 * @param[in]  scratch  TP_CONV_PK_SCRATCH_BYTES(k_h * k_w * in_c) bytes, any alignment
 */
TP_CONV_PK_DECLARE(4)
TP_CONV_PK_DECLARE(8)
TP_CONV_PK_DECLARE(12)
TP_CONV_PK_DECLARE(16)
TP_CONV_PK_DECLARE(20)
TP_CONV_PK_DECLARE(24)
TP_CONV_PK_DECLARE(28)
TP_CONV_PK_DECLARE(32)
TP_CONV_PK_DECLARE(36)
TP_CONV_PK_DECLARE(40)
TP_CONV_PK_DECLARE(44)
TP_CONV_PK_DECLARE(48)
TP_CONV_PK_DECLARE(52)
TP_CONV_PK_DECLARE(56)
TP_CONV_PK_DECLARE(60)
TP_CONV_PK_DECLARE(64)

/**
 * @brief  1x1 convolution without padding (as tp_conv_1x1_s8) for TP_CONV_1X1_PK(in_c),
 *         packed filter and records: widens two input pixels, then every output channel
 *         pair. tp_conv_1x1_s8_dsp_rs runs this for those depths (so the in-place bands
 *         of tp_conv_1x1_inplace_s8_dsp_rs do too).
 * @param[in]  p        layer parameters, filter packed (k_h, k_w, dil_*, pad_*, bias,
 *                      mult, shift ignored)
 * @param[in]  input    [in_h][in_w][in_c] int8
 * @param[out] output   [out_h][out_w][out_c] int8
 * @param[in]  scratch  TP_CONV_1X1_DSP_SCRATCH_BYTES(in_c) bytes, any alignment
 */
void tp_conv_1x1_pk_s8_dsp(const tp_conv_params *p, const int8_t *input, int8_t *output,
                           void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* TP_CONV_PK_DSP_H */
