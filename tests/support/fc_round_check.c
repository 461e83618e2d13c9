/* Host check of tp_fc_round_int (kernels_c/tp_fc_round.h) against the binary64 reference
 * tp_fc_round_away((double)acc * s) over random and constructed (acc, scale) pairs:
 *   - the scales given on stdin, one "<binary64 bits, hex> m_lo m_hi shift" per line, as
 *     codegen's int_scale encodes them (checked against this file's encoder first);
 *   - random scales of every significand length, 2^-48 .. 2^28 plus extremes;
 *   - products exactly n + 1/2 (ties of round());
 *   - exact products halfway between two doubles that round (ties to even) onto n + 1/2
 *     (ties in both steps), and ones three units off that round next to it;
 *   - scales stepped by ulps around (n + 1/2) / acc, so the binary64 product rounds onto,
 *     next to, or away from a tie;
 * with accumulators 0, +-1, INT32_MIN, INT32_MAX, powers of two and their neighbours,
 * random bit lengths, and those on the saturation boundary +-2^24.
 * Prints "ok <cases> exact_ties <n> rounded_ties <n> double_ties <n>" (reference products
 * that are ties: exact ones, inexact ones, inexact ones halfway between two doubles) or
 * the first mismatch and exits 1. x86-64 gcc multiplies in binary64 (SSE2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tp_fc_round.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)state;
}

static uint64_t rnd64(void)
{
    const uint64_t hi = rnd();
    return (hi << 32) | rnd();
}

/* codegen/ops/fully_connected.py int_scale, for s >= 0 finite */
static void encode(double s, int32_t q[3])
{
    int e;
    uint64_t m;
    int32_t shift;
    if (s == 0.0) {
        q[0] = 0;
        q[1] = 0;
        q[2] = 32;
        return;
    }
    m = (uint64_t)ldexp(frexp(s, &e), 63);
    shift = 63 - e - 65;
    q[0] = (int32_t)(uint32_t)m;
    q[1] = (int32_t)(uint32_t)(m >> 32);
    q[2] = shift < -32 ? -32 : shift > 32 ? 32 : shift;
}

static long cases, exact_ties, rounded_ties, double_ties;

static int check(int32_t acc, double s, const int32_t q[3])
{
    const double v = (double)acc * s;
    const int32_t ref = tp_fc_round_away(v);
    const int32_t got = tp_fc_round_int(acc, q);
    ++cases;
    if (got != ref) {
        printf("mismatch acc=%ld s=%a (q %08x %08x %d) ref=%ld int=%ld\n", (long)acc, s,
               (unsigned)q[0], (unsigned)q[1], (int)q[2], (long)ref, (long)got);
        return 1;
    }
    if (fabs(v) < 1073741824.0 && fabs(v - trunc(v)) == 0.5) {
        const double err = fma((double)acc, s, -v); /* exact: the product's rounding error */
        if (err == 0.0) {
            ++exact_ties;
        } else {
            const double av = fabs(v);
            ++rounded_ties;
            if (fabs(err) == (nextafter(av, INFINITY) - av) / 2
                || fabs(err) == (av - nextafter(av, 0.0)) / 2) {
                ++double_ties;
            }
        }
    }
    return 0;
}

/* acc and -acc (INT32_MIN once: its magnitude 2^31 is not an int32) */
static int check_pm(int64_t a, double s, const int32_t q[3])
{
    if (a > 2147483648ll || a < 0) {
        return 0;
    }
    if (a < 2147483648ll && check((int32_t)a, s, q)) {
        return 1;
    }
    return check((int32_t)(-a), s, q);
}

static int64_t random_magnitude(void)
{
    return (int64_t)(rnd() >> (rnd() % 32)) + (rnd() % 4 == 0 ? 2147483648ll - (rnd() % 4) : 0);
}

/* edge, random and near-tie / near-saturation accumulators for one scale */
static int sweep(double s, long random_accs)
{
    static const int64_t edge[] = {0, 1, 2, 3, 127, 128, 255, 256, 65535, 65536, 8388607,
                                   8388608, 16777215, 16777216, 2147483646ll, 2147483647ll,
                                   2147483648ll};
    int32_t q[3];
    size_t i;
    long k;
    int b;
    encode(s, q);
    for (i = 0; i < sizeof edge / sizeof edge[0]; ++i) {
        if (check_pm(edge[i], s, q)) {
            return 1;
        }
    }
    for (b = 0; b < 32; ++b) {
        if (check_pm((1ll << b) - 1, s, q) || check_pm((1ll << b) + 1, s, q)) {
            return 1;
        }
    }
    for (k = 0; k < random_accs; ++k) {
        int64_t a = random_magnitude() % 2147483649ll;
        if (k % 2) { /* near (n + 1/2) / s, or near the saturation bound */
            const double n = k % 10 == 1 ? 16777216.0 + (double)(rnd() % 3) - 1.0
                                         : floor(ldexp((double)rnd(), -(int)(rnd() % 40)));
            const double x = (n + 0.5) / s;
            if (!(x < 2147483650.0)) {
                continue;
            }
            a = (int64_t)x - 1 + (int64_t)(rnd() % 3);
        }
        if (check_pm(a, s, q)) {
            return 1;
        }
    }
    return 0;
}

static double random_scale(void)
{
    /* 53-bit significand with a random number of trailing zeros (short significands make
     * exact products and ties), exponent spanning far beyond useful FC scales */
    const uint64_t sig = (rnd64() >> 11 | 1ull << 52) & ~((1ull << (rnd() % 53)) - 1);
    return ldexp((double)sig, -52 - 48 + (int)(rnd() % 77));
}

static int check_stdin_scales(void)
{
    unsigned long long bits;
    unsigned long m_lo, m_hi;
    long shift;
    while (scanf("%llx %lu %lu %ld", &bits, &m_lo, &m_hi, &shift) == 4) {
        const uint64_t u = bits;
        double s;
        int32_t q[3];
        memcpy(&s, &u, sizeof s);
        encode(s, q);
        if ((uint32_t)q[0] != m_lo || (uint32_t)q[1] != m_hi || q[2] != shift) {
            printf("encoding of %a: codegen %lu %lu %ld, C %u %u %d\n", s, m_lo, m_hi, shift,
                   (unsigned)q[0], (unsigned)q[1], (int)q[2]);
            return 1;
        }
        if (sweep(s, 2000)) {
            return 1;
        }
    }
    return 0;
}

static int check_random_scales(void)
{
    static const double extreme[] = {0.0, 4.9406564584124654e-324, 2.2250738585072014e-308,
                                     1e-300, 1e-12, 0.5, 1.0, 1e12, 1e300,
                                     1.7976931348623157e308};
    size_t i;
    long k;
    for (i = 0; i < sizeof extreme / sizeof extreme[0]; ++i) {
        if (sweep(extreme[i], 1000) || sweep(nextafter(extreme[i], 1.0), 1000)) {
            return 1;
        }
    }
    for (k = 0; k < 12000; ++k) {
        if (sweep(random_scale(), 1000)) {
            return 1;
        }
    }
    return 0;
}

/* s = q 2^-e, q odd, acc = r 2^(e-1), r odd: acc * s = q r / 2 exactly */
static int check_exact_ties(void)
{
    long k;
    for (k = 0; k < 1000000; ++k) {
        const int e = 1 + (int)(rnd() % 31);
        const int64_t r = (int64_t)((rnd() >> (rnd() % 32)) & ((1u << (32 - e)) - 1)) | 1;
        const int64_t q_max = r >= (1 << 26) ? 1 : ((int64_t)1 << 26) / r;
        const int64_t q = (int64_t)((uint64_t)rnd() % (uint64_t)q_max) | 1;
        const double s = ldexp((double)q, -e);
        const int64_t a = r << (e - 1);
        int32_t enc[3];
        encode(s, enc);
        if (check_pm(a, s, enc) || check_pm(a + 1, s, enc) || check_pm(a - 1, s, enc)) {
            return 1;
        }
        encode(nextafter(s, 0.0), enc);
        if (check_pm(a, nextafter(s, 0.0), enc)) {
            return 1;
        }
        encode(nextafter(s, 1e9), enc);
        if (check_pm(a, nextafter(s, 1e9), enc)) {
            return 1;
        }
    }
    return 0;
}

static uint64_t mod_pow2_inverse(int t, uint64_t u) /* (2^t)^-1 mod odd u */
{
    const uint64_t half = (u + 1) / 2; /* 2^-1 mod u */
    uint64_t x = 1 % u;
    int i;
    for (i = 0; i < t; ++i) {
        x = x * half % u;
    }
    return x;
}

/* acc * s = u w 2^-(t+1+i) with u w = R + d, R = r 2^t (r odd, 2^53 <= R < 2^54):
 * d = +-1 is halfway between R and R +- 2, and the binary64 product rounds to the even
 * one, R, exactly r / 2: a tie only after the first rounding. d = +-3 lands next to it. */
static int check_double_ties(void)
{
    static const int64_t ds[] = {1, -1, 3, -3};
    long k;
    for (k = 0; k < 1500000; ++k) {
        const int t = 29 + (int)(rnd() % 25);
        const int ubits = 2 + (int)(rnd() % (uint32_t)(t == 53 ? 1 : 30));
        const uint64_t u = ((uint64_t)rnd() & ((1ull << ubits) - 1)) | 1ull << (ubits - 1) | 1;
        const int64_t d = ds[k % 4];
        const uint64_t lo = 1ull << (53 - t), hi = 1ull << (54 - t);
        /* r = -d (2^t)^-1 mod u, odd, in [lo, hi) */
        const uint64_t inv = mod_pow2_inverse(t, u);
        const uint64_t dm = (uint64_t)(d < 0 ? -d : d) % u;
        const uint64_t r0 = d < 0 ? inv * dm % u : (u - inv * dm % u) % u;
        uint64_t r = lo + (rnd64() % (hi - lo));
        uint64_t R, w;
        int i;
        r += (r0 + u - r % u) % u;
        if (r % 2 == 0) {
            r += u;
        }
        if (r >= hi || u < 3) {
            continue;
        }
        R = r << t;
        w = (uint64_t)((int64_t)R + d) / u;
        if (w * u != (uint64_t)((int64_t)R + d) || w >= 1ull << 53) {
            printf("double tie construction failed\n");
            return 1;
        }
        for (i = 0; i + ubits <= 31; i += 1 + (int)(rnd() % 4)) {
            const double s = ldexp((double)w, -(t + 1) - i);
            const int64_t a = (int64_t)(u << i);
            int32_t q[3];
            encode(s, q);
            if (check_pm(a, s, q) || check_pm(a + 1, s, q) || check_pm(a - 1, s, q)) {
                return 1;
            }
        }
    }
    return 0;
}

/* scales within 3 ulps of v / acc for v = n + 1/2, n, n + 1/4: the rounded product
 * lands on, beside or between ties */
static int check_ulp_steps(void)
{
    long k;
    for (k = 0; k < 1500000; ++k) {
        const int64_t a = 1 + (int64_t)(rnd() >> (1 + rnd() % 31));
        const double n = floor(ldexp((double)rnd(), -(int)(8 + rnd() % 32)));
        const double v = n + (k % 4 == 3 ? 0.0 : k % 4 == 2 ? 0.25 : 0.5);
        double s = nextafter(nextafter(nextafter(v / (double)a, 0.0), 0.0), 0.0);
        int step;
        if (v == 0.0) {
            continue;
        }
        for (step = 0; step < 7; ++step) {
            int32_t q[3];
            encode(s, q);
            if (check_pm(a, s, q)) {
                return 1;
            }
            s = nextafter(s, INFINITY);
        }
    }
    return 0;
}

int main(void)
{
    if (check_stdin_scales() || check_random_scales() || check_exact_ties()
        || check_double_ties() || check_ulp_steps()) {
        return 1;
    }
    printf("ok %ld exact_ties %ld rounded_ties %ld double_ties %ld\n", cases, exact_ties,
           rounded_ties, double_ties);
    return 0;
}
