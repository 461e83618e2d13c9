/*
 * Modelled energy of intermittent inference and the capacitor that supplies it.
 *
 * Every modelled event (compute, NVM write, NVM read) spends energy through
 * tp_energy_spend(). With a capacitor configured, each charge holds budget_fj;
 * when an event needs more than is left, the charge is spent to its end and the
 * device loses power exactly as an energy failure would: a system reset (volatile
 * RAM lost; the NVM section survives), after which the capacitor is full again.
 * Units: femtojoules (integers, so boards without an FPU run it too).
 */
#ifndef TP_ENERGY_BUDGET_H
#define TP_ENERGY_BUDGET_H

#include <stdint.h>

enum tp_energy_kind {
    TP_ENERGY_COMPUTE = 0, /* E_cycle x counted cycles (instructions on QEMU) */
    TP_ENERGY_PERSIST = 1, /* tensor writes: (E_cycle + E_memWrite(QL)) per access */
    TP_ENERGY_COMMIT = 2,  /* progress-record writes at Q0 */
    TP_ENERGY_RESTORE = 3, /* NVM reads after a power failure */
    TP_ENERGY_KINDS = 4,
};

typedef struct {
    uint64_t spent_fj[TP_ENERGY_KINDS]; /* this inference, re-execution included */
    uint64_t budget_fj;                 /* per charge; 0: no capacitor (unlimited) */
    uint32_t charges;                   /* charges drawn on (1 + power failures by budget) */
    uint32_t charge_start_task;         /* next task when the current charge began */
    uint32_t charge_was_full;           /* the current charge began full */
} tp_energy_state;

/**
 * @brief  Starts accounting for a new inference.
 * @param  budget_fj        usable energy of one full charge; 0 disables power failures
 * @param  first_charge_fj  energy in the capacitor at the start (<= budget_fj)
 * @param  next_task        the task the charge starts at
 */
void tp_energy_configure(uint64_t budget_fj, uint64_t first_charge_fj, uint32_t next_task);

/**
 * @brief  After a reset during an inference: the capacitor recharged to full.
 * @param  next_task  the task execution resumes at
 * @return 1 if the previous charge began full at this same task (the task cannot
 *         finish within one charge), else 0
 */
int tp_energy_new_charge(uint32_t next_task);

/**
 * @brief  Spends modelled energy; resets the device if the charge runs out.
 * @param  kind  enum tp_energy_kind
 * @param  fj    femtojoules
 */
void tp_energy_spend(uint32_t kind, uint64_t fj);

/** @brief  Lets the current charge run without limit (measuring a task that does not fit). */
void tp_energy_unlimit(void);

/** @brief  Starts limiting the current charge, counting from zero spent. */
void tp_energy_arm(void);

/** @brief  Energy spent since the current charge began, fJ. */
uint64_t tp_energy_charge_spent(void);

/** @brief  The accounting state. */
const tp_energy_state *tp_energy_get(void);

/** @brief  An energy failure: resets the core (SYSRESETREQ); does not return. */
void tp_power_fail(void) __attribute__((noreturn));

#endif /* TP_ENERGY_BUDGET_H */
