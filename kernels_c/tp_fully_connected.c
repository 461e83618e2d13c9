#include "tp_fully_connected.h"

#include "tp_dot.h"
#include "tp_fc_round.h"
#include "tp_requant.h"

/* One loop, inlined into each entry point with its requantisation form, so a firmware
 * links only the one its model calls (no soft-float multiply where the integer form runs). */
#define TP_FC_INLINE static inline __attribute__((always_inline))

TP_FC_INLINE void fc_s8(const tp_fully_connected_params *p, const int8_t *input,
                        int8_t *output, int int_round)
{
    const int32_t depth = p->depth;
    const double scale0 = int_round ? 0.0 : tp_fc_scale_at(p->scale_bits, 0);
    int32_t r;
    for (r = 0; r < p->rows; ++r) {
        const int8_t *x = input + r * depth;
        const int8_t *w = p->weights;
        int8_t *out = output + r * p->out_c;
        int32_t o;
        for (o = 0; o < p->out_c; ++o) {
            const int32_t acc = tp_wrap_add(p->bias[o], tp_dot_s8(w, x, depth));
            int32_t v;
            if (int_round) {
                v = tp_fc_round_int(acc, p->scale_int + (p->per_channel ? 3 * o : 0));
            } else {
                v = tp_fc_round_away((double)acc * (p->per_channel
                                                    ? tp_fc_scale_at(p->scale_bits, o) : scale0));
            }
            out[o] = tp_clamp_s8(v + p->output_zp, p->act_min, p->act_max);
            w += depth;
        }
    }
}

void tp_fully_connected_s8(const tp_fully_connected_params *p, const int8_t *input,
                           int8_t *output)
{
    fc_s8(p, input, output, 0);
}

void tp_fully_connected_s8_int(const tp_fully_connected_params *p, const int8_t *input,
                               int8_t *output)
{
    fc_s8(p, input, output, 1);
}
