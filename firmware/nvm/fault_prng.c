#include "fault_prng.h"

uint32_t tp_fault_mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

uint32_t tp_fault_key(uint32_t seed, uint32_t stream)
{
    return tp_fault_mix32(tp_fault_mix32(seed) ^ stream);
}

uint32_t tp_fault_key2(uint32_t key)
{
    return tp_fault_mix32(key ^ 0x68E31DA4u);
}

static uint32_t draw(uint32_t key, uint32_t word, uint32_t lane)
{
    return tp_fault_mix32(key ^ tp_fault_mix32(word * 33u + lane));
}

uint32_t tp_fault_mask(uint32_t key, uint32_t word, const tp_fault_rate *rate)
{
    if (draw(key, word, 0u) >= rate->any) {
        return 0u;
    }
    /* The lowest failing bit from its conditional law, then the bits above it alone. */
    const uint32_t u = draw(key, word, 1u);
    uint32_t first = 0u;
    while (first < 31u && rate->first[first] <= u) {
        first++;
    }
    uint32_t mask = 1u << first;
    for (uint32_t b = first + 1u; b < 32u; b++) {
        if (draw(key, word, 2u + b) < rate->bit) {
            mask |= 1u << b;
        }
    }
    return mask;
}
