#include "task_runner.h"

#if defined(TP_NVM_ENABLED) && TP_NVM_ENABLED

#include <string.h>

#include "board.h"
#include "energy_budget.h"
#include "nvm.h"
#include "progress.h"
#include "runner.h"

#define RUN_MAGIC 0x52545054u /* "TPTR" */

/* Bookkeeping of the current inference, kept across resets (not part of the model). */
static struct {
    uint32_t magic;
    uint32_t boots;
    uint32_t tasks_run;
    uint32_t error;
    uint32_t error_task;
    uint64_t error_need_fj;
    uint64_t counts;
} s_run __attribute__((section(".noinit.tp_run")));

static uint32_t stream_of(const tp_progress *rec, uint32_t pid)
{
    return rec->inference * 65536u + pid;
}

static void persist(const tp_progress *rec, uint32_t pid)
{
    const tp_persist_entry *e = &tp_persist_entries[pid];
    tp_nvm_write(e->nvm_offset, e->arena, e->bytes, e->ql, rec->seed, stream_of(rec, pid),
                 (rec->flags & TP_PROGRESS_FAULTS) != 0u);
}

/* Copies back every persisted tensor that task `k` or a later one reads. */
static void restore(uint32_t k)
{
    for (uint32_t i = tp_restore_start[k]; i < tp_restore_start[k + 1u]; i++) {
        const tp_persist_entry *e = &tp_persist_entries[tp_restore_pids[i]];
        tp_nvm_read(e->nvm_offset, e->arena, e->bytes);
    }
}

/* Runs task `task` and persists its output (the caller commits). */
static void run_task(const tp_progress *rec, uint32_t task)
{
    s_run.tasks_run++;
    const uint64_t before = board_counter_read();
    tp_model_run_layer(task);
    tp_runner_mark_run(task);
    const uint64_t counts = board_counter_read() - before;
    s_run.counts += counts;
    tp_energy_spend(TP_ENERGY_COMPUTE, counts * (uint64_t)TP_CYCLE_FJ);
    persist(rec, tp_task_pid[task]);
}

void tp_task_start(const tp_task_start_args *args)
{
    memset(&s_run, 0, sizeof s_run);
    s_run.magic = RUN_MAGIC;
    tp_nvm_reset_stats(args->inject, args->inject_count);
    /* The inputs are persisted before the capacitor model starts (as a sensor's
     * front end would); their energy is counted, the budget starts after them. */
    tp_energy_configure(args->budget_fj, args->first_charge_fj, 0u);
    tp_energy_unlimit();
    tp_progress rec = {0};
    rec.inference = args->inference;
    rec.seed = args->seed;
    rec.flags = args->flags;
    /* First retire the previous inference's record: a power failure while the inputs
     * overwrite its NVM must not leave it DONE (or RUNNING) over half-new tensors. A
     * failure inside this commit leaves the old record and its NVM untouched. Either
     * way the boot does not resume, and the host sees the START unanswered. */
    rec.state = TP_PROGRESS_IDLE;
    tp_progress_commit(&rec);
    for (uint32_t pid = 0; pid < TP_PERSIST_INPUTS; pid++) {
        persist(&rec, pid);
    }
    rec.next_task = 0u;
    rec.state = TP_PROGRESS_RUNNING;
    tp_progress_commit(&rec);
    tp_energy_arm();
}

void tp_task_run(void)
{
    tp_progress rec;
    tp_progress_load(&rec);
    if (rec.state != TP_PROGRESS_RUNNING || s_run.error != TP_TASK_OK) {
        return;
    }
    for (uint32_t task = rec.next_task; task < TP_NUM_LAYERS; task++) {
        run_task(&rec, task);
        rec.next_task = task + 1u;
        rec.state = rec.next_task == TP_NUM_LAYERS ? TP_PROGRESS_DONE : TP_PROGRESS_RUNNING;
        tp_progress_commit(&rec);
    }
}

void tp_task_boot(void)
{
    tp_progress rec;
    if (!tp_progress_load(&rec) || s_run.magic != RUN_MAGIC) {
        return;
    }
    if (rec.state == TP_PROGRESS_DONE) {
        restore(TP_NUM_LAYERS); /* the outputs, for the host to read */
        tp_runner_mark_run(TP_NUM_LAYERS - 1u); /* so READ_OUTPUT serves them */
        return;
    }
    if (rec.state != TP_PROGRESS_RUNNING || s_run.error != TP_TASK_OK) {
        return;
    }
    s_run.boots++;
    if (tp_energy_new_charge(rec.next_task)) {
        /* The last full charge ended inside this same task: it can never finish. Run
         * it once without the limit to measure what it needs, then stop. */
        tp_energy_unlimit();
        restore(rec.next_task);
        run_task(&rec, rec.next_task);
        s_run.error = TP_TASK_TOO_BIG;
        s_run.error_task = rec.next_task;
        /* plus the commit it would still need: one 8-word progress record at Q0 */
        s_run.error_need_fj = tp_energy_charge_spent() + 8u * (uint64_t)tp_write_word_fj[0];
        return;
    }
    restore(rec.next_task);
    tp_task_run();
}

void tp_task_get_status(tp_task_status *out)
{
    tp_progress rec;
    tp_progress_load(&rec);
    memset(out, 0, sizeof *out);
    out->state = rec.state;
    out->next_task = rec.next_task;
    out->inference = rec.inference;
    if (s_run.magic == RUN_MAGIC) {
        out->boots = s_run.boots;
        out->tasks_run = s_run.tasks_run;
        out->error = s_run.error;
        out->error_task = s_run.error_task;
        out->error_need_fj = s_run.error_need_fj;
        out->counts = s_run.counts;
    }
}

#endif /* TP_NVM_ENABLED */
