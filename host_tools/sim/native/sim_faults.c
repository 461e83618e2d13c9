/*
 * The firmware's write-fault PRNG over whole batches, for the host simulator's native
 * engine.
 *
 * firmware/nvm/fault_prng.c is compiled into this file as it is (included, so its hash
 * inlines into the loop below), which makes the simulator's flips the firmware's by
 * construction. Nearly every word passes with its first draw, so that draw is computed
 * for a block of words in a loop the compiler vectorises, and the firmware's
 * tp_fault_mask runs only on the words it selects.
 */
#include <stdint.h>
#include <string.h>

#include "fault_prng.c"

#define TP_SIM_FAULT_BLOCK 256  /* words per vectorised first draw */

/**
 * @brief  The words with a non-zero error mask, for each key, in row-major order
 *         (host_tools/intermittent/faults.py _error_words).
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

/**
 * @brief  What NVM holds after a batch of "flip" writes (host_tools/intermittent/faults.py flip_bits):
 *         row r of data written under tp_fault_key(seed, streams[r]), each little-endian
 *         32-bit word XORed with its error mask; flips in the padding of a last partial
 *         word are dropped.
 * @param[in]  data     [batch][n] bytes written
 * @param[out] out      [batch][n] bytes stored (may not overlap data)
 * @param[in]  batch    rows
 * @param[in]  n        bytes per row
 * @param[in]  seed     fault PRNG seed
 * @param[in]  streams  [batch] streams (inference * 65536 + pid), truncated to 32 bits
 *                      as the firmware's
 * @param[in]  rate     thresholds of the per-bit error rate
 * @return     number of words that failed
 */
int64_t tp_sim_flip(const uint8_t *restrict data, uint8_t *restrict out, int32_t batch,
                    int32_t n, uint32_t seed, const uint32_t *streams, const tp_fault_rate *rate)
{
    uint32_t first[TP_SIM_FAULT_BLOCK];
    const int32_t n_words = (n + 3) / 4;
    int64_t count = 0;
    int32_t r, w0, i, b;
    memcpy(out, data, (size_t)batch * (size_t)n);
    if (rate->any == 0u) {
        return 0;
    }
    for (r = 0; r < batch; ++r) {
        const uint32_t key = tp_fault_key(seed, streams[r]);
        uint8_t *row = out + (int64_t)r * n;
        for (w0 = 0; w0 < n_words; w0 += TP_SIM_FAULT_BLOCK) {
            const int32_t m = n_words - w0 < TP_SIM_FAULT_BLOCK ? n_words - w0 : TP_SIM_FAULT_BLOCK;
            for (i = 0; i < m; ++i) {
                first[i] = tp_fault_mix32(key ^ tp_fault_mix32((uint32_t)(w0 + i) * 33u));
            }
            for (i = 0; i < m; ++i) {
                if (first[i] < rate->any) {
                    const int32_t w = w0 + i;
                    const uint32_t mask = tp_fault_mask(key, (uint32_t)w, rate);
                    for (b = 0; b < 4 && 4 * w + b < n; ++b) {
                        row[4 * w + b] ^= (uint8_t)(mask >> (8 * b));
                    }
                    ++count;
                }
            }
        }
    }
    return count;
}
