/*
 * Elementwise int8 addition with general broadcasting (TFLite ADD, int8).
 *
 * Bit-exact with TFLite's reference_integer_ops::Add / BroadcastAdd4DSlow: both inputs
 * are offset, shifted left by left_shift (20 for int8), rescaled to a common scale with
 * their own multipliers, summed, rescaled to the output and clamped to the fused
 * activation range.
 */
#ifndef TP_ADD_H
#define TP_ADD_H

#include <stdint.h>

#include "tp_broadcast.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Parameters of tp_add_s8 (all computed at compile time, see codegen/ops/add.py). */
typedef struct {
    tp_broadcast_loops loops; /**< iteration space, see tp_broadcast.h */
    int32_t input1_offset;     /**< -input1 zero point */
    int32_t input1_multiplier; /**< Q31 multiplier: input1 scale / (2 * max input scale) */
    int32_t input1_shift;      /**< its exponent (<= 0, right shift) */
    int32_t input2_offset;     /**< -input2 zero point */
    int32_t input2_multiplier; /**< Q31 multiplier: input2 scale / (2 * max input scale) */
    int32_t input2_shift;      /**< its exponent (<= 0) */
    int32_t left_shift;        /**< headroom shift applied to both inputs (20) */
    int32_t output_multiplier; /**< Q31: 2 * max input scale / (2^left_shift * output scale) */
    int32_t output_shift;      /**< its exponent (<= 0) */
    int32_t output_offset;     /**< output zero point */
    int32_t act_min;           /**< lower clamp of the fused activation, quantized */
    int32_t act_max;           /**< upper clamp of the fused activation, quantized */
} tp_add_params;

/**
 * @brief  out = clamp(in1 + in2) with broadcasting, int8.
 * @param[in]  params geometry and quantization parameters
 * @param[in]  in1    first input (activation or constant)
 * @param[in]  in2    second input (activation or constant)
 * @param[out] out    output, n0*n1*n2*n3 elements; may alias an input of the output's shape
 */
void tp_add_s8(const tp_add_params *params, const int8_t *in1, const int8_t *in2, int8_t *out);

/**
 * Parameters of tp_add_s8_lut, for two inputs of the output's shape (no broadcasting).
 *
 * table1[x + 128] = 2 * MultiplyByQuantizedMultiplierSmallerThanOne((x + input1_offset)
 * << left_shift, input1_multiplier, input1_shift) for every int8 x, table2 likewise:
 * TFLite's rescaled inputs, doubled, computed at compile time. The compiler proves
 * |sum of the two rescaled inputs| < 2^30, so the doubled sum acc2 fits int32, and that
 * output_bias + SMMULR(acc2, output_multiplier) fits int32 (see codegen/ops/add.py).
 */
typedef struct {
    int32_t size;              /**< number of elements */
    const int32_t *table1;     /**< [256] doubled rescaled input 1, x at [x + 128] */
    const int32_t *table2;     /**< [256] doubled rescaled input 2 */
    int32_t output_multiplier; /**< Q31 multiplier, in [2^30, 2^31) */
    int32_t output_rshift;     /**< e = -output_shift, in [1, 31] */
    int32_t output_bias;       /**< 2^(e-1) + output zero point * 2^e: rounding and offset */
    int32_t act_min;           /**< lower clamp of the fused activation, quantized */
    int32_t act_max;           /**< upper clamp of the fused activation, quantized */
} tp_add_lut_params;

/**
 * @brief  out = clamp(in1 + in2), int8, same shapes: two table lookups and one SMMLAR
 *         per element, bit-exact with tp_add_s8. Chosen by the compiler for DSP targets.
 * @param[in]  params tables and output quantization parameters
 * @param[in]  in1    first input, size elements (activation or constant)
 * @param[in]  in2    second input, size elements
 * @param[out] out    output, size elements; may be the same buffer as in1 or in2
 */
void tp_add_s8_lut(const tp_add_lut_params *params, const int8_t *in1, const int8_t *in2,
                   int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* TP_ADD_H */
