/*
 * FULLY_CONNECTED for cores with the DSP extension: the input row is widened to int16
 * once, then two weight rows per inner loop with SMLAD (see tp_dsp_common.h).
 * Same parameters and results as tp_fully_connected_s8, bit for bit; the _int entry
 * point requantises in integers as tp_fully_connected_s8_int does.
 */
#ifndef TP_FULLY_CONNECTED_DSP_H
#define TP_FULLY_CONNECTED_DSP_H

#include <stdint.h>

#include "tp_fully_connected.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Scratch bytes of tp_fully_connected_s8_dsp for an accumulation depth d. */
#define TP_FC_DSP_SCRATCH_BYTES(d) (4u + 2u * (((uint32_t)(d) + 3u) & ~3u))

/**
 * @brief  As tp_fully_connected_s8, SMLAD inner loop.
 * @param[in]  p        layer parameters
 * @param[in]  input    [rows][depth] int8
 * @param[out] output   [rows][out_c] int8, must not overlap input
 * @param[in]  scratch  TP_FC_DSP_SCRATCH_BYTES(depth) bytes, any alignment
 */
void tp_fully_connected_s8_dsp(const tp_fully_connected_params *p, const int8_t *input,
                               int8_t *output, void *scratch);

/**
 * @brief  As tp_fully_connected_s8_int, SMLAD inner loop.
 * @param[in]  p        layer parameters
 * @param[in]  input    [rows][depth] int8
 * @param[out] output   [rows][out_c] int8, must not overlap input
 * @param[in]  scratch  TP_FC_DSP_SCRATCH_BYTES(depth) bytes, any alignment
 */
void tp_fully_connected_s8_dsp_int(const tp_fully_connected_params *p, const int8_t *input,
                                   int8_t *output, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* TP_FULLY_CONNECTED_DSP_H */
