/* Host check of the packed-filter conv kernels' helpers (tp_conv_pk_dsp.h): the SMMLAR
 * requantisation tp_conv_pk_out against tp_requantize (TFLite's double rounding) over
 * edge and pseudo-random accumulators, multipliers, shifts and zero points, with and
 * without the sign step (the latter only where the compiler uses it: lo >= zp)
 * (dsp_check.c checks the portable SMMLAR and PKHBT). Prints "ok <cases>" and the
 * scratch macro for a few depths, or the first mismatch (exit 1). */
#include <stdio.h>

#include "tp_conv_pk_dsp.h"
#include "tp_requant.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)state;
}

static int check_out(long *n)
{
    static const int32_t zps[] = {-128, -127, -1, 0, 1, 7, 126, 127};
    static const int32_t edge[] = {0, 1, -1, 2, -2, (1 << 30) - 1, -(1 << 30) + 1, 1 << 20,
                                   -(1 << 20)};
    int32_t e;
    long i;
    for (e = 1; e <= 30; ++e) {
        for (i = 0; i < 60000; ++i) {
            const int32_t zp = i % 11 < 8 ? zps[i % 11] : (int32_t)(rnd() % 256) - 128;
            const int64_t cc = (1LL << (e - 1)) + (int64_t)zp * (1LL << e);
            int32_t m = (int32_t)((1u << 30) | (rnd() & 0x3FFFFFFFu));
            int32_t acc = i < 9 ? edge[i] : (int32_t)rnd() >> (rnd() % 32);
            int32_t lo = -128, hi = 127, want;
            if (i % 53 == 0) {
                m = i % 106 == 0 ? (1 << 30) : (i % 159 == 0 ? 0 : INT32_MAX);
            }
            if (i % 7 == 3) { /* a rounding tie of the high half (m = 2^30: h = (acc + 1) / 2) */
                const int64_t t = ((int64_t)(rnd() % 4096) - 2048) * (1LL << e) + (1LL << (e - 1));
                m = 1 << 30;
                acc = (int32_t)((2 * t + (int64_t)(i % 3) - 1) % (1 << 29));
            }
            if (acc >= (1 << 30) || acc <= -(1 << 30)) {
                acc /= 2; /* the compiler's bound: |acc| < 2^30 */
            }
            if (i % 3 == 1) { /* a ReLU-style clamp from the zero point */
                lo = zp;
                hi = zp + (int32_t)(rnd() % (uint32_t)(128 - zp));
            } else if (i % 3 == 2) {
                lo = -128 + (int32_t)(rnd() % 100);
                hi = lo + (int32_t)(rnd() % (uint32_t)(128 - lo));
            }
            if (cc <= -(1LL << 30) || cc >= (1LL << 30)) {
                continue; /* conv_pk_ok rejects these layers */
            }
            want = tp_clamp_s8(tp_requantize(acc, m, -e) + zp, lo, hi);
            if (tp_conv_pk_out(2 * acc, m, (int32_t)cc, e, 1, 0, lo, hi) != want
                || (lo == -128 && hi == 127
                    && tp_conv_pk_out(2 * acc, m, (int32_t)cc, e, 1, 1, 0, 0) != want)
                || (lo >= zp && tp_conv_pk_out(2 * acc, m, (int32_t)cc, e, 0, 0, lo, hi) != want)
                || (lo >= zp && hi == 127 && lo == -128
                    && tp_conv_pk_out(2 * acc, m, (int32_t)cc, e, 0, 1, 0, 0) != want)) {
                printf("pk out acc=%d m=%d e=%d zp=%d lo=%d hi=%d want=%d\n", acc, m, e, zp, lo,
                       hi, want);
                return 1;
            }
            ++*n;
        }
    }
    return 0;
}

int main(void)
{
    long n = 0;
    if (check_out(&n)) {
        return 1;
    }
    printf("ok %ld scratch %u %u %u\n", n, TP_CONV_PK_SCRATCH_BYTES(9), TP_CONV_PK_SCRATCH_BYTES(27),
           TP_CONV_PK_SCRATCH_BYTES(40));
    return 0;
}
