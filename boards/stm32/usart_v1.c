/*
 * Serial link on the STM32F4 USART (SR/DR registers, RM0090 30.6), as QEMU's
 * netduinoplus2 emulates it (USART1 is its first serial port). The RXNE interrupt
 * moves each byte into a ring buffer (only reading DR lowers the interrupt line in
 * QEMU), and waits sleep in WFI, woken by that interrupt or a SysTick wrap, so an
 * idle QEMU does not burn a host core.
 */
#include <stdbool.h>

#include "board.h"
#include "stm32.h"

#define UART_BAUD 115200u
#define RX_BUFFER_BYTES 256u /* a power of two */

typedef struct {
    volatile uint32_t SR;
    volatile uint32_t DR;
    volatile uint32_t BRR;
    volatile uint32_t CR1;
    volatile uint32_t CR2;
    volatile uint32_t CR3;
    volatile uint32_t GTPR;
} usart_t;

#define USART ((usart_t *)TP_UART_BASE)

/* Written by the interrupt (head) and the reader (tail) only. */
static volatile uint8_t s_rx[RX_BUFFER_BYTES];
static volatile uint32_t s_rx_head;
static volatile uint32_t s_rx_tail;
static volatile bool s_rx_held; /* the buffer was full: the interrupt is masked */
#define USART_SR_ORE (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_UE (1u << 13)

void stm32_uart_init(uint32_t uart_hz)
{
    USART->CR1 = 0;
    USART->BRR = (uart_hz + UART_BAUD / 2u) / UART_BAUD; /* 16x oversampling */
    USART->CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    NVIC_ISER(TP_UART_IRQ / 32u) = 1u << (TP_UART_IRQ % 32u);
}

void stm32_uart_irq_handler(void)
{
    /* Reading SR then DR takes the byte and also clears an overrun (ORE). */
    while (USART->SR & (USART_SR_RXNE | USART_SR_ORE)) {
        if (s_rx_head - s_rx_tail >= RX_BUFFER_BYTES) {
            /* Full: leave the byte in DR and mask the interrupt in the NVIC until
             * the reader makes room. QEMU then holds further bytes back instead of
             * dropping them (a real chip flags an overrun; the CRC catches it).
             * Clearing RXNEIE would not do: QEMU keeps the line raised until DR is
             * read, and the handler would be entered again at once, forever. */
            s_rx_held = true;
            NVIC_ICER(TP_UART_IRQ / 32u) = 1u << (TP_UART_IRQ % 32u);
            return;
        }
        s_rx[s_rx_head % RX_BUFFER_BYTES] = (uint8_t)USART->DR;
        s_rx_head++;
    }
}

void board_uart_write(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        while (!(USART->SR & USART_SR_TXE)) {
        }
        USART->DR = data[i];
    }
}

int32_t board_uart_read_byte(int32_t timeout_ms)
{
    const uint64_t deadline =
        board_counter_read() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * stm32_counts_per_ms();
    for (;;) {
        /* The deadline first: a byte that comes after the gap still ends the wait. */
        if (timeout_ms >= 0 && board_counter_read() >= deadline) {
            return -1;
        }
        if (s_rx_tail != s_rx_head) {
            const uint8_t byte = s_rx[s_rx_tail % RX_BUFFER_BYTES];
            s_rx_tail++;
            if (s_rx_held) { /* room again: take the byte held back in DR */
                s_rx_held = false;
                NVIC_ISER(TP_UART_IRQ / 32u) = 1u << (TP_UART_IRQ % 32u);
            }
            return byte;
        }
        /* Check and sleep with interrupts masked, so a byte arriving in between
         * still wakes the WFI (a pending interrupt ends WFI even while masked). */
        tp_disable_irq();
        if (s_rx_tail == s_rx_head) {
            tp_wfi();
        }
        tp_enable_irq();
    }
}
