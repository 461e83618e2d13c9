/*
 * The few ARMv7E-M / ARMv8-M DSP instructions the fast kernels use, with portable C
 * equivalents.
 *
 * On a core with the DSP extension (__ARM_FEATURE_DSP) each helper is one instruction.
 * Everywhere else (Cortex-M0/M3, the host) the same helpers are plain C with identical
 * results, so the DSP kernels' code paths build and are tested on the host. The code
 * generator only selects DSP kernels for DSP targets; elsewhere they are never called and
 * the linker drops them.
 *
 * Packed values: a uint32_t holding two int16 halves, low half = element 0.
 */
#ifndef TP_ARM_INTRINSICS_H
#define TP_ARM_INTRINSICS_H

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define TP_HAVE_DSP 1
#else
#define TP_HAVE_DSP 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Four int8 from any address as one word (unaligned LDR on Cortex-M3 and up). */
static inline uint32_t tp_read_s8x4(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/** Two int16 from a 4-byte aligned address as one packed word (any 2-byte aligned
 * address on Cortex-M3 and up, which load unaligned words). */
static inline uint32_t tp_read_q15x2(const int16_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/** Store one packed word of two int16 to a 4-byte aligned address. */
static inline void tp_write_q15x2(int16_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

/** Two words from a 4-byte aligned address, advancing it by 8 bytes (LDRD with
 * post-increment on DSP cores: one instruction; GCC splits a plain 64-bit read in two). */
static inline const uint32_t *tp_read_u32x2(const uint32_t *p, uint32_t *a, uint32_t *b)
{
#if TP_HAVE_DSP
    __asm__("ldrd %0, %1, [%2], #8" : "=r"(*a), "=r"(*b), "+r"(p) : "m"(*(const uint64_t *)p));
#else
    *a = p[0];
    *b = p[1];
    p += 2;
#endif
    return p;
}

/** PKHBT: the low half of lo and the low half of hi (as the high half) in one word. */
static inline uint32_t tp_pkhbt16(int32_t lo, int32_t hi)
{
#if TP_HAVE_DSP
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
    return r;
#else
    return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16);
#endif
}

#if TP_HAVE_DSP

/** SXTB16: bytes 0 and 2 sign-extended to the two int16 halves. */
static inline uint32_t tp_sxtb16(uint32_t x)
{
    return (uint32_t)__sxtb16((int8x4_t)x);
}

/** SXTB16 ROR #8: bytes 1 and 3 sign-extended to the two int16 halves. */
static inline uint32_t tp_sxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

/** SMLAD: acc + lo(a) * lo(b) + hi(a) * hi(b), wrapping like the int32 accumulator. */
static inline int32_t tp_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlad((int16x2_t)a, (int16x2_t)b, acc);
}

/** SMLABB: acc + lo(a) * lo(b). */
static inline int32_t tp_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlabb((int32_t)a, (int32_t)b, acc);
}

/** SMLATT: acc + hi(a) * hi(b). */
static inline int32_t tp_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlatt((int32_t)a, (int32_t)b, acc);
}

/** SMLATB: acc + hi(a) * lo(b). */
static inline int32_t tp_smlatb(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlatb((int32_t)a, (int32_t)b, acc);
}

/** SXTAB16: a + (bytes 0 and 2 of x sign-extended), per int16 half (wrapping). */
static inline uint32_t tp_sxtab16(uint32_t a, uint32_t x)
{
    return (uint32_t)__sxtab16((int16x2_t)a, (int8x4_t)x);
}

/** SXTAB16 ROR #8: a + (bytes 1 and 3 of x sign-extended), per int16 half (wrapping). */
static inline uint32_t tp_sxtab16_ror8(uint32_t a, uint32_t x)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}

/** SMMULR: (a * b + 2^31) >> 32, the rounded high word of the 64-bit product. */
static inline int32_t tp_smmulr(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

/** SMMLAR: acc + (a * b + 2^31) >> 32 (acc added as the high word of the 64-bit sum). */
static inline int32_t tp_smmlar(int32_t a, int32_t b, int32_t acc)
{
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}

/** SSAT #8: x clamped to [-128, 127]; GCC does not always find it in a two-sided clamp. */
static inline int32_t tp_ssat8(int32_t x)
{
    int32_t r;
    __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(x));
    return r;
}

#else /* portable equivalents, same results bit for bit */

static inline int32_t tp_lo16(uint32_t x) { return (int16_t)(x & 0xFFFFu); }
static inline int32_t tp_hi16(uint32_t x) { return (int16_t)(x >> 16); }

static inline uint32_t tp_sxtb16(uint32_t x)
{
    return ((uint32_t)(int32_t)(int8_t)(x & 0xFFu) & 0xFFFFu)
           | ((uint32_t)(int32_t)(int8_t)((x >> 16) & 0xFFu) << 16);
}

static inline uint32_t tp_sxtb16_ror8(uint32_t x)
{
    return tp_sxtb16((x >> 8) | (x << 24));
}

/* Products of int16 fit int32; the sums wrap modulo 2^32 as SMLAD's do. */
static inline int32_t tp_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(tp_lo16(a) * tp_lo16(b))
                     + (uint32_t)(tp_hi16(a) * tp_hi16(b)));
}

static inline int32_t tp_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(tp_lo16(a) * tp_lo16(b)));
}

static inline int32_t tp_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(tp_hi16(a) * tp_hi16(b)));
}

static inline int32_t tp_smlatb(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(tp_hi16(a) * tp_lo16(b)));
}

static inline uint32_t tp_sxtab16(uint32_t a, uint32_t x)
{
    const uint32_t e = tp_sxtb16(x);
    return ((a + e) & 0xFFFFu) | (((a >> 16) + (e >> 16)) << 16);
}

static inline uint32_t tp_sxtab16_ror8(uint32_t a, uint32_t x)
{
    return tp_sxtab16(a, (x >> 8) | (x << 24));
}

static inline int32_t tp_smmulr(int32_t a, int32_t b)
{
    return (int32_t)(((int64_t)a * b + (1LL << 31)) >> 32);
}

static inline int32_t tp_smmlar(int32_t a, int32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(((int64_t)a * b + (1LL << 31)) >> 32));
}

static inline int32_t tp_ssat8(int32_t x)
{
    return x < -128 ? -128 : (x > 127 ? 127 : x);
}

#endif /* TP_HAVE_DSP */

#ifdef __cplusplus
}
#endif

#endif /* TP_ARM_INTRINSICS_H */
