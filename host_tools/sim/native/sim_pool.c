/*
 * Batched int8 average pooling for the host simulator's native engine
 * (kernels_c/tp_pool.c's tp_avgpool_s8 over many inferences per call).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/** Geometry of one pooling layer (tp_pool_params' fields the simulator needs). */
typedef struct {
    int32_t in_h, in_w, c;
    int32_t out_h, out_w;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
} tp_sim_pool;

/**
 * @brief  Average pooling of n samples: sums over the window clipped to the image,
 *         divided by the clipped count rounding half away from zero, as the kernel.
 * @param[in]  p       layer
 * @param[in]  input   [n][in_h][in_w][c] int8
 * @param[out] output  [n][out_h][out_w][c] int8
 * @param[in]  n       samples
 * @return     0, or -1 if scratch could not be allocated (output not written)
 */
int tp_sim_avgpool_s8(const tp_sim_pool *p, const int8_t *input, int8_t *output, int32_t n)
{
    const int32_t c = p->c;
    const int64_t in_size = (int64_t)p->in_h * p->in_w * c;
    const int64_t out_size = (int64_t)p->out_h * p->out_w * c;
    int32_t *acc = malloc(sizeof(int32_t) * (size_t)c);
    int32_t s, oy, ox, y, x, j;
    if (acc == NULL) {
        return -1;
    }
    for (s = 0; s < n; ++s) {
        const int8_t *in = input + s * in_size;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t ys = oy * p->stride_h - p->pad_top;
            const int32_t y0 = ys < 0 ? 0 : ys;
            const int32_t y1 = ys + p->k_h > p->in_h ? p->in_h : ys + p->k_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t xs = ox * p->stride_w - p->pad_left;
                const int32_t x0 = xs < 0 ? 0 : xs;
                const int32_t x1 = xs + p->k_w > p->in_w ? p->in_w : xs + p->k_w;
                const int32_t count = (y1 - y0) * (x1 - x0);
                int8_t *out = output + s * out_size + ((int64_t)oy * p->out_w + ox) * c;
                memset(acc, 0, sizeof(int32_t) * (size_t)c);
                for (y = y0; y < y1; ++y) {
                    for (x = x0; x < x1; ++x) {
                        const int8_t *px = in + ((int64_t)y * p->in_w + x) * c;
                        for (j = 0; j < c; ++j) {
                            acc[j] += px[j];
                        }
                    }
                }
                for (j = 0; j < c; ++j) {
                    int32_t v = 0;
                    if (count > 0) {
                        v = acc[j] > 0 ? (acc[j] + count / 2) / count
                                       : (acc[j] - count / 2) / count;
                    }
                    v = v < p->act_min ? p->act_min : v;
                    out[j] = (int8_t)(v > p->act_max ? p->act_max : v);
                }
            }
        }
    }
    free(acc);
    return 0;
}
