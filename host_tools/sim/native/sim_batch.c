/*
 * The firmware's own portable kernels (kernels_c/), run over a batch of inferences, for
 * the ops where the simulator's numpy version spends more time in per-call overhead than
 * in arithmetic (pooling, softmax, MEAN, REDUCE_MAX). The kernel sources are compiled
 * into the native library as they are, so these layers are the firmware's code by
 * construction.
 */
#include <stdint.h>

#include "tp_pool.h"
#include "tp_reduce.h"
#include "tp_softmax.h"

/**
 * @brief  tp_softmax_s8 over n samples: the rows of all samples are one longer matrix.
 * @param[in]  p    one sample's parameters
 * @param[in]  in   [n][rows][depth] int8
 * @param[out] out  [n][rows][depth] int8
 * @param[in]  n    samples
 * @return     0
 */
int tp_sim_softmax_s8(const tp_softmax_params *p, const int8_t *in, int8_t *out, int32_t n)
{
    tp_softmax_params all = *p;
    all.rows *= n;
    tp_softmax_s8(&all, in, out);
    return 0;
}

/**
 * @brief  tp_reduce_mean_s8 (max = 0) or tp_reduce_max_s8 (max = 1) on each of n samples.
 * @param[in]  p         one sample's parameters
 * @param[in]  in        [n][in_size] int8
 * @param[out] out       [n][out_size] int8
 * @param[in]  n         samples
 * @param[in]  in_size   input elements per sample
 * @param[in]  out_size  output elements per sample
 * @param[in]  max       which reduction
 * @return     0
 */
int tp_sim_reduce_s8(const tp_reduce_params *p, const int8_t *in, int8_t *out, int32_t n,
                     int64_t in_size, int64_t out_size, int32_t max)
{
    int32_t s;
    for (s = 0; s < n; ++s) {
        if (max) {
            tp_reduce_max_s8(p, in + s * in_size, out + s * out_size);
        } else {
            tp_reduce_mean_s8(p, in + s * in_size, out + s * out_size);
        }
    }
    return 0;
}

/**
 * @brief  tp_avgpool_s8 (max = 0) or tp_maxpool_s8 (max = 1) on each of n samples.
 * @param[in]  p    one sample's parameters
 * @param[in]  in   [n][in_h][in_w][c] int8
 * @param[out] out  [n][out_h][out_w][c] int8
 * @param[in]  n    samples
 * @param[in]  max  which pooling
 * @return     0
 */
int tp_sim_pool_s8(const tp_pool_params *p, const int8_t *in, int8_t *out, int32_t n,
                   int32_t max)
{
    const int64_t in_size = (int64_t)p->in_h * p->in_w * p->c;
    const int64_t out_size = (int64_t)p->out_h * p->out_w * p->c;
    int32_t s;
    for (s = 0; s < n; ++s) {
        if (max) {
            tp_maxpool_s8(p, in + s * in_size, out + s * out_size);
        } else {
            tp_avgpool_s8(p, in + s * in_size, out + s * out_size);
        }
    }
    return 0;
}
