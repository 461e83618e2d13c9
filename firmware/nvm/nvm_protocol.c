#include "model.h"

#if defined(TP_NVM_ENABLED) && TP_NVM_ENABLED

#include "nvm_protocol.h"

#include <string.h>

#include "energy_budget.h"
#include "nvm.h"
#include "progress.h"
#include "protocol.h"
#include "task_runner.h"

static uint64_t get(const uint8_t **p, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++) {
        v |= (uint64_t)(*p)[i] << (8u * i);
    }
    *p += bytes;
    return v;
}

static void put(uint8_t *out, size_t *len, uint64_t v, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++) {
        out[(*len)++] = (uint8_t)(v >> (8u * i));
    }
}

static void put_status(uint8_t *out, size_t *len)
{
    tp_task_status st;
    tp_task_get_status(&st);
    const tp_energy_state *e = tp_energy_get();
    const tp_nvm_stats *n = tp_nvm_get_stats();
    put(out, len, st.state, 1);
    put(out, len, st.error, 1);
    put(out, len, st.next_task, 2);
    put(out, len, st.inference, 4);
    put(out, len, st.boots, 4);
    put(out, len, e->charges, 4);
    put(out, len, st.tasks_run, 4);
    put(out, len, n->flips, 4);
    put(out, len, st.error_task, 4);
    put(out, len, st.error_need_fj, 8);
    put(out, len, e->budget_fj, 8);
    put(out, len, st.counts, 8);
    put(out, len, n->words_read, 8);
    put(out, len, n->words_written, 4);
    for (uint32_t k = 0; k < TP_ENERGY_KINDS; k++) {
        put(out, len, e->spent_fj[k], 8);
    }
    for (uint32_t q = 0; q < TP_NUM_QL; q++) {
        put(out, len, n->bits_written[q], 8);
    }
}

static uint8_t start(const uint8_t *p, size_t len)
{
    if (len < 26u) {
        return TP_ERR_LENGTH;
    }
    tp_task_start_args a;
    memset(&a, 0, sizeof a);
    a.inference = (uint32_t)get(&p, 4);
    a.seed = (uint32_t)get(&p, 4);
    a.flags = (uint32_t)get(&p, 1);
    a.budget_fj = get(&p, 8);
    a.first_charge_fj = get(&p, 8);
    a.inject_count = (uint32_t)get(&p, 1);
    if (a.inject_count > TP_NVM_MAX_INJECT || len != 26u + 4u * a.inject_count) {
        return TP_ERR_LENGTH;
    }
    for (uint32_t i = 0; i < a.inject_count; i++) {
        a.inject[i] = (uint32_t)get(&p, 4);
    }
    tp_task_start(&a);
    return TP_OK;
}

static uint8_t read_persisted(const uint8_t *p, size_t len, uint8_t *out, size_t *out_len)
{
    if (len != 8u) {
        return TP_ERR_LENGTH;
    }
    const uint32_t pid = (uint32_t)get(&p, 2);
    const uint32_t offset = (uint32_t)get(&p, 4);
    const uint32_t n = (uint32_t)get(&p, 2);
    if (pid >= TP_PERSIST_COUNT) {
        return TP_ERR_INDEX;
    }
    const tp_persist_entry *e = &tp_persist_entries[pid];
    if (n > TP_MAX_CHUNK || offset > e->bytes || n > e->bytes - offset) {
        return TP_ERR_RANGE;
    }
    put(out, out_len, e->bytes, 4);
    if (!tp_nvm_peek(e->nvm_offset + offset, out + *out_len, n)) {
        return TP_ERR_RANGE;
    }
    *out_len += n;
    return TP_OK;
}

uint8_t tp_nvm_command(uint8_t cmd, const uint8_t *payload, size_t len, uint8_t *out,
                       size_t *out_len)
{
    switch (cmd) {
    case TP_CMD_NVM_START:
        return start(payload, len);
    case TP_CMD_NVM_RUN:
        if (len != 0u) {
            return TP_ERR_LENGTH;
        }
        tp_task_run();
        put_status(out, out_len);
        return TP_OK;
    case TP_CMD_NVM_STATUS:
        if (len != 0u) {
            return TP_ERR_LENGTH;
        }
        put_status(out, out_len);
        return TP_OK;
    case TP_CMD_NVM_READ:
        return read_persisted(payload, len, out, out_len);
    default:
        return TP_ERR_COMMAND;
    }
}

#endif /* TP_NVM_ENABLED */
