/*
 * Element-wise binary int8 ops (ADD, MUL) for the host simulator's native engine.
 *
 * An int8 ADD or MUL output depends on its two int8 inputs only, so the loader tabulates
 * the kernel's exact arithmetic over all 65,536 pairs once; a batch is then one lookup
 * per element.
 */
#include <stdint.h>

/**
 * @brief  out[i] = table[(a[i] + 128) * 256 + b[i] + 128] for i < n.
 * @param[in]  table  [256 * 256] int8 results by input pair
 * @param[in]  a      [n] first inputs
 * @param[in]  b      [n] second inputs (same shape: no broadcast)
 * @param[out] out    [n]
 * @param[in]  n      elements over the whole batch
 * @return     0
 */
int tp_sim_pair_s8(const int8_t *restrict table, const int8_t *restrict a,
                   const int8_t *restrict b, int8_t *restrict out, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; ++i) {
        out[i] = table[(((uint32_t)(uint8_t)(a[i] ^ 0x80)) << 8) | (uint8_t)(b[i] ^ 0x80)];
    }
    return 0;
}
