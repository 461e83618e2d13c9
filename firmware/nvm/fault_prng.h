/*
 * Counter-based write-fault PRNG for the emulated STT-MRAM.
 *
 * Every draw is a hash of (seed, stream, word, lane), so the host simulator
 * (host_tools/intermittent/faults.py, whose docstring specifies the algorithm) reproduces the
 * same flips for any word without replaying a sequence, vectorised over inferences.
 * Cost per persisted 32-bit word: two hashes and a compare unless a fault hits it.
 */
#ifndef TP_FAULT_PRNG_H
#define TP_FAULT_PRNG_H

#include <stdint.h>

/* Integer thresholds of one per-bit error rate p (draw < threshold: event happens). */
typedef struct {
    uint32_t any;       /* P(some bit of a 32-bit word fails) * 2^32 */
    uint32_t bit;       /* p * 2^32 */
    uint32_t first[31]; /* P(lowest failing bit <= i | some bit fails) * 2^32 */
} tp_fault_rate;

/**
 * @brief  lowbias32 integer hash (a bijection on uint32).
 * @param  x  value to mix
 * @return mixed value
 */
uint32_t tp_fault_mix32(uint32_t x);

/**
 * @brief  The key of one written tensor: mix32(mix32(seed) ^ stream).
 * @param  seed    fault PRNG seed
 * @param  stream  inference * 65536 + persisted tensor id
 * @return key for tp_fault_mask()
 */
uint32_t tp_fault_key(uint32_t seed, uint32_t stream);

/**
 * @brief  The bits of word `word` that fail, each independently with the rate's p.
 * @param  key   from tp_fault_key()
 * @param  word  index of the 32-bit word in the tensor
 * @param  rate  thresholds of p
 * @return mask of failing bits (usually 0)
 */
uint32_t tp_fault_mask(uint32_t key, uint32_t word, const tp_fault_rate *rate);

/**
 * @brief  The second key of the asymmetric model (for 1 -> 0 failures).
 * @param  key  from tp_fault_key()
 * @return mix32(key ^ 0x68E31DA4)
 */
uint32_t tp_fault_key2(uint32_t key);

#endif /* TP_FAULT_PRNG_H */
