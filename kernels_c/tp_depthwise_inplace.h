/*
 * In-place int8 depthwise convolution (depth multiplier 1): the output overwrites the
 * input buffer, so the layer needs max(in, out) + a few output rows instead of in + out
 * (TinyEngine's in-place depthwise, in the NHWC formulation).
 *
 * Output rows are computed one at a time by tp_depthwise_s8 (so the arithmetic is the
 * reference kernel's, bit-exact with TFLite) into a ring of `ring_rows` rows in
 * scratch. A finished row is written back over the input as soon as no later output
 * row reads the input bytes it covers. The compiler proves ring_rows is enough for the
 * layer's geometry (codegen/inplace.py simulates the same schedule).
 */
#ifndef TP_DEPTHWISE_INPLACE_H
#define TP_DEPTHWISE_INPLACE_H

#include <stdint.h>

#include "tp_depthwise.h"

#ifdef __cplusplus
extern "C" {
#endif

/** In-place depthwise layer parameters (constant, in flash). */
typedef struct {
    tp_depthwise_params dw; /**< the layer as tp_depthwise_s8 sees it (depth_mult 1) */
    int32_t ring_rows;      /**< output rows held back in scratch (>= 1) */
} tp_depthwise_inplace_params;

/**
 * @brief  Depthwise convolution whose output overwrites its input.
 * @param[in]     p        layer parameters
 * @param[in,out] buf      [in_h][in_w][in_c] input on entry, [out_h][out_w][out_c] on return
 * @param[in]     scratch  ring_rows * out_w * out_c bytes, must not overlap buf
 */
void tp_depthwise_inplace_s8(const tp_depthwise_inplace_params *p, int8_t *buf, void *scratch);

/**
 * @brief  Same schedule, each output row computed by tp_depthwise_s8_dsp (DSP targets,
 *         layers that kernel takes; the DSP kernels can also run in place by themselves,
 *         this schedule needs less scratch on maps with few channels).
 * @param[in]     p        layer parameters, with the DSP fields (packed, folded)
 * @param[in,out] buf      as tp_depthwise_inplace_s8
 * @param[in]     scratch  ring_rows * out_w * out_c bytes followed by the DSP kernel's
 *                         scratch for one output row (out_h = 1), must not overlap buf
 */
void tp_depthwise_inplace_s8_dsp(const tp_depthwise_inplace_params *p, int8_t *buf,
                                 void *scratch);

/** @brief The same with rows by tp_depthwise_s8_dsp_rs (parameters packed for _rs). */
void tp_depthwise_inplace_s8_dsp_rs(const tp_depthwise_inplace_params *p, int8_t *buf,
                                    void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* TP_DEPTHWISE_INPLACE_H */
