/*
 * int8 fully connected layer (TFLite FULLY_CONNECTED, weights format DEFAULT).
 *
 * Bit-exact with TFLite 2.21's FULLY_CONNECTED under the BUILTIN_REF resolver, which,
 * unlike CONV_2D / DEPTHWISE_CONV_2D, does not requantise with a Q31 multiplier but in
 * binary64 floating point:
 *   acc = bias[o] + sum_d weights[o][d] * (input[r][d] - input_zero_point)   (int32)
 *   out = clamp(round(double(acc) * scale[o]) + output_zero_point)
 *   scale[o] = double(input_scale) * double(weight_scale[o]) / double(output_scale)
 * with round() halving away from zero, for per-tensor and per-channel weights alike.
 * (Established against the installed interpreter with crafted scales: exact ties and
 * scales where float32 or Q31 arithmetic rounds differently; see the tests.)
 *
 * The compiler folds the input zero point into the bias:
 *   bias[o] = bias_tflite[o] - input_zero_point * sum(weights[o]) (mod 2^32),
 * and stores each scale exactly, in the form the entry point it picks reads
 * (tp_fc_round.h): tp_fully_connected_s8 multiplies in binary64 (scale_bits, the bit
 * pattern of the double), for cores with a double-precision FPU; tp_fully_connected_s8_int
 * gets the same results from 32-bit integer multiplies (scale_int), for the others, where a
 * soft-float multiply would cost more than a short dot product.
 */
#ifndef TP_FULLY_CONNECTED_H
#define TP_FULLY_CONNECTED_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Parameters of one fully connected layer (constant, in flash). */
typedef struct {
    int32_t rows;               /**< input vectors (input size / depth), usually 1 */
    int32_t depth;              /**< accumulation depth (weights columns) */
    int32_t out_c;              /**< output units (weights rows) */
    int32_t per_channel;        /**< 1: out_c scales; 0: one scale for all units */
    int32_t output_zp;          /**< output zero point */
    int32_t act_min;            /**< lower clamp (int8 domain, fused activation) */
    int32_t act_max;            /**< upper clamp (int8 domain, fused activation) */
    const int8_t *weights;      /**< [out_c][depth] weights, zero point 0 */
    const int32_t *bias;        /**< [out_c] bias with the input zero point folded in */
    const int32_t *scale_bits;  /**< [2 * scales] binary64 scales as (low word, high word);
                                     binary64 entry points only, else NULL */
    const int32_t *scale_int;   /**< [3 * scales] (m_lo, m_hi, shift), see tp_fc_round_int;
                                     *_int entry points only, else NULL */
} tp_fully_connected_params;

/**
 * @brief  out[r][o] = requant(bias[o] + sum_d weights[o][d] * in[r][d]) for every row r.
 * @param[in]  p       layer parameters
 * @param[in]  input   [rows][depth] int8
 * @param[out] output  [rows][out_c] int8, must not overlap input
 */
void tp_fully_connected_s8(const tp_fully_connected_params *p, const int8_t *input,
                           int8_t *output);

/**
 * @brief  As tp_fully_connected_s8, requantising in integers (scale_int): same results.
 * @param[in]  p       layer parameters
 * @param[in]  input   [rows][depth] int8
 * @param[out] output  [rows][out_c] int8, must not overlap input
 */
void tp_fully_connected_s8_int(const tp_fully_connected_params *p, const int8_t *input,
                               int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TP_FULLY_CONNECTED_H */
