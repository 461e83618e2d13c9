/* C constants of the netduinoplus2 board (the Python-side facts are in board.toml). */
#ifndef TP_BOARD_CONFIG_H
#define TP_BOARD_CONFIG_H

#define TP_BOARD_NAME "netduinoplus2"
#define TP_NUM_IRQS 82u           /* STM32F405 (RM0090 Table 61) */
#define TP_UART_BASE 0x40011000u  /* USART1: QEMU's first serial port */
#define TP_UART_IRQ 37u           /* USART1 global interrupt */
#define TP_CPU_HZ 168000000u      /* rated clock (on QEMU the RCC is not modelled) */
#define TP_QEMU_INSTRUCTIONS 1    /* counter: instructions under -icount shift=0 */
#define TP_SYSTICK_HZ 21000000u   /* SysTick reference clock under QEMU: 168 MHz / 8
                                     (calibrated by tests/firmware/test_firmware_protocol.py) */

#endif /* TP_BOARD_CONFIG_H */
