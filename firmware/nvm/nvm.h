/*
 * Non-volatile memory backend interface for intermittent inference.
 *
 * Two regions: a small critical one (progress records; always written at Q0, never
 * corrupted) and the error-resilient one (persisted tensors, QL per write). The
 * backend counts what it writes and spends the modelled energy of every access
 * through tp_energy_spend(), which may end the run with a power failure at that
 * access. One backend today: nvm_mram_emu.c, STT-MRAM emulated in RAM that survives
 * a reset. (nvm=none builds no NVM code at all: plain volatile execution.)
 */
#ifndef TP_NVM_H
#define TP_NVM_H

#include <stdint.h>

#define TP_NVM_CRITICAL_WORDS 16u /* two progress records of 8 words */
#define TP_NVM_MAX_INJECT 64u     /* injected power failures per inference (test harness) */

typedef struct {
    uint64_t bits_written[5]; /* per QL; critical writes count as Q0 */
    uint64_t words_read;
    uint32_t words_written;   /* all write accesses this inference (injection counts these) */
    uint32_t flips;           /* bits stored wrong by the fault model */
} tp_nvm_stats;

/**
 * @brief  Persists a tensor into the error-resilient region, word by word.
 *
 * Faults come from the fault PRNG (model TP_FAULT_MODEL) keyed by (seed, stream);
 * bits stored wrong are also written back into `src`, so later tasks compute on what
 * NVM holds, whether or not a failure and restore happen (results then do not depend
 * on when power fails, and match the host simulator).
 *
 * @param  offset  byte offset in the region (multiple of 4)
 * @param  src     the bytes to write (updated with the stored values)
 * @param  bytes   how many
 * @param  ql      quality level 0..4
 * @param  seed    fault PRNG seed
 * @param  stream  inference * 65536 + persisted tensor id
 * @param  faults  0: write exactly (fault rate forced to zero)
 */
void tp_nvm_write(uint32_t offset, uint8_t *src, uint32_t bytes, uint8_t ql, uint32_t seed,
                  uint32_t stream, int faults);

/**
 * @brief  Reads bytes back from the error-resilient region (counted as reads).
 * @param  offset  byte offset in the region
 * @param  dst     destination
 * @param  bytes   how many
 */
void tp_nvm_read(uint32_t offset, uint8_t *dst, uint32_t bytes);

/**
 * @brief  Reads without counting or spending (host inspection of NVM).
 * @return false if [offset, offset + bytes) is outside the region
 */
int tp_nvm_peek(uint32_t offset, uint8_t *dst, uint32_t bytes);

/**
 * @brief  Writes one word of the critical region (Q0, exact), spending its energy.
 * @param  index  word index < TP_NVM_CRITICAL_WORDS
 * @param  value  the word
 */
void tp_nvm_write_critical(uint32_t index, uint32_t value);

/**
 * @brief  Reads one word of the critical region (not counted: a boot-time check).
 * @param  index  word index < TP_NVM_CRITICAL_WORDS
 */
uint32_t tp_nvm_read_critical(uint32_t index);

/**
 * @brief  Clears the statistics and arms up to TP_NVM_MAX_INJECT injected power
 *         failures: the run fails just before write access number points[i] (0-based,
 *         counting every write access of the inference, re-executions included; a
 *         number may repeat: the access then fails again after the reboot). Test
 *         harness only.
 * @param  points  non-decreasing access numbers
 * @param  count   how many (<= TP_NVM_MAX_INJECT)
 */
void tp_nvm_reset_stats(const uint32_t *points, uint32_t count);

/** @brief  The statistics since the last tp_nvm_reset_stats(). */
const tp_nvm_stats *tp_nvm_get_stats(void);

#endif /* TP_NVM_H */
