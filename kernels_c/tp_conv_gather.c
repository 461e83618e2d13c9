#include "tp_conv_gather.h"

/* Gather the k_h x k_w x in_c window of output pixel (oy, ox) into col (OHWI order, k_h *
 * k_w * in_c bytes); taps outside the image get the input zero point, so with the folded
 * bias they add exactly 0. A filter row wholly inside the image with dil_w 1 is one
 * contiguous copy. */
void tp_conv_gather(const tp_conv_params *p, const int8_t *input, int32_t oy, int32_t ox,
                    int8_t *col)
{
    const int32_t c = p->in_c, k_w = p->k_w, dil_w = p->dil_w, in_w = p->in_w;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    const int32_t row = k_w * c;
    const int row_inside = x0 >= 0 && x0 + (k_w - 1) * dil_w < in_w;
    const int8_t zp = (int8_t)p->input_zp;
    int32_t ky, kx;
    for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = y0 + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) {
            tp_fill_s8(col, zp, row);
        } else if (row_inside && dil_w == 1 && row >= 4) {
            tp_copy_s8_ge4(col, input + (iy * in_w + x0) * c, row);
        } else if (row_inside && dil_w == 1) {
            tp_copy_s8(col, input + (iy * in_w + x0) * c, row);
        } else {
            for (kx = 0; kx < k_w; ++kx) {
                const int32_t ix = x0 + kx * dil_w;
                if (ix < 0 || ix >= in_w) {
                    tp_fill_s8(col + kx * c, zp, c);
                } else {
                    tp_copy_s8(col + kx * c, input + (iy * in_w + ix) * c, c);
                }
            }
        }
        col += row;
    }
}
