#include "tp_fully_connected_dsp.h"

#include "tp_dsp_common.h"
#include "tp_fc_round.h"

/* As in tp_fully_connected.c: one loop per requantisation form. */
#define TP_FC_INLINE static inline __attribute__((always_inline))

TP_FC_INLINE int8_t fc_out(const tp_fully_connected_params *p, int32_t o, int32_t acc,
                           double scale0, int int_round)
{
    int32_t v;
    if (int_round) {
        v = tp_fc_round_int(acc, p->scale_int + (p->per_channel ? 3 * o : 0));
    } else {
        v = tp_fc_round_away((double)acc * (p->per_channel ? tp_fc_scale_at(p->scale_bits, o)
                                                           : scale0));
    }
    return tp_clamp_s8(v + p->output_zp, p->act_min, p->act_max);
}

TP_FC_INLINE void fc_s8_dsp(const tp_fully_connected_params *p, const int8_t *input,
                            int8_t *output, void *scratch, int int_round)
{
    const int32_t depth = p->depth;
    const int32_t out_c = p->out_c;
    const double scale0 = int_round ? 0.0 : tp_fc_scale_at(p->scale_bits, 0);
    int16_t *col = tp_align4(scratch);
    int32_t r, o;
    for (r = 0; r < p->rows; ++r) {
        int8_t *out = output + r * out_c;
        tp_widen_q15_reordered(input + r * depth, col, depth);
        for (o = 0; o < out_c; o += 2) {
            /* an odd last unit runs with itself as the pair and drops the copy */
            const int32_t o1 = o + 1 < out_c ? o + 1 : o;
            int32_t acc[2];
            acc[0] = p->bias[o];
            acc[1] = p->bias[o1];
            tp_dot_2x1_q15(p->weights + o * depth, p->weights + o1 * depth, col, depth, acc);
            out[o] = fc_out(p, o, acc[0], scale0, int_round);
            out[o1] = fc_out(p, o1, acc[1], scale0, int_round);
        }
    }
}

void tp_fully_connected_s8_dsp(const tp_fully_connected_params *p, const int8_t *input,
                               int8_t *output, void *scratch)
{
    fc_s8_dsp(p, input, output, scratch, 0);
}

void tp_fully_connected_s8_dsp_int(const tp_fully_connected_params *p, const int8_t *input,
                                   int8_t *output, void *scratch)
{
    fc_s8_dsp(p, input, output, scratch, 1);
}
