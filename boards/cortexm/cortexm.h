/*
 * Cortex-M system registers and interrupt helpers shared by every Arm board (mps2 under
 * QEMU, STM32): SysTick, NVIC, SCB (FPU access, M7 caches), DWT. Names follow the
 * Armv7-M / Armv8-M Architecture Reference Manuals (and CMSIS).
 */
#ifndef TP_CORTEXM_H
#define TP_CORTEXM_H

#include <stdint.h>

#define TP_REG32(addr) (*(volatile uint32_t *)(addr))

/* SysTick (Armv7-M ARM B3.3, Armv6-M ARM B3.3) */
#define SYST_CSR TP_REG32(0xE000E010u)
#define SYST_RVR TP_REG32(0xE000E014u)
#define SYST_CVR TP_REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1: processor clock */
#define SYST_MAX_RELOAD 0x00FFFFFFu

/* NVIC interrupt set-enable, one bit per external interrupt */
#define NVIC_ISER(n) TP_REG32(0xE000E100u + 4u * (n))
/* NVIC interrupt clear-enable, one bit per external interrupt */
#define NVIC_ICER(n) TP_REG32(0xE000E180u + 4u * (n))

/* SCB (Armv7-M ARM B3.2): FPU access, and the Cortex-M7 L1 cache maintenance */
#define SCB_CCR TP_REG32(0xE000ED14u)
#define SCB_CCR_DC (1u << 16)
#define SCB_CCR_IC (1u << 17)
#define SCB_CPACR TP_REG32(0xE000ED88u)
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)
#define SCB_CCSIDR TP_REG32(0xE000ED80u)
#define SCB_CSSELR TP_REG32(0xE000ED84u)
#define SCB_ICIALLU TP_REG32(0xE000EF50u)
#define SCB_DCISW TP_REG32(0xE000EF60u)

/* Debug: DEMCR.TRCENA powers the DWT; DWT_CYCCNT counts core clock cycles */
#define DEMCR TP_REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL TP_REG32(0xE0001000u)
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_CYCCNT TP_REG32(0xE0001004u)
#define DWT_LAR TP_REG32(0xE0001FB0u) /* Cortex-M7: software lock, unlocked by the key */
#define DWT_LAR_KEY 0xC5ACCE55u

static inline void tp_disable_irq(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void tp_enable_irq(void) { __asm volatile("cpsie i" ::: "memory"); }
static inline void tp_wfi(void) { __asm volatile("wfi" ::: "memory"); }
static inline void tp_barrier(void) { __asm volatile("dsb\n\tisb" ::: "memory"); }

/* Masks interrupts and returns the previous PRIMASK, for short critical sections. */
static inline uint32_t tp_irq_save(void)
{
    uint32_t primask;
    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void tp_irq_restore(uint32_t primask)
{
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
}

#endif /* TP_CORTEXM_H */
