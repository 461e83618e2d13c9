#include "protocol.h"

#include <stdbool.h>
#include <string.h>

#include "board.h"
#include "crc32.h"
#include "model.h"
#include "runner.h"
#include "stack.h"
#if defined(TP_NVM_ENABLED) && TP_NVM_ENABLED
#include "nvm_protocol.h" /* intermittent inference commands (nvm=mram builds) */
#endif

#define HEADER_BYTES 2u /* cmd, seq */
#define CRC_BYTES 4u
#define MIN_REQUEST (HEADER_BYTES + CRC_BYTES)
#define NAME_MAX_BYTES 64u
#define PROFILE_MAX_LAYERS (TP_MAX_CHUNK / 4u)

/* INFO must fit one reply: fixed part, 5 bytes per tensor, two length-prefixed names. */
typedef char info_fits_in_reply[
    (13u + 5u * (TP_NUM_INPUTS + TP_NUM_OUTPUTS) + 2u * (1u + NAME_MAX_BYTES)
     <= TP_MAX_REPLY - 3u - CRC_BYTES) ? 1 : -1];

/* Replies to commands live here until the next command, for resending (see header).
 * Transport errors get their own buffer so they never clobber that reply. */
static uint8_t s_reply[TP_MAX_REPLY];
static uint8_t s_error_reply[3u + CRC_BYTES];
static bool s_have_last;
static uint8_t s_last_seq;
static uint32_t s_last_crc;
static size_t s_last_len;

/* Little-endian cursor over a request payload; reads past the end yield 0 and set
 * `overrun`, so handlers check the length once at the end. */
typedef struct {
    const uint8_t *p;
    size_t left;
    bool overrun;
} reader_t;

static uint32_t get_le(reader_t *r, size_t bytes)
{
    uint32_t v = 0;
    if (r->left < bytes) {
        r->overrun = true;
        r->left = 0;
        return 0;
    }
    for (size_t i = 0; i < bytes; i++) {
        v |= (uint32_t)r->p[i] << (8u * i);
    }
    r->p += bytes;
    r->left -= bytes;
    return v;
}

/* True if the payload was exactly consumed. */
static bool read_all(const reader_t *r)
{
    return !r->overrun && r->left == 0u;
}

/* Appends to a reply payload; the static size checks above keep it in bounds. */
typedef struct {
    uint8_t *p;
    size_t len;
} writer_t;

static void put_le(writer_t *w, uint64_t v, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++) {
        w->p[w->len++] = (uint8_t)(v >> (8u * i));
    }
}

static void put_bytes(writer_t *w, const uint8_t *data, size_t len)
{
    memcpy(&w->p[w->len], data, len);
    w->len += len;
}

static void put_name(writer_t *w, const char *name)
{
    size_t len = strlen(name);
    if (len > NAME_MAX_BYTES) {
        len = NAME_MAX_BYTES;
    }
    put_le(w, len, 1);
    put_bytes(w, (const uint8_t *)name, len);
}

/* True if [offset, offset + len) lies inside a tensor of `bytes` bytes. */
static bool in_bounds(uint32_t offset, uint32_t len, uint32_t bytes)
{
    return offset <= bytes && len <= bytes - offset;
}

static uint8_t handle_ping(reader_t *r, writer_t *w)
{
    if (!read_all(r)) {
        return TP_ERR_LENGTH;
    }
    put_le(w, TP_PROTOCOL_MAGIC, 4);
    put_le(w, TP_PROTOCOL_VERSION, 2);
    put_le(w, TP_MAX_CHUNK, 2);
    return TP_OK;
}

/* INFO reply: model hash u32, arena bytes u32, layers u16, counter unit u8,
 * inputs u8, outputs u8, (bytes u32, dtype u8) per input then per output,
 * model name and board name (length u8 + bytes each). */
static uint8_t handle_info(reader_t *r, writer_t *w)
{
    if (!read_all(r)) {
        return TP_ERR_LENGTH;
    }
    put_le(w, TP_MODEL_HASH, 4);
    put_le(w, TP_ARENA_BYTES, 4);
    put_le(w, TP_NUM_LAYERS, 2);
    put_le(w, board_counter_unit(), 1);
    put_le(w, TP_NUM_INPUTS, 1);
    put_le(w, TP_NUM_OUTPUTS, 1);
    for (uint32_t i = 0; i < TP_NUM_INPUTS; i++) {
        put_le(w, tp_model_inputs[i].bytes, 4);
        put_le(w, tp_model_inputs[i].dtype, 1);
    }
    for (uint32_t i = 0; i < TP_NUM_OUTPUTS; i++) {
        put_le(w, tp_model_outputs[i].bytes, 4);
        put_le(w, tp_model_outputs[i].dtype, 1);
    }
    put_name(w, TP_MODEL_NAME);
    put_name(w, board_name());
    return TP_OK;
}

static uint8_t handle_write_input(reader_t *r)
{
    const uint32_t index = get_le(r, 1);
    const uint32_t offset = get_le(r, 4);
    if (r->overrun) {
        return TP_ERR_LENGTH;
    }
    const uint32_t len = (uint32_t)r->left;
    if (index >= TP_NUM_INPUTS) {
        return TP_ERR_INDEX;
    }
    const tp_tensor_desc *t = &tp_model_inputs[index];
    if (len == 0u || len > TP_MAX_CHUNK || !in_bounds(offset, len, t->bytes)) {
        return TP_ERR_RANGE;
    }
    memcpy(t->data + offset, r->p, len);
    return TP_OK;
}

static uint8_t handle_run(reader_t *r, writer_t *w)
{
    const uint32_t first = get_le(r, 2);
    const uint32_t end = get_le(r, 2);
    uint64_t total;
    if (!read_all(r)) {
        return TP_ERR_LENGTH;
    }
    if (!tp_runner_run(first, end, &total)) {
        return TP_ERR_LAYERS;
    }
    put_le(w, total, 8);
    return TP_OK;
}

static uint8_t handle_read_profile(reader_t *r, writer_t *w)
{
    const uint32_t first = get_le(r, 2);
    const uint32_t count = get_le(r, 2);
    if (!read_all(r)) {
        return TP_ERR_LENGTH;
    }
    if (count > PROFILE_MAX_LAYERS || !in_bounds(first, count, TP_NUM_LAYERS)) {
        return TP_ERR_RANGE;
    }
    for (uint32_t i = 0; i < count; i++) {
        put_le(w, tp_runner_layer_count(first + i), 4);
    }
    return TP_OK;
}

static uint8_t handle_read_output(reader_t *r, writer_t *w)
{
    const uint32_t index = get_le(r, 1);
    const uint32_t offset = get_le(r, 4);
    const uint32_t len = get_le(r, 2);
    if (!read_all(r)) {
        return TP_ERR_LENGTH;
    }
    if (index >= TP_NUM_OUTPUTS) {
        return TP_ERR_INDEX;
    }
    const tp_tensor_desc *t = &tp_model_outputs[index];
    if (len > TP_MAX_CHUNK || !in_bounds(offset, len, t->bytes)) {
        return TP_ERR_RANGE;
    }
    if (!tp_runner_has_run(TP_NUM_LAYERS - 1u)) {
        return TP_ERR_STATE; /* no inference yet: the tensor holds leftover bytes */
    }
    put_bytes(w, t->data + offset, len);
    return TP_OK;
}

/* Reply: total bytes u32, TFLite tensor index i32, dtype u8, then the chunk. A zero
 * length asks only for the header, so the host learns the size first. */
static uint8_t handle_read_layer(reader_t *r, writer_t *w)
{
    const uint32_t layer = get_le(r, 2);
    const uint32_t offset = get_le(r, 4);
    const uint32_t len = get_le(r, 2);
    if (!read_all(r)) {
        return TP_ERR_LENGTH;
    }
    if (layer >= TP_NUM_LAYERS) {
        return TP_ERR_INDEX;
    }
    const tp_tensor_desc *t = &tp_layer_outputs[layer];
    if (len > TP_MAX_CHUNK || !in_bounds(offset, len, t->bytes)) {
        return TP_ERR_RANGE;
    }
    if (!tp_runner_has_run(layer)) {
        return TP_ERR_STATE;
    }
    put_le(w, t->bytes, 4);
    put_le(w, (uint32_t)t->tensor, 4);
    put_le(w, t->dtype, 1);
    put_bytes(w, t->data + offset, len);
    return TP_OK;
}

static uint8_t handle_read_stack(reader_t *r, writer_t *w)
{
    if (!read_all(r)) {
        return TP_ERR_LENGTH;
    }
    put_le(w, tp_stack_high_water(), 4);
    put_le(w, tp_stack_reserved(), 4);
    return TP_OK;
}

static uint8_t dispatch(uint8_t cmd, reader_t *r, writer_t *w)
{
    switch (cmd) {
    case TP_CMD_PING:
        return handle_ping(r, w);
    case TP_CMD_INFO:
        return handle_info(r, w);
    case TP_CMD_WRITE_INPUT:
        return handle_write_input(r);
    case TP_CMD_RUN:
        return handle_run(r, w);
    case TP_CMD_READ_PROFILE:
        return handle_read_profile(r, w);
    case TP_CMD_READ_OUTPUT:
        return handle_read_output(r, w);
    case TP_CMD_READ_LAYER:
        return handle_read_layer(r, w);
    case TP_CMD_READ_STACK:
        return handle_read_stack(r, w);
    default:
#if defined(TP_NVM_ENABLED) && TP_NVM_ENABLED
        return tp_nvm_command(cmd, r->p, r->left, w->p, &w->len);
#else
        return TP_ERR_COMMAND;
#endif
    }
}

/* Writes cmd|0x80, seq, status at buf, the payload already follows; appends the CRC. */
static size_t seal_reply(uint8_t *buf, uint8_t cmd, uint8_t seq, uint8_t status,
                         size_t payload_len)
{
    buf[0] = (uint8_t)(cmd | TP_REPLY_FLAG);
    buf[1] = seq;
    buf[2] = status;
    size_t len = 3u + payload_len;
    writer_t w = {buf, len};
    put_le(&w, tp_crc32_update(0, buf, len), CRC_BYTES);
    return w.len;
}

size_t tp_protocol_handle(const uint8_t *req, size_t req_len, const uint8_t **reply)
{
    if (req_len < MIN_REQUEST) {
        *reply = s_error_reply;
        return seal_reply(s_error_reply, 0x7Fu, 0u, TP_ERR_FRAME, 0);
    }
    const size_t body_len = req_len - CRC_BYTES;
    reader_t crc_field = {req + body_len, CRC_BYTES, false};
    const uint32_t crc = get_le(&crc_field, CRC_BYTES);
    const uint8_t cmd = req[0];
    const uint8_t seq = req[1];

    if (tp_crc32_update(0, req, body_len) != crc) {
        *reply = s_error_reply;
        return seal_reply(s_error_reply, cmd, seq, TP_ERR_CRC, 0);
    }
    *reply = s_reply;
    if (s_have_last && seq == s_last_seq && crc == s_last_crc) {
        return s_last_len; /* a resend: the host lost our reply */
    }
    reader_t r = {req + HEADER_BYTES, body_len - HEADER_BYTES, false};
    writer_t w = {s_reply + 3u, 0};
    const uint8_t status = dispatch(cmd, &r, &w);
    s_last_len = seal_reply(s_reply, cmd, seq, status, status == TP_OK ? w.len : 0u);
    s_last_seq = seq;
    s_last_crc = crc;
    s_have_last = true;
    return s_last_len;
}
