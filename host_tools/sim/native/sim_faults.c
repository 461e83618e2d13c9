/*
 * The firmware's write-fault PRNG over whole batches, for the host simulator's native
 * engine.
 *
 * firmware/fault_prng.c is compiled into this file as it is (included, so its hash
 * inlines into the loop below), which makes the simulator's flips the firmware's by
 * construction. Nearly every word passes with its first draw, so that draw is computed
 * for a block of words in a loop the compiler vectorises, and the firmware's
 * tp_fault_mask runs only on the words it selects.
 */
#include <stdint.h>

#include "fault_prng.c"

#define TP_SIM_FAULT_BLOCK 256  /* words per vectorised first draw */

/**
 * @brief  The words with a non-zero error mask, for each key, in row-major order
 *         (host_tools/faults.py _error_words).
 * @param[in]  keys     [batch] tensor keys (tp_fault_key)
 * @param[in]  batch    rows
 * @param[in]  n_words  32-bit words per row
 * @param[in]  rate     thresholds of the per-bit error rate
 * @param[out] rows     [cap] row of each failing word
 * @param[out] cols     [cap] word index of each failing word
 * @param[out] masks    [cap] its error mask (never 0)
 * @param[in]  cap      room in rows, cols and masks
 * @return     the number of failing words; only the first cap are written, so a result
 *             above cap asks the caller to retry with that much room
 */
int64_t tp_sim_error_words(const uint32_t *keys, int32_t batch, int32_t n_words,
                           const tp_fault_rate *rate, int32_t *rows, int32_t *cols,
                           uint32_t *masks, int64_t cap)
{
    uint32_t first[TP_SIM_FAULT_BLOCK];
    const uint32_t any = rate->any;
    int64_t count = 0;
    int32_t r, w0, i;
    if (any == 0u) {
        return 0;
    }
    for (r = 0; r < batch; ++r) {
        const uint32_t key = keys[r];
        for (w0 = 0; w0 < n_words; w0 += TP_SIM_FAULT_BLOCK) {
            const int32_t m = n_words - w0 < TP_SIM_FAULT_BLOCK ? n_words - w0 : TP_SIM_FAULT_BLOCK;
            for (i = 0; i < m; ++i) {  /* draw(key, word, 0) of fault_prng.c */
                first[i] = tp_fault_mix32(key ^ tp_fault_mix32((uint32_t)(w0 + i) * 33u));
            }
            for (i = 0; i < m; ++i) {
                if (first[i] < any) {
                    if (count < cap) {
                        rows[count] = r;
                        cols[count] = w0 + i;
                        masks[count] = tp_fault_mask(key, (uint32_t)(w0 + i), rate);
                    }
                    ++count;
                }
            }
        }
    }
    return count;
}
