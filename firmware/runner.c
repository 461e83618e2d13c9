#include "runner.h"

#include <string.h>

#include "board.h"
#include "model.h"

static uint32_t s_layer_counts[TP_NUM_LAYERS];
static uint8_t s_has_run[(TP_NUM_LAYERS + 7u) / 8u]; /* one bit per layer, never cleared */

void tp_runner_mark_run(uint32_t layer)
{
    if (layer < TP_NUM_LAYERS) {
        s_has_run[layer / 8u] |= (uint8_t)(1u << (layer % 8u));
    }
}

bool tp_runner_has_run(uint32_t layer)
{
    return layer < TP_NUM_LAYERS && (s_has_run[layer / 8u] & (1u << (layer % 8u))) != 0u;
}

bool tp_runner_run(uint32_t first, uint32_t end, uint64_t *total)
{
    if (first >= end || end > TP_NUM_LAYERS) {
        return false;
    }
    if (first == 0u) {
        memset(s_layer_counts, 0, sizeof s_layer_counts);
    }
    /* One counter read per layer boundary: the read that ends a layer starts the next. */
    const uint64_t start = board_counter_read();
    uint64_t prev = start;
    for (uint32_t layer = first; layer < end; layer++) {
        tp_model_run_layer(layer);
        tp_runner_mark_run(layer);
        const uint64_t now = board_counter_read();
        const uint64_t delta = now - prev;
        s_layer_counts[layer] = delta > UINT32_MAX ? UINT32_MAX : (uint32_t)delta;
        prev = now;
    }
    *total = prev - start;
    return true;
}

uint32_t tp_runner_layer_count(uint32_t layer)
{
    return layer < TP_NUM_LAYERS ? s_layer_counts[layer] : 0u;
}
