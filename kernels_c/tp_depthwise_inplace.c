#include "tp_depthwise_inplace.h"

#include "tp_depthwise_dsp.h"

#include <string.h>

/* First input byte output row j still reads (rows above the image read nothing). */
static int32_t need_start(const tp_depthwise_params *p, int32_t j)
{
    const int32_t y0 = j * p->stride_h - p->pad_top;
    return (y0 > 0 ? y0 : 0) * p->in_w * p->in_c;
}

/* One output row of depthwise convolution; row_scratch is the row kernel's own scratch. */
typedef void (*dw_row_fn)(const tp_depthwise_params *p, const int8_t *in, int8_t *out,
                          void *row_scratch);

static void row_portable(const tp_depthwise_params *p, const int8_t *in, int8_t *out,
                         void *row_scratch)
{
    (void)row_scratch;
    tp_depthwise_s8(p, in, out);
}

/* The shared schedule; `row` is a constant in each caller, so it is inlined. */
static inline void inplace(const tp_depthwise_inplace_params *p, int8_t *buf, void *scratch,
                           dw_row_fn row)
{
    const tp_depthwise_params *d = &p->dw;
    const int32_t row_bytes = d->out_w * d->out_c;
    int8_t *ring = (int8_t *)scratch;
    void *row_scratch = ring + p->ring_rows * row_bytes;
    tp_depthwise_params rp = *d; /* one output row per call */
    rp.out_h = 1;
    int32_t flushed = 0; /* output rows [0, flushed) are already in buf */
    int32_t j;
    for (j = 0; j < d->out_h; ++j) {
        const int32_t y0 = j * d->stride_h - d->pad_top;
        /* Write back every held row whose bytes no later output row reads. */
        while (flushed < j && (flushed + 1) * row_bytes <= need_start(d, j)) {
            memcpy(buf + flushed * row_bytes, ring + (flushed % p->ring_rows) * row_bytes,
                   (size_t)row_bytes);
            ++flushed;
        }
        /* One output row: shift the input so the row's window starts at its top. */
        rp.pad_top = y0 < 0 ? -y0 : 0;
        rp.in_h = y0 > 0 ? d->in_h - y0 : d->in_h;
        row(&rp, buf + (y0 > 0 ? y0 : 0) * d->in_w * d->in_c,
            ring + (j % p->ring_rows) * row_bytes, row_scratch);
    }
    for (; flushed < d->out_h; ++flushed) {
        memcpy(buf + flushed * row_bytes, ring + (flushed % p->ring_rows) * row_bytes,
               (size_t)row_bytes);
    }
}

void tp_depthwise_inplace_s8(const tp_depthwise_inplace_params *p, int8_t *buf, void *scratch)
{
    inplace(p, buf, scratch, row_portable);
}

void tp_depthwise_inplace_s8_dsp(const tp_depthwise_inplace_params *p, int8_t *buf,
                                 void *scratch)
{
    inplace(p, buf, scratch, tp_depthwise_s8_dsp);
}

void tp_depthwise_inplace_s8_dsp_rs(const tp_depthwise_inplace_params *p, int8_t *buf,
                                    void *scratch)
{
    inplace(p, buf, scratch, tp_depthwise_s8_dsp_rs);
}
