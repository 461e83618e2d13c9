/*
 * int8 depthwise 2-D convolution (TFLite DEPTHWISE_CONV_2D), NHWC activations,
 * 1HWO filters, depth multiplier >= 1 (output channel oc = ic * depth_mult + m).
 *
 * Bit-exact with TFLite's reference_integer_ops::DepthwiseConvPerChannel: 32-bit
 * accumulation of filter * (input - input_zero_point) over the in-image taps, + bias,
 * per-channel requantisation (tp_requantize), + output zero point, clamp.
 * Not in place: output must not overlap input.
 */
#ifndef TP_DEPTHWISE_H
#define TP_DEPTHWISE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Parameters of one depthwise convolution layer (constant, in flash). */
typedef struct {
    int32_t in_h;          /**< input height (pixels) */
    int32_t in_w;          /**< input width (pixels) */
    int32_t in_c;          /**< input channels */
    int32_t out_h;         /**< output height (pixels) */
    int32_t out_w;         /**< output width (pixels) */
    int32_t out_c;         /**< output channels = in_c * depth_mult */
    int32_t depth_mult;    /**< depth multiplier (>= 1) */
    int32_t k_h;           /**< filter height (taps) */
    int32_t k_w;           /**< filter width (taps) */
    int32_t stride_h;      /**< vertical stride (pixels) */
    int32_t stride_w;      /**< horizontal stride (pixels) */
    int32_t dil_h;         /**< vertical dilation factor (1 = dense) */
    int32_t dil_w;         /**< horizontal dilation factor (1 = dense) */
    int32_t pad_top;       /**< implicit padding rows above the input (taps skipped) */
    int32_t pad_left;      /**< implicit padding columns left of the input (taps skipped) */
    int32_t input_offset;  /**< minus the input zero point */
    int32_t output_zp;     /**< output zero point, added after requantisation */
    int32_t act_min;       /**< lower clamp (int8 domain, fused activation) */
    int32_t act_max;       /**< upper clamp (int8 domain, fused activation) */
    const int8_t *filter;  /**< [k_h][k_w][out_c] weights (1HWO), zero point 0 */
    const int32_t *bias;   /**< [out_c] int32 bias (zeros when the model has none) */
    const int32_t *mult;   /**< [out_c] Q31 requantisation multipliers */
    const int32_t *shift;  /**< [out_c] requantisation exponents (positive = left shift) */
    /* tp_depthwise_s8_dsp* only (the portable kernel ignores them; see tp_depthwise_dsp.h) */
    int32_t transposed;        /**< the channel plane is transposed (rows along the height) */
    const uint32_t *packed;    /**< [out_c][plane k_h * ceil(plane k_w / 2)] int16 tap pairs */
    const int32_t *folded;     /**< [out_c] bias + input_offset * sum of the taps */
    const int32_t *kconst;     /**< [out_c] _rs: rounding + zero point constant */
} tp_depthwise_params;

/**
 * @brief  Depthwise convolution, any filter size, stride, dilation, padding and depth
 *         multiplier. Accumulates up to 32 channels at a time on the stack (128 B); no
 *         scratch buffer.
 * @param[in]  p       layer parameters
 * @param[in]  input   [in_h][in_w][in_c] int8
 * @param[out] output  [out_h][out_w][out_c] int8, must not overlap input
 */
void tp_depthwise_s8(const tp_depthwise_params *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* TP_DEPTHWISE_H */
