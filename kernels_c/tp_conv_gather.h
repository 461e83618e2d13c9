/*
 * im2col helpers shared by the DSP convolution kernels (tp_conv_dsp.c, tp_conv_pk_dsp.c):
 * small byte copies without library calls and the gather of one output pixel's window
 * (tp_conv_gather.c).
 */
#ifndef TP_CONV_GATHER_H
#define TP_CONV_GATHER_H

#include <stdint.h>
#include <string.h>

#include "tp_arm_intrinsics.h"
#include "tp_conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* n bytes (n small: one tap or one filter row) without a library call: the windows of
 * in_c % 4 != 0 layers (the first RGB conv) are a few bytes per row, and a memcpy /
 * memset call per row cost more than the copy. Word moves, then bytes. */
static inline void tp_copy_s8(int8_t *d, const int8_t *s, int32_t n)
{
    for (; n >= 4; n -= 4, d += 4, s += 4) {
        const uint32_t w = tp_read_s8x4(s);
        memcpy(d, &w, 4); /* one (unaligned) STR */
    }
    for (; n > 0; --n) {
        *d++ = *s++;
    }
}

/* n >= 4 bytes by words, the last word overlapping the one before: a 3x3 RGB window row
 * (9 bytes) is three LDR / STR pairs, no byte loop. */
static inline void tp_copy_s8_ge4(int8_t *d, const int8_t *s, int32_t n)
{
    uint32_t w;
    int32_t i;
    for (i = 0; i + 4 < n; i += 4) {
        w = tp_read_s8x4(s + i);
        memcpy(d + i, &w, 4);
    }
    w = tp_read_s8x4(s + n - 4);
    memcpy(d + n - 4, &w, 4);
}

static inline void tp_fill_s8(int8_t *d, int8_t v, int32_t n)
{
    const uint32_t w = (uint32_t)(uint8_t)v * 0x01010101u;
    for (; n >= 4; n -= 4, d += 4) {
        memcpy(d, &w, 4);
    }
    for (; n > 0; --n) {
        *d++ = v;
    }
}

/**
 * @brief  Gather the k_h x k_w x in_c window of output pixel (oy, ox) into col (OHWI
 *         order); taps outside the image get the input zero point, so with the folded
 *         bias they add exactly 0.
 * @param[in]  p      layer parameters (geometry, input_zp)
 * @param[in]  input  [in_h][in_w][in_c] int8
 * @param[in]  oy, ox output pixel
 * @param[out] col    k_h * k_w * in_c bytes, any alignment
 */
void tp_conv_gather(const tp_conv_params *p, const int8_t *input, int32_t oy, int32_t ox,
                    int8_t *col);

#ifdef __cplusplus
}
#endif

#endif /* TP_CONV_GATHER_H */
