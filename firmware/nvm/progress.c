#include "model.h"

#if defined(TP_NVM_ENABLED) && TP_NVM_ENABLED

#include "progress.h"

#include <string.h>

#include "crc32.h"
#include "nvm.h"

#define RECORD_MAGIC 0x52505054u /* "TPPR" */
#define RECORD_WORDS 8u          /* magic, 6 fields, crc */

typedef char record_fits[(2u * RECORD_WORDS <= TP_NVM_CRITICAL_WORDS &&
                          sizeof(tp_progress) == 6u * 4u) ? 1 : -1];

static void to_words(const tp_progress *rec, uint32_t words[RECORD_WORDS])
{
    words[0] = RECORD_MAGIC;
    memcpy(&words[1], rec, sizeof *rec);
    words[RECORD_WORDS - 1u] = tp_crc32_update(0u, (const uint8_t *)words, 4u * (RECORD_WORDS - 1u));
}

static int load_copy(uint32_t copy, tp_progress *out)
{
    uint32_t words[RECORD_WORDS];
    for (uint32_t i = 0; i < RECORD_WORDS; i++) {
        words[i] = tp_nvm_read_critical(copy * RECORD_WORDS + i);
    }
    if (words[0] != RECORD_MAGIC ||
        tp_crc32_update(0u, (const uint8_t *)words, 4u * (RECORD_WORDS - 1u)) != words[RECORD_WORDS - 1u]) {
        return 0;
    }
    memcpy(out, &words[1], sizeof *out);
    return 1;
}

int tp_progress_load(tp_progress *out)
{
    tp_progress a;
    tp_progress b;
    const int ok_a = load_copy(0u, &a);
    const int ok_b = load_copy(1u, &b);
    if (!ok_a && !ok_b) {
        memset(out, 0, sizeof *out);
        out->state = TP_PROGRESS_IDLE;
        return 0;
    }
    *out = (ok_a && (!ok_b || a.seq > b.seq)) ? a : b;
    return 1;
}

void tp_progress_commit(tp_progress *rec)
{
    tp_progress last;
    tp_progress_load(&last);
    rec->seq = last.seq + 1u;
    uint32_t words[RECORD_WORDS];
    to_words(rec, words);
    const uint32_t base = (rec->seq & 1u) * RECORD_WORDS;
    for (uint32_t i = 0; i < RECORD_WORDS; i++) {
        tp_nvm_write_critical(base + i, words[i]);
    }
}

#endif /* TP_NVM_ENABLED */
