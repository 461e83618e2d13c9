#include "tp_add.h"

#include "tp_requant.h"
#include "tp_requant_fast.h"

/* Outputs from which the kernel tabulates each input's rescaled value: it depends on
 * that int8 value alone, so 2 x 256 requantisations replace two per element. */
#define TP_ADD_TABLE_MIN 512

/* One input's value offset, shifted and rescaled to the common scale. tp_requantize_fast
 * equals tp_requantize for every input (multipliers are 0 or in [2^30, 2^31)). */
static inline int32_t add_scaled(int32_t v, int32_t offset, int32_t left_shift, int32_t mult,
                                 int32_t shift)
{
    /* |v + offset| <= 255, so the shifted value stays below 2^28: no overflow */
    return tp_requantize_fast((v + offset) * ((int32_t)1 << left_shift), mult, shift);
}

static inline int8_t add_one(const void *params, int32_t a, int32_t b)
{
    const tp_add_params *p = (const tp_add_params *)params;
    const int32_t a_scaled = add_scaled(a, p->input1_offset, p->left_shift,
                                        p->input1_multiplier, p->input1_shift);
    const int32_t b_scaled = add_scaled(b, p->input2_offset, p->left_shift,
                                        p->input2_multiplier, p->input2_shift);
    return tp_out_s8(a_scaled + b_scaled, p->output_multiplier, p->output_shift,
                     p->output_offset, p->act_min, p->act_max);
}

typedef struct {
    const int32_t *t1;  /* rescaled input 1, indexed by its int8 value */
    const int32_t *t2;  /* rescaled input 2 */
    int32_t mult, shift, offset, lo, hi;
} add_tables;

static inline int8_t add_one_table(const void *ctx, int32_t a, int32_t b)
{
    const add_tables *t = (const add_tables *)ctx;
    return tp_out_s8(t->t1[a] + t->t2[b], t->mult, t->shift, t->offset, t->lo, t->hi);
}

void tp_add_s8(const tp_add_params *params, const int8_t *in1, const int8_t *in2,
               int8_t *out)
{
    /* A local copy: int8 stores may alias anything, so fields read through the pointer
     * would be reloaded after every output element */
    const tp_add_params local = *params;
    const tp_add_params *const p = &local;
    const tp_broadcast_loops *l = &p->loops;
    if (l->n0 * l->n1 * l->n2 * l->n3 >= TP_ADD_TABLE_MIN) {
        int32_t t1[256], t2[256];
        add_tables t;
        int32_t v;
        for (v = -128; v < 128; ++v) {
            t1[v + 128] = add_scaled(v, p->input1_offset, p->left_shift, p->input1_multiplier,
                                     p->input1_shift);
            t2[v + 128] = add_scaled(v, p->input2_offset, p->left_shift, p->input2_multiplier,
                                     p->input2_shift);
        }
        t.t1 = t1 + 128;
        t.t2 = t2 + 128;
        t.mult = p->output_multiplier;
        t.shift = p->output_shift;
        t.offset = p->output_offset;
        t.lo = p->act_min;
        t.hi = p->act_max;
        tp_broadcast_binary_s8(l, in1, in2, out, add_one_table, &t);
    } else {
        tp_broadcast_binary_s8(l, in1, in2, out, add_one, p);
    }
}

/* One element's output before the clamp: acc2 is twice TFLite's raw sum and bias is
 * tp_requant_x2k's k (2^(e-1) + zp * 2^e), so SMMLAR, ADD, ASR per element. */
static inline int32_t add_lut_raw(const int32_t *t1, const int32_t *t2, int32_t a, int32_t b,
                                  int32_t mult, int32_t bias, int32_t e)
{
    return tp_requant_x2k(t1[a] + t2[b], mult, e, bias);
}

/* One output element, the inputs read before the output is written (out may be in1) */
#define TP_ADD_LUT_STEP(clamp)                                                              \
    do {                                                                                    \
        const int32_t a = *in1++;                                                           \
        const int32_t b = *in2++;                                                           \
        *out++ = (int8_t)clamp(add_lut_raw(t1, t2, a, b, mult, bias, e));                   \
    } while (0)

/* The activation's clamp after SSAT: two conditional moves */
#define TP_ADD_LUT_CLAMP(x) add_lut_clamp(tp_ssat8(x), lo, hi)

static inline int32_t add_lut_clamp(int32_t x, int32_t lo, int32_t hi)
{
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

void tp_add_s8_lut(const tp_add_lut_params *params, const int8_t *in1, const int8_t *in2,
                   int8_t *out)
{
    /* locals: int8 stores may alias the parameters, which would be reloaded every element */
    const int32_t *const t1 = params->table1 + 128;
    const int32_t *const t2 = params->table2 + 128;
    const int32_t mult = params->output_multiplier;
    const int32_t bias = params->output_bias;
    const int32_t e = params->output_rshift;
    const int32_t lo = params->act_min;
    const int32_t hi = params->act_max;
    int32_t n = params->size;
    /* Byte loads: one instruction per value, where a word load needs an extract per byte.
     * Unrolled by 8: the three pointer increments and the loop test once per 8 elements. */
    if (lo == -128 && hi == 127) {
        for (; n >= 8; n -= 8) {
            TP_ADD_LUT_STEP(tp_ssat8);
            TP_ADD_LUT_STEP(tp_ssat8);
            TP_ADD_LUT_STEP(tp_ssat8);
            TP_ADD_LUT_STEP(tp_ssat8);
            TP_ADD_LUT_STEP(tp_ssat8);
            TP_ADD_LUT_STEP(tp_ssat8);
            TP_ADD_LUT_STEP(tp_ssat8);
            TP_ADD_LUT_STEP(tp_ssat8);
        }
        for (; n > 0; --n) {
            TP_ADD_LUT_STEP(tp_ssat8);
        }
    } else {
        for (; n >= 8; n -= 8) {
            TP_ADD_LUT_STEP(TP_ADD_LUT_CLAMP);
            TP_ADD_LUT_STEP(TP_ADD_LUT_CLAMP);
            TP_ADD_LUT_STEP(TP_ADD_LUT_CLAMP);
            TP_ADD_LUT_STEP(TP_ADD_LUT_CLAMP);
            TP_ADD_LUT_STEP(TP_ADD_LUT_CLAMP);
            TP_ADD_LUT_STEP(TP_ADD_LUT_CLAMP);
            TP_ADD_LUT_STEP(TP_ADD_LUT_CLAMP);
            TP_ADD_LUT_STEP(TP_ADD_LUT_CLAMP);
        }
        for (; n > 0; --n) {
            TP_ADD_LUT_STEP(TP_ADD_LUT_CLAMP);
        }
    }
}
