/*
 * Requantisation for the fast kernels: the same result as tp_requantize (TFLite's
 * double-rounding MultiplyByQuantizedMultiplier) in fewer instructions.
 *
 * gemmlowp's SaturatingRoundingDoublingHighMul adds 2^30 (or 1 - 2^30 for a negative
 * product) and divides by 2^31 truncating; for a negative product that truncation equals
 * floor((ab + 2^30) / 2^31), so one nudge and one arithmetic shift give the same value
 * for every product (SMLAL and two shifts). The saturation case (both operands
 * INT32_MIN) cannot occur: multipliers are 0 or in [2^30, 2^31).
 */
#ifndef TP_REQUANT_FAST_H
#define TP_REQUANT_FAST_H

#include <stdint.h>

#include "tp_arm_intrinsics.h"
#include "tp_requant.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief  x * multiplier * 2^(shift - 31), bit-exact with tp_requantize for every input.
 *
 * The right shift rounds half away from zero as gemmlowp's RoundingDivideByPOT, in five
 * instructions without overflow: with h' = h - (h < 0) (never overflows, see below) and
 * q = h' >> (e - 1), the result is floor((q + 1) / 2) = (q >> 1) + (q & 1).
 * h > INT32_MIN because |multiplier| < 2^31.
 * @param[in] x           32-bit accumulator
 * @param[in] multiplier  Q31 multiplier, 0 or in [2^30, 2^31)
 * @param[in] shift       exponent, positive = left shift (TFLite convention), in [-31, 31]
 */
static inline int32_t tp_requantize_fast(int32_t x, int32_t multiplier, int32_t shift)
{
    if (shift >= 0) {
        const int32_t xl = (int32_t)((uint32_t)x << shift);
        return (int32_t)(((int64_t)xl * multiplier + (1LL << 30)) >> 31);
    } else {
        const int32_t h = (int32_t)(((int64_t)x * multiplier + (1LL << 30)) >> 31);
        const int32_t q = (h + (h >> 31)) >> (~shift); /* ~shift = -shift - 1 = e - 1 */
        return (q >> 1) + (q & 1);
    }
}

/** Requantise one accumulator, add the output zero point, clamp to [lo, hi]. */
static inline int8_t tp_out_s8(int32_t acc, int32_t mult, int32_t shift, int32_t zp,
                               int32_t lo, int32_t hi)
{
    return tp_clamp_s8(tp_requantize_fast(acc, mult, shift) + zp, lo, hi);
}

/**
 * @brief  tp_out_s8 for a doubled accumulator and a right shift, branch-free: SMMULR on
 *         2 * acc is (acc * multiplier + 2^30) >> 31, the nudged high half used above.
 * @param[in] acc2   2 * accumulator; the caller guarantees |acc| < 2^30 (no overflow)
 * @param[in] mult   Q31 multiplier, 0 or in [2^30, 2^31)
 * @param[in] e1     ~shift = -shift - 1, for an exponent shift <= -1
 * @param[in] zp, lo, hi  output zero point and clamp range
 */
static inline int8_t tp_out_s8_x2(int32_t acc2, int32_t mult, int32_t e1, int32_t zp,
                                  int32_t lo, int32_t hi)
{
    const int32_t h = tp_smmulr(acc2, mult);
    const int32_t q = (h + (h >> 31)) >> e1;
    return tp_clamp_s8((q >> 1) + (q & 1) + zp, lo, hi);
}

/** tp_out_s8_x2 for the full clamp [-128, 127]: one SSAT instead of two compares. */
static inline int8_t tp_out_s8_x2_sat(int32_t acc2, int32_t mult, int32_t e1, int32_t zp)
{
    const int32_t h = tp_smmulr(acc2, mult);
    const int32_t q = (h + (h >> 31)) >> e1;
    return (int8_t)tp_ssat8((q >> 1) + (q & 1) + zp);
}

/**
 * @brief  tp_out_s8_x2 before the clamp in three instructions (SMMLAR, ADD, ASR).
 *
 * With h the SMMULR result: (q >> 1) + (q & 1) = floor((q + 1) / 2), and nested floor
 * divisions by powers of two are one, so tp_out_s8_x2's value is
 * (h + (h >> 31) + k) >> e with k = 2^(e-1) + zp * 2^e; SMMLAR adds k with the
 * multiply. The sign is taken from acc2 instead of h: they differ only when h = 0 and
 * acc2 < 0, and then (k - 1) >> e = k >> e = zp.
 * @param[in] acc2  2 * accumulator, |accumulator| < 2^30 (so |h| <= 2^30)
 * @param[in] mult  Q31 multiplier, 0 or in [2^30, 2^31)
 * @param[in] e     -shift, in [1, 22] (so |h| + |k| < 2^31)
 * @param[in] k     2^(e-1) + zp * 2^e (tp_x2k_const)
 */
static inline int32_t tp_requant_x2k(int32_t acc2, int32_t mult, int32_t e, int32_t k)
{
    return (tp_smmlar(acc2, mult, k) + (acc2 >> 31)) >> e;
}

/** The constant k of tp_requant_x2k for exponent e = -shift and output zero point zp. */
static inline int32_t tp_x2k_const(int32_t e, int32_t zp)
{
    return (int32_t)((1u << (e - 1)) + (uint32_t)zp * (1u << e));
}

#ifdef __cplusplus
}
#endif

#endif /* TP_REQUANT_FAST_H */
