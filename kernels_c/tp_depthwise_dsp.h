/*
 * DEPTHWISE_CONV_2D for cores with the DSP extension, depth multiplier 1.
 *
 * Same parameters (tp_depthwise_params) and results as tp_depthwise_s8, bit for bit.
 * Channel by channel: the channel is copied once into a padded int16 plane in scratch
 * (padding = the input zero point, the bias folded with input_offset * sum of the
 * channel's taps, so padded taps add nothing and no tap has a bounds check), the
 * filter's taps come packed in int16 pairs by the compiler (fields transposed, packed,
 * folded, kconst of tp_depthwise_params; filter is not read), and each step computes two
 * neighbouring outputs of a row with SMLAD over adjacent plane values (for stride 1 the
 * last tap word is shared: SMLABB / SMLATB). An output taller than wide runs on the
 * transposed plane (field transposed), so rows are long (e.g. 1-pixel-wide k x 1 audio
 * layers). Because each channel is copied before any of its outputs is
 * written, and outputs land only in their own channel's bytes, output may equal input
 * (in-place depthwise, as in TinyEngine).
 *
 * Variants, chosen at compile time (codegen/ops/depthwise.py):
 *   _k3s1, _k3s2, _k5s1, _k5s2  square 3x3 / 5x5 filters, equal strides, no dilation;
 *                               the plain name takes any size, stride and dilation;
 *   _rs                         every shift in [-22, -1] and |bias| + 255 * sum|w| < 2^30
 *                               per channel (proven by the compiler): doubled accumulator,
 *                               branch-free SMMULR requantisation (tp_requant_x2k).
 */
#ifndef TP_DEPTHWISE_DSP_H
#define TP_DEPTHWISE_DSP_H

#include <stdint.h>

#include "tp_depthwise.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most packed weight pairs per channel, k_h * ceil(k_w / 2); k_h * k_w <= 49 fits. */
#define TP_DW_DSP_MAX_PAIRS 49

/*
 * Scratch: 4 + 2 * plane_rows * pitch + 4 * (out_cols rounded up to even) bytes, any
 * alignment (the plane, then one row of int32 sums), where in the plane's
 * orientation (rows x cols outputs, k_h x k_w taps; swapped when transposed)
 *   plane_rows = (out_rows - 1) * stride_h + (k_h - 1) * dil_h + 1
 *   pitch      = (out_cols * stride_w + (k_w - 1) * dil_w + 3) rounded down to even
 * (tp_dw_scratch_bytes in tp_depthwise_dsp_body.h; codegen/kernels.py: depthwise_scratch).
 */

/**
 * @brief  Depthwise convolution, depth_mult == 1, k_h * k_w <= 49, any stride, dilation
 *         and padding.
 * @param[in]  p        layer parameters
 * @param[in]  input    [in_h][in_w][in_c] int8
 * @param[out] output   [out_h][out_w][out_c] int8; may be input itself, else must not
 *                      overlap it
 * @param[in]  scratch  the plane (see above)
 */
void tp_depthwise_s8_dsp(const tp_depthwise_params *p, const int8_t *input, int8_t *output,
                         void *scratch);

/** @brief tp_depthwise_s8_dsp with the doubled-accumulator requantisation (see _rs). */
void tp_depthwise_s8_dsp_rs(const tp_depthwise_params *p, const int8_t *input, int8_t *output,
                            void *scratch);

/** @brief The same for k_h == k_w == 3 or 5, stride_h == stride_w == 1 or 2, dilation 1. */
void tp_depthwise_s8_dsp_k3s1(const tp_depthwise_params *p, const int8_t *input,
                              int8_t *output, void *scratch);
void tp_depthwise_s8_dsp_k3s2(const tp_depthwise_params *p, const int8_t *input,
                              int8_t *output, void *scratch);
void tp_depthwise_s8_dsp_k5s1(const tp_depthwise_params *p, const int8_t *input,
                              int8_t *output, void *scratch);
void tp_depthwise_s8_dsp_k5s2(const tp_depthwise_params *p, const int8_t *input,
                              int8_t *output, void *scratch);
void tp_depthwise_s8_dsp_rs_k3s1(const tp_depthwise_params *p, const int8_t *input,
                                 int8_t *output, void *scratch);
void tp_depthwise_s8_dsp_rs_k3s2(const tp_depthwise_params *p, const int8_t *input,
                                 int8_t *output, void *scratch);
void tp_depthwise_s8_dsp_rs_k5s1(const tp_depthwise_params *p, const int8_t *input,
                                 int8_t *output, void *scratch);
void tp_depthwise_s8_dsp_rs_k5s2(const tp_depthwise_params *p, const int8_t *input,
                                 int8_t *output, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* TP_DEPTHWISE_DSP_H */
