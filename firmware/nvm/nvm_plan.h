/*
 * The persistence plan of a model built with nvm=mram (codegen/nvm/plan.py), as the
 * generated model.c defines it. Only included by model.h when TP_NVM_ENABLED.
 */
#ifndef TP_NVM_PLAN_H
#define TP_NVM_PLAN_H

#include <stdint.h>

#include "fault_prng.h"

#define TP_NUM_QL 5u /* Q0 (safest) .. Q4 */

enum tp_fault_model {
    TP_FAULT_NONE = 0,   /* no write errors */
    TP_FAULT_FLIP = 1,   /* every written bit fails with WER(QL) (the paper) */
    TP_FAULT_SWITCH = 2, /* only bits that change fail, 0->1 and 1->0 rates apart */
};

/* One persisted tensor: a model input or a task's output. */
typedef struct {
    uint8_t *arena;      /* its bytes in the arena */
    uint32_t nvm_offset; /* its slot in the error-resilient NVM region, 16-aligned */
    uint32_t bytes;
    uint8_t ql;          /* 0..4 */
} tp_persist_entry;

/* Entries: model inputs (ids 0..TP_PERSIST_INPUTS-1), then one per task. */
extern const tp_persist_entry tp_persist_entries[TP_PERSIST_COUNT];
/* Task -> id of the entry it persists. */
extern const uint16_t tp_task_pid[TP_NUM_LAYERS];
/* Before task k, restore ids tp_restore_pids[tp_restore_start[k] .. tp_restore_start[k+1]-1];
 * k = TP_NUM_LAYERS restores the model outputs. */
extern const uint16_t tp_restore_start[TP_NUM_LAYERS + 2u];
extern const uint16_t tp_restore_pids[];
/* Per QL: the fault rates of TP_FAULT_MODEL ([0]: every bit or 0->1, [1]: 1->0). */
extern const tp_fault_rate tp_fault_rates[TP_NUM_QL][2];
/* Modelled energy of one 32-bit NVM write access per QL: E_cycle + 32 E_bit(QL), fJ. */
extern const uint32_t tp_write_word_fj[TP_NUM_QL];

#endif /* TP_NVM_PLAN_H */
