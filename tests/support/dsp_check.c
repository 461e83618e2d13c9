/* Host check of the DSP helpers: tp_requantize_fast against tp_requantize (TFLite's
 * double rounding) over edge and pseudo-random inputs, and the portable intrinsics
 * against their ARM definitions (SXTAB16 wraps per half). Prints "ok <cases>" or the first mismatch; exit 1. */
#include <stdio.h>

#include "tp_arm_intrinsics.h"
#include "tp_requant_fast.h"

static uint64_t state = 88172645463325252ull;
static uint32_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)state;
}

static int check_requant(long *n)
{
    static const int32_t edge[] = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MAX - 1,
                                   INT32_MIN + 1, 1 << 30, -(1 << 30)};
    int32_t shift;
    long i;
    for (shift = -31; shift <= 8; ++shift) {
        for (i = 0; i < 100000; ++i) {
            int32_t m = (int32_t)((1u << 30) | (rnd() & 0x3FFFFFFFu));
            int32_t x = i < 11 ? edge[i] : (int32_t)rnd() >> (rnd() % 32);
            if (i % 97 == 0) {
                m = (i % 194 == 0) ? (1 << 30) : INT32_MAX;
            }
            if (shift > 0) {
                x >>= shift; /* TFLite's left shift never overflows either */
            }
            if (tp_requantize(x, m, shift) != tp_requantize_fast(x, m, shift)) {
                printf("requant x=%d m=%d shift=%d ref=%d fast=%d\n", x, m, shift,
                       tp_requantize(x, m, shift), tp_requantize_fast(x, m, shift));
                return 1;
            }
            /* the depthwise fast path: doubled accumulator, |x| < 2^30, right shifts */
            if (shift < 0 && x < (1 << 30) && x > -(1 << 30)
                && tp_out_s8_x2(2 * x, m, ~shift, 3, -100, 90)
                       != tp_clamp_s8(tp_requantize(x, m, shift) + 3, -100, 90)) {
                printf("requant x2 x=%d m=%d shift=%d\n", x, m, shift);
                return 1;
            }
            if (shift < 0 && x < (1 << 30) && x > -(1 << 30)
                && tp_out_s8_x2_sat(2 * x, m, ~shift, -5)
                       != tp_clamp_s8(tp_requantize(x, m, shift) - 5, -128, 127)) {
                printf("requant x2 sat x=%d m=%d shift=%d\n", x, m, shift);
                return 1;
            }
            /* tp_requant_x2k (depthwise _rs): zero point and rounding folded, shift >= -22,
             * m = 0 too (a channel whose filter is all zeros) */
            if (shift < 0 && shift >= -22 && x < (1 << 30) && x > -(1 << 30)) {
                const int32_t zp = (int32_t)(rnd() % 256) - 128;
                const int32_t mm = i % 89 == 0 ? 0 : m;
                const int32_t ref = mm == 0 ? zp : tp_requantize(x, mm, shift) + zp;
                if (tp_requant_x2k(2 * x, mm, -shift, tp_x2k_const(-shift, zp)) != ref) {
                    printf("requant x2k x=%d m=%d shift=%d zp=%d\n", x, mm, shift, zp);
                    return 1;
                }
            }
            ++*n;
        }
    }
    return 0;
}

static int check_intrinsics(long *n)
{
    long i;
    for (i = 0; i < 1000000; ++i) {
        const uint32_t a = rnd(), b = rnd();
        const int32_t acc = (int32_t)rnd();
        const int8_t a0 = (int8_t)a, a1 = (int8_t)(a >> 8), a2 = (int8_t)(a >> 16), a3 = (int8_t)(a >> 24);
        const int16_t al = (int16_t)a, ah = (int16_t)(a >> 16), bl = (int16_t)b, bh = (int16_t)(b >> 16);
        const uint32_t s02 = (uint16_t)(int16_t)a0 | (uint32_t)(uint16_t)(int16_t)a2 << 16;
        const uint32_t s13 = (uint16_t)(int16_t)a1 | (uint32_t)(uint16_t)(int16_t)a3 << 16;
        const int64_t dual = (int64_t)acc + (int64_t)al * bl + (int64_t)ah * bh;
        if (tp_sxtb16(a) != s02 || tp_sxtb16_ror8(a) != s13
            || tp_smlad(a, b, acc) != (int32_t)(uint32_t)(uint64_t)dual
            || tp_smlabb(a, b, acc) != (int32_t)(uint32_t)(uint64_t)((int64_t)acc + al * bl)
            || tp_smlatt(a, b, acc) != (int32_t)(uint32_t)(uint64_t)((int64_t)acc + ah * bh)
            || tp_smlatb(a, b, acc) != (int32_t)(uint32_t)(uint64_t)((int64_t)acc + ah * bl)
            || tp_sxtab16(b, a) != (((uint32_t)(uint16_t)(bl + a0))
                                    | (uint32_t)(uint16_t)(bh + a2) << 16)
            || tp_sxtab16_ror8(b, a) != (((uint32_t)(uint16_t)(bl + a1))
                                         | (uint32_t)(uint16_t)(bh + a3) << 16)
            || tp_smmulr((int32_t)a, (int32_t)b)
                   != (int32_t)(((int64_t)(int32_t)a * (int32_t)b + 0x80000000LL) >> 32)
            || tp_pkhbt16((int32_t)a, (int32_t)b) != ((a & 0xFFFFu) | (b << 16))
            || tp_smmlar((int32_t)a, (int32_t)b, acc)
                   != (int32_t)((uint32_t)acc + (uint32_t)(((int64_t)(int32_t)a * (int32_t)b
                                                            + 0x80000000LL) >> 32))
            || tp_ssat8((int32_t)a >> (b % 32))
                   != tp_clamp_s8((int32_t)a >> (b % 32), -128, 127)) {
            printf("intrinsics a=%08x b=%08x acc=%d\n", a, b, acc);
            return 1;
        }
        ++*n;
    }
    return 0;
}

int main(void)
{
    long n = 0;
    if (check_requant(&n) || check_intrinsics(&n)) {
        return 1;
    }
    printf("ok %ld\n", n);
    return 0;
}
