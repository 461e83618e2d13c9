#include "model.h"

#if defined(TP_NVM_ENABLED) && TP_NVM_ENABLED

#include "energy_budget.h"

#include <string.h>

#define STATE_MAGIC 0x45425054u /* "TPBE" */

/* Not cleared at reset: the accounting spans power failures. */
static struct {
    uint32_t magic;
    tp_energy_state s;
    uint64_t charge_fj;   /* energy the current charge began with */
    uint64_t used_fj;     /* spent from the current charge */
    uint32_t unlimited;
} s_e __attribute__((section(".noinit.tp_energy")));

void tp_energy_configure(uint64_t budget_fj, uint64_t first_charge_fj, uint32_t next_task)
{
    memset(&s_e, 0, sizeof s_e);
    s_e.magic = STATE_MAGIC;
    s_e.s.budget_fj = budget_fj;
    s_e.s.charges = 1u;
    s_e.s.charge_start_task = next_task;
    s_e.charge_fj = first_charge_fj < budget_fj ? first_charge_fj : budget_fj;
    s_e.s.charge_was_full = s_e.charge_fj == budget_fj;
}

int tp_energy_new_charge(uint32_t next_task)
{
    if (s_e.magic != STATE_MAGIC) {
        tp_energy_configure(0u, 0u, next_task); /* NVM never configured: no capacitor */
        return 0;
    }
    const int stuck = s_e.s.budget_fj != 0u && s_e.s.charge_was_full &&
                      s_e.s.charge_start_task == next_task;
    s_e.s.charges++;
    s_e.s.charge_start_task = next_task;
    s_e.s.charge_was_full = 1u;
    s_e.charge_fj = s_e.s.budget_fj;
    s_e.used_fj = 0u;
    s_e.unlimited = 0u;
    return stuck;
}

void tp_energy_spend(uint32_t kind, uint64_t fj)
{
    if (s_e.s.budget_fj != 0u && !s_e.unlimited && fj > s_e.charge_fj - s_e.used_fj) {
        /* The charge ends during this event: count what it had left, then fail. */
        s_e.s.spent_fj[kind] += s_e.charge_fj - s_e.used_fj;
        s_e.used_fj = s_e.charge_fj;
        tp_power_fail();
    }
    s_e.s.spent_fj[kind] += fj;
    s_e.used_fj += fj;
}

void tp_energy_unlimit(void)
{
    s_e.unlimited = 1u;
}

void tp_energy_arm(void)
{
    s_e.used_fj = 0u;
    s_e.unlimited = 0u;
}

uint64_t tp_energy_charge_spent(void)
{
    return s_e.used_fj;
}

const tp_energy_state *tp_energy_get(void)
{
    return &s_e.s;
}

void tp_power_fail(void)
{
#if defined(__arm__)
    /* SCB->AIRCR = VECTKEY | SYSRESETREQ: architectural on every Cortex-M. */
    __asm volatile("dsb" ::: "memory");
    *(volatile uint32_t *)0xE000ED0Cu = 0x05FA0004u;
    __asm volatile("dsb" ::: "memory");
#endif
    for (;;) {
        /* the reset takes effect */
    }
}

#endif /* TP_NVM_ENABLED */
