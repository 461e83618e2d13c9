/*
 * FULLY_CONNECTED requantisation (see tp_fully_connected.h), shared by the portable and
 * the DSP kernel, in two interchangeable forms the compiler picks per target:
 *
 * - binary64: round(double(acc) * scale) as the reference writes it; one instruction
 *   on a double-precision FPU (Cortex-M7 FPv5-D16, the host), soft-float elsewhere;
 * - integer: the same value from 32-bit multiplies, for cores without a double FPU
 *   (Cortex-M4 / M33 single-precision FPU, M3, M0+).
 */
#ifndef TP_FC_ROUND_H
#define TP_FC_ROUND_H

#include <stdint.h>
#include <string.h>

#include "tp_fixedpoint.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The output clamp of both forms: +-2^24, far outside the int8 range, so adding a zero
 * point and clamping still gives TFLite's result. */
#define TP_FC_ROUND_LIMIT 16777216

/** The binary64 value stored as two int32 words, low word first (endian-independent). */
static inline double tp_fc_scale_at(const int32_t *bits, int32_t i)
{
    const uint64_t u = ((uint64_t)(uint32_t)bits[2 * i + 1] << 32) | (uint32_t)bits[2 * i];
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/** std::round (halves away from zero) to int32, clamped to +-TP_FC_ROUND_LIMIT. No libm.
 * Only comparisons touch v, so a compiler contracting floating point (FMA) cannot
 * round the product differently from the reference. */
static inline int32_t tp_fc_round_away(double v)
{
    int32_t i;
    if (v > (double)TP_FC_ROUND_LIMIT) {
        return TP_FC_ROUND_LIMIT;
    }
    if (v < -(double)TP_FC_ROUND_LIMIT) {
        return -TP_FC_ROUND_LIMIT;
    }
    i = (int32_t)v; /* toward zero */
    if (v >= 0.0) {
        if (v >= (double)i + 0.5) {
            ++i;
        }
    } else if (v <= (double)i - 0.5) {
        --i;
    }
    return i;
}

/**
 * @brief  tp_fc_round_away(fl64(acc * s)) for a finite binary64 scale s >= 0, in integers.
 *
 * The compiler stores s as q = (m_lo, m_hi, shift): s = m * 2^-(shift + 65) with
 * m = m_hi * 2^32 + m_lo, 2^62 <= m < 2^63 (the 53-bit significand shifted left by 10),
 * shift clamped to [-32, 32] (beyond, every result is 0 or saturates anyway); s = 0 is
 * m = 0, shift 32.
 *
 * With a = |acc| << z normalised (z = clz(|acc|)), the exact product P = a * m lies in
 * [2^93, 2^95) and |acc * s| = P * 2^-T, T = shift + 65 + z. T <= 64 means
 * |acc * s| >= 2^29 (saturates), T >= 97 means < 1/4 (0). Otherwise the binary64
 * multiply rounds P to 53 bits (nearest, ties to even) at bit k = bitlen(P) - 53 (41 or
 * 42), and round() then rounds half up at bit T - 1 >= 64. Every second-step threshold
 * (j + 1/2) * 2^T is a multiple of 2^(k+1), so a first-step tie just below one rounds
 * up onto it (it is the even neighbour), and no first-step rounding crosses one otherwise:
 *   round(fl64(P * 2^-T)) = floor((P + 2^(k-1) + 2^(T-1)) / 2^T)
 * exactly. The added terms and 2^T are multiples of 2^32, so the bits of P below 2^32
 * do not change the floor: only P >> 32 is formed. The sign is restored last: both
 * roundings are symmetric about zero.
 *
 * @param[in]  acc  accumulator, any int32 (INT32_MIN included)
 * @param[in]  q    (m_lo, m_hi, shift) of the scale
 * @return     the same value as tp_fc_round_away((double)acc * s)
 */
static inline int32_t tp_fc_round_int(int32_t acc, const int32_t *q)
{
    const uint32_t mag = acc < 0 ? 0u - (uint32_t)acc : (uint32_t)acc;
    uint32_t a, hh, r;
    uint64_t lo, hi;
    int32_t z, n;
    if (mag == 0u) {
        return 0;
    }
    z = tp_clz32(mag);
    a = mag << z;
    n = q[2] + z; /* T - 65 */
    if (n < 0) {  /* |acc * s| >= 2^29 */
        r = TP_FC_ROUND_LIMIT;
    } else if (n > 31) { /* |acc * s| < 1/4 */
        r = 0u;
    } else {
        lo = (uint64_t)a * (uint32_t)q[0];
        hi = (uint64_t)a * (uint32_t)q[1] + (lo >> 32); /* P >> 32, below 2^63 */
        hh = (uint32_t)(hi >> 32);
        hi += 256u << (hh >> 30); /* 2^(k-1) >> 32: bit 94 of P decides k */
        /* floor(x / 2^(T-32)) rounding half up = (floor(x / 2^(T-33)) + 1) >> 1 */
        r = (((uint32_t)(hi >> 32) >> n) + 1u) >> 1;
        if (r > (uint32_t)TP_FC_ROUND_LIMIT) {
            r = TP_FC_ROUND_LIMIT;
        }
    }
    return acc < 0 ? -(int32_t)r : (int32_t)r;
}

#ifdef __cplusplus
}
#endif

#endif /* TP_FC_ROUND_H */
