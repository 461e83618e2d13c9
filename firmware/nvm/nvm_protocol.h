/*
 * Serial commands of intermittent inference (nvm=mram builds only); protocol.c hands
 * them over. Layouts (little-endian); host_tools/target/nvm_device.py mirrors them:
 *
 *   NVM_START  0x08: inference u32, seed u32, flags u8 (bit 0: write faults),
 *                    budget_fj u64, first_charge_fj u64, n u8, n x inject u32 (n <= 64)
 *                    -> (nothing). Persists the inputs, commits task 0 as next.
 *   NVM_RUN    0x09: -> status block. Runs the remaining tasks (a reset may end it).
 *   NVM_STATUS 0x0A: -> status block.
 *   NVM_READ   0x0B: pid u16, offset u32, length u16 -> total bytes u32, bytes:
 *                    a persisted tensor as NVM holds it.
 *
 * Status block: state u8, error u8, next_task u16, inference u32, boots u32,
 *   charges u32, tasks_run u32, flips u32, error_task u32, error_need_fj u64,
 *   budget_fj u64, counts u64, words_read u64, words_written u32,
 *   spent_fj[compute, persist, commit, restore] 4 x u64, bits_written[Q0..Q4] 5 x u64.
 */
#ifndef TP_NVM_PROTOCOL_H
#define TP_NVM_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

enum tp_nvm_command {
    TP_CMD_NVM_START = 0x08,
    TP_CMD_NVM_RUN = 0x09,
    TP_CMD_NVM_STATUS = 0x0A,
    TP_CMD_NVM_READ = 0x0B,
};

/**
 * @brief  Handles one intermittent-inference command.
 * @param  cmd      command byte
 * @param  payload  request payload
 * @param  len      its length
 * @param  out      reply payload buffer (at least TP_MAX_CHUNK + 12 bytes)
 * @param  out_len  in/out: bytes already in the reply; advanced by what is added
 * @return a tp_status (TP_ERR_COMMAND for a command that is not one of these)
 */
uint8_t tp_nvm_command(uint8_t cmd, const uint8_t *payload, size_t len, uint8_t *out,
                       size_t *out_len);

#endif /* TP_NVM_PROTOCOL_H */
