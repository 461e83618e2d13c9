/*
 * Intermittent inference: the model as a sequence of tasks (one per generated layer),
 * each followed by persisting its output to NVM and committing the progress record.
 * After a power failure the boot code restores what the next task needs and resumes.
 * Built only with nvm=mram (TP_NVM_ENABLED); otherwise tp_task_boot() does nothing.
 */
#ifndef TP_TASK_RUNNER_H
#define TP_TASK_RUNNER_H

#include <stdint.h>

#include "model.h"
#include "nvm.h"

#if defined(TP_NVM_ENABLED) && TP_NVM_ENABLED

enum tp_task_error {
    TP_TASK_OK = 0,
    TP_TASK_TOO_BIG = 1, /* a task needs more energy than one full charge holds */
};

/* Start of an inference, as the host asks for it. */
typedef struct {
    uint32_t inference;       /* index in the fault stream */
    uint32_t seed;            /* fault PRNG seed */
    uint32_t flags;           /* TP_PROGRESS_FAULTS: inject write errors */
    uint64_t budget_fj;       /* capacitor charge; 0: no capacitor model */
    uint64_t first_charge_fj; /* charge at the start */
    uint32_t inject[TP_NVM_MAX_INJECT]; /* test harness: fail before these write accesses */
    uint32_t inject_count;
} tp_task_start_args;

/**
 * @brief  A fresh inference: resets progress and statistics, persists the model
 *         inputs (already written into the arena) and commits task 0 as next.
 * @param  args  see tp_task_start_args
 */
void tp_task_start(const tp_task_start_args *args);

/**
 * @brief  Runs the remaining tasks from the committed progress (nothing if done or
 *         idle). A power failure ends it with a reset; the boot resumes.
 */
void tp_task_run(void);

/**
 * @brief  Called once at boot: after a power failure in a running inference, counts
 *         the reboot and resumes (or, if the same task failed from a full charge,
 *         measures it and stops with TP_TASK_TOO_BIG); if done, restores the outputs.
 */
void tp_task_boot(void);

typedef struct {
    uint32_t state;      /* enum tp_progress_state */
    uint32_t next_task;
    uint32_t inference;
    uint32_t boots;      /* resets during this inference */
    uint32_t tasks_run;  /* task executions, re-executions included */
    uint32_t error;      /* enum tp_task_error */
    uint32_t error_task;
    uint64_t error_need_fj;
    uint64_t counts;     /* board counter units spent in tasks' kernels */
} tp_task_status;

/** @brief  Where the current inference stands. */
void tp_task_get_status(tp_task_status *out);

#else

static inline void tp_task_boot(void) {}

#endif /* TP_NVM_ENABLED */

#endif /* TP_TASK_RUNNER_H */
