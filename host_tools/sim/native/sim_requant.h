/*
 * Requantisation of a row of int32 accumulators for the host simulator's native engine.
 *
 * Same arithmetic as kernels_c/tp_requant.h (TFLite MultiplyByQuantizedMultiplier, double
 * rounding), written without branches so the compiler vectorises it over channels:
 * - tp_srdhm's INT32_MIN * INT32_MIN saturation cannot occur: multipliers are in
 *   [2^30, 2^31) or 0 (the loader checks), never INT32_MIN;
 * - the division by 2^31 truncating toward zero becomes an arithmetic shift of the sum
 *   plus (2^31 - 1) when it is negative.
 */
#ifndef TP_SIM_REQUANT_H
#define TP_SIM_REQUANT_H

#include <math.h>
#include <stdint.h>

/** Per-layer requantisation constants, per output channel where arrays. */
typedef struct {
    const int32_t *bias;   /**< [out_c] added to the accumulator (wrapping, as the kernels) */
    const int32_t *mult;   /**< [out_c] Q31 multipliers */
    const int32_t *shift;  /**< [out_c] exponents, positive = left shift */
    int32_t output_zp;     /**< added after requantisation */
    int32_t act_min;       /**< lower clamp */
    int32_t act_max;       /**< upper clamp */
    /* Where the loader proves it exact (host_tools/sim/kernels.py _single_rounding), the
     * same result in one float64 rounding: floor(acc * scale + offset), clamped; NULL
     * when not proven. All products and sums are then exact, so fused or not, vector or
     * not, every rounding gives the same integer. */
    const double *scale;   /**< [out_c] or NULL */
    const double *offset;  /**< [out_c] bias, rounding and zero point folded in */
} tp_sim_requant;

/**
 * @brief  out[c] = clamp(tp_requantize(acc[c] + bias[c], mult[c], shift[c]) + zp), c < n.
 * @param[in]  q    requantisation constants
 * @param[in]  acc  [n] accumulators without bias
 * @param[out] out  [n] int8 results
 * @param[in]  n    channels
 */
static inline void tp_sim_requant_row(const tp_sim_requant *q, const int32_t *restrict acc,
                                      int8_t *restrict out, int32_t n)
{
    /* locals, so int8 stores cannot alias the struct's fields and the loop vectorises */
    const int32_t *restrict bias = q->bias;
    const int32_t *restrict mult = q->mult;
    const int32_t *restrict shifts = q->shift;
    const int32_t zp = q->output_zp, lo = q->act_min, hi = q->act_max;
    int32_t c;
    if (q->scale != NULL) {
        const double *restrict scale = q->scale;
        const double *restrict offset = q->offset;
        const double lo_f = lo, hi_f = hi;
        for (c = 0; c < n; ++c) {
            double v = floor(acc[c] * scale[c] + offset[c]);
            v = v < lo_f ? lo_f : v;
            out[c] = (int8_t)(int32_t)(v > hi_f ? hi_f : v);
        }
        return;
    }
    for (c = 0; c < n; ++c) {
        const int32_t shift = shifts[c];
        const int32_t left = shift > 0 ? shift : 0;
        const int32_t right = shift > 0 ? 0 : -shift;
        const uint32_t sum = (uint32_t)acc[c] + (uint32_t)bias[c];
        const int32_t x = (int32_t)(sum << left);
        const int64_t ab = (int64_t)x * (int64_t)mult[c];
        const int64_t s = ab + (ab >= 0 ? (1LL << 30) : (1LL - (1LL << 30)));
        const int32_t high = (int32_t)((s + ((s >> 63) & 0x7FFFFFFFLL)) >> 31);
        const int32_t mask = (int32_t)((1u << right) - 1u);
        const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
        int32_t v = (high >> right) + ((high & mask) > threshold ? 1 : 0) + zp;
        v = v < lo ? lo : v;
        v = v > hi ? hi : v;
        out[c] = (int8_t)v;
    }
}

#endif /* TP_SIM_REQUANT_H */
