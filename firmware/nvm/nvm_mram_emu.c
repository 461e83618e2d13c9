/*
 * Emulated STT-MRAM: both NVM regions live in RAM that a reset does not clear
 * (.noinit), so they survive the simulated power failures. Writes go word by word,
 * spending each access's energy first, so a power failure can fall between any two
 * words of a tensor or of a progress record.
 */
#include "model.h"

#if defined(TP_NVM_ENABLED) && TP_NVM_ENABLED

#include "nvm.h"

#include <string.h>

#include "energy_budget.h"

#define RESILIENT_WORDS ((TP_NVM_RESILIENT_BYTES + 3u) / 4u)

static uint32_t s_critical[TP_NVM_CRITICAL_WORDS] __attribute__((section(".noinit.tp_nvm")));
static uint32_t s_resilient[RESILIENT_WORDS ? RESILIENT_WORDS : 1u]
    __attribute__((section(".noinit.tp_nvm")));

/* Statistics and armed failure injections, kept across resets with the NVM. */
static struct {
    tp_nvm_stats stats;
    uint32_t inject[TP_NVM_MAX_INJECT];
    uint32_t inject_count;
    uint32_t inject_next;
} s_emu __attribute__((section(".noinit.tp_nvm")));

static uint32_t popcount32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (((x + (x >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24;
}

/* Counts one write access; fails the power here if the test harness armed it. */
static void write_access(uint32_t kind, uint32_t fj)
{
    if (s_emu.inject_next < s_emu.inject_count &&
        s_emu.stats.words_written == s_emu.inject[s_emu.inject_next]) {
        s_emu.inject_next++;
        tp_power_fail();
    }
    tp_energy_spend(kind, fj);
    s_emu.stats.words_written++;
}

/* The bits of `value` that the fault model stores wrong, given the old word. */
static uint32_t failed_bits(uint32_t key, uint32_t word, uint32_t old, uint32_t value,
                            uint8_t ql)
{
    const tp_fault_rate *rates = tp_fault_rates[ql];
    switch (TP_FAULT_MODEL) {
    case TP_FAULT_FLIP:
        return tp_fault_mask(key, word, &rates[0]);
    case TP_FAULT_SWITCH: {
        const uint32_t up = value & tp_fault_mask(key, word, &rates[0]);
        const uint32_t down = ~value & tp_fault_mask(tp_fault_key2(key), word, &rates[1]);
        return (old ^ value) & (up | down);
    }
    default:
        return 0u;
    }
}

void tp_nvm_write(uint32_t offset, uint8_t *src, uint32_t bytes, uint8_t ql, uint32_t seed,
                  uint32_t stream, int faults)
{
    const uint32_t key = tp_fault_key(seed, stream);
    uint32_t *dst = &s_resilient[offset / 4u];
    const uint32_t words = (bytes + 3u) / 4u;
    for (uint32_t w = 0; w < words; w++) {
        const uint32_t n = (w + 1u == words && (bytes & 3u)) ? (bytes & 3u) : 4u;
        const uint32_t valid = n == 4u ? 0xFFFFFFFFu : (1u << (8u * n)) - 1u;
        uint32_t value = 0u;
        memcpy(&value, src + 4u * w, n); /* little-endian, as the host simulator reads it */
        write_access(TP_ENERGY_PERSIST, tp_write_word_fj[ql]);
        const uint32_t old = dst[w];
        const uint32_t fail = faults ? failed_bits(key, w, old, value, ql) & valid : 0u;
        const uint32_t stored = value ^ fail;
        dst[w] = (old & ~valid) | (stored & valid);
        s_emu.stats.bits_written[ql] += 8u * n;
        if (fail != 0u) {
            memcpy(src + 4u * w, &stored, n);
            s_emu.stats.flips += popcount32(fail);
        }
    }
}

void tp_nvm_read(uint32_t offset, uint8_t *dst, uint32_t bytes)
{
    const uint32_t words = (bytes + 3u) / 4u;
    for (uint32_t w = 0; w < words; w++) {
        tp_energy_spend(TP_ENERGY_RESTORE, TP_READ_WORD_FJ);
        s_emu.stats.words_read++;
    }
    memcpy(dst, (const uint8_t *)s_resilient + offset, bytes);
}

int tp_nvm_peek(uint32_t offset, uint8_t *dst, uint32_t bytes)
{
    if (offset > sizeof s_resilient || bytes > sizeof s_resilient - offset) {
        return 0;
    }
    memcpy(dst, (const uint8_t *)s_resilient + offset, bytes);
    return 1;
}

void tp_nvm_write_critical(uint32_t index, uint32_t value)
{
    write_access(TP_ENERGY_COMMIT, tp_write_word_fj[0]);
    s_critical[index] = value;
    s_emu.stats.bits_written[0] += 32u;
}

uint32_t tp_nvm_read_critical(uint32_t index)
{
    return s_critical[index];
}

void tp_nvm_reset_stats(const uint32_t *points, uint32_t count)
{
    memset(&s_emu, 0, sizeof s_emu);
    s_emu.inject_count = count < TP_NVM_MAX_INJECT ? count : TP_NVM_MAX_INJECT;
    memcpy(s_emu.inject, points, s_emu.inject_count * sizeof points[0]);
}

const tp_nvm_stats *tp_nvm_get_stats(void)
{
    return &s_emu.stats;
}

#endif /* TP_NVM_ENABLED */
