/*
 * The serial protocol: command dispatch on decoded frames.
 *
 * Frame on the wire: COBS(cmd u8, seq u8, payload..., crc32 u32 LE) then 0x00.
 * Reply:             COBS(cmd|0x80, seq, status u8, payload..., crc32) then 0x00.
 * The CRC is zlib's CRC-32 over everything before it. All integers little-endian.
 * host_tools/target/protocol.py mirrors every number in this file.
 *
 * Exactly once: a request repeating the previous one (same seq and CRC) is answered
 * with the previous reply without running it again, so the host may resend any
 * request whose reply it lost (RUN of an in-place layer must not run twice).
 */
#ifndef TP_PROTOCOL_H
#define TP_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define TP_PROTOCOL_MAGIC 0x4B4C5054u /* "TPLK" in little-endian byte order */
#define TP_PROTOCOL_VERSION 1u

/* Largest data chunk of WRITE_INPUT / READ_OUTPUT / READ_LAYER / READ_PROFILE. */
#define TP_MAX_CHUNK 512u

/* Frame sizes before COBS: header (cmd, seq[, status]) + payload + CRC. */
#define TP_MAX_REQUEST (2u + 8u + TP_MAX_CHUNK + 4u)
#define TP_MAX_REPLY (3u + 12u + TP_MAX_CHUNK + 4u)

enum tp_command {
    TP_CMD_PING = 0x01,         /* -> magic u32, version u16, max chunk u16 */
    TP_CMD_INFO = 0x02,         /* -> see protocol.c handle_info() */
    TP_CMD_WRITE_INPUT = 0x03,  /* input u8, offset u32, bytes... -> (nothing) */
    TP_CMD_RUN = 0x04,          /* first u16, end u16 -> total count u64 */
    TP_CMD_READ_PROFILE = 0x05, /* first u16, count u16 -> count x u32 */
    TP_CMD_READ_OUTPUT = 0x06,  /* output u8, offset u32, length u16 -> bytes */
    TP_CMD_READ_LAYER = 0x07,   /* layer u16, offset u32, length u16
                                   -> total bytes u32, tensor i32, dtype u8, bytes */
    /* 0x08..0x0B: nvm_protocol.h */
    TP_CMD_READ_STACK = 0x0C,   /* -> high-water bytes u32, reserved bytes u32
                                   (both 0: no painted stack, e.g. the host board) */
};

#define TP_REPLY_FLAG 0x80u

enum tp_status {
    TP_OK = 0,
    TP_ERR_CRC = 1,          /* frame damaged in transit: resend */
    TP_ERR_FRAME = 2,        /* not COBS, too short or too long: resend */
    TP_ERR_COMMAND = 3,      /* unknown command */
    TP_ERR_LENGTH = 4,       /* payload length wrong for the command */
    TP_ERR_INDEX = 5,        /* no such input / output / layer */
    TP_ERR_RANGE = 6,        /* offset + length outside the tensor, or bad chunk size */
    TP_ERR_LAYERS = 7,       /* RUN range not 0 <= first < end <= TP_NUM_LAYERS */
    TP_ERR_STATE = 8,        /* READ_OUTPUT before any inference finished, READ_LAYER
                                of a layer not run since boot: run first */
};

/**
 * @brief  Handles one decoded frame and builds the reply frame.
 * @param  req      decoded request frame (cmd, seq, payload, crc); a frame that could
 *                  not be decoded is passed as length 0 and answered with TP_ERR_FRAME
 * @param  req_len  its length
 * @param  reply    out: the reply frame (cmd|0x80, seq, status, payload, crc), valid
 *                  until the next call
 * @return length of the reply frame, CRC included
 */
size_t tp_protocol_handle(const uint8_t *req, size_t req_len, const uint8_t **reply);

#endif /* TP_PROTOCOL_H */
