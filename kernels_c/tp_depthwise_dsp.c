#include "tp_depthwise_dsp.h"

#include "tp_depthwise_dsp_body.h"

/* The exported variants: one instantiation of the body each. */

void tp_depthwise_s8_dsp(const tp_depthwise_params *p, const int8_t *input, int8_t *output,
                         void *scratch)
{
    tp_dw_any(p, input, output, scratch, 0);
}

void tp_depthwise_s8_dsp_rs(const tp_depthwise_params *p, const int8_t *input, int8_t *output,
                            void *scratch)
{
    tp_dw_any(p, input, output, scratch, 1);
}

#define TP_DW_VARIANT(name, k, s, x2)                                                      \
    void name(const tp_depthwise_params *p, const int8_t *input, int8_t *output,           \
              void *scratch)                                                               \
    {                                                                                      \
        tp_dw_layer(p, input, output, scratch, k, k, s, s, 1, 1, x2);                      \
    }

TP_DW_VARIANT(tp_depthwise_s8_dsp_k3s1, 3, 1, 0)
TP_DW_VARIANT(tp_depthwise_s8_dsp_k3s2, 3, 2, 0)
TP_DW_VARIANT(tp_depthwise_s8_dsp_k5s1, 5, 1, 0)
TP_DW_VARIANT(tp_depthwise_s8_dsp_k5s2, 5, 2, 0)
TP_DW_VARIANT(tp_depthwise_s8_dsp_rs_k3s1, 3, 1, 1)
TP_DW_VARIANT(tp_depthwise_s8_dsp_rs_k3s2, 3, 2, 1)
TP_DW_VARIANT(tp_depthwise_s8_dsp_rs_k5s1, 5, 1, 1)
TP_DW_VARIANT(tp_depthwise_s8_dsp_rs_k5s2, 5, 2, 1)
