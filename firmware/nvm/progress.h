/*
 * The progress record of intermittent inference, in NVM's critical region.
 *
 * Two copies, written alternately (copy = seq & 1), each ending with a CRC-32 of
 * its other words. A commit writes only the copy that does not hold the latest
 * record, so a power failure in the middle of a commit leaves that copy with a bad
 * CRC and the other copy, the previous commit, in force: a commit is atomic.
 */
#ifndef TP_PROGRESS_H
#define TP_PROGRESS_H

#include <stdint.h>

enum tp_progress_state {
    TP_PROGRESS_IDLE = 0,    /* no inference started since the NVM was blank */
    TP_PROGRESS_RUNNING = 1, /* inputs persisted, tasks 0..next_task-1 committed */
    TP_PROGRESS_DONE = 2,    /* all tasks committed; outputs are in NVM */
};

typedef struct {
    uint32_t seq;       /* commit number, grows by one per commit */
    uint32_t inference; /* host's inference index (part of the fault stream) */
    uint32_t seed;      /* fault PRNG seed */
    uint32_t flags;     /* bit 0: inject write faults */
    uint32_t next_task; /* tasks committed */
    uint32_t state;     /* enum tp_progress_state */
} tp_progress;

#define TP_PROGRESS_FAULTS 1u

/**
 * @brief  The latest valid record (both copies checked).
 * @param  out  the record; zeroed with state IDLE if neither copy is valid
 * @return 1 if a valid record was found
 */
int tp_progress_load(tp_progress *out);

/**
 * @brief  Commits `rec` with seq = previous seq + 1 (updates rec->seq).
 * @param  rec  the record to commit
 */
void tp_progress_commit(tp_progress *rec);

#endif /* TP_PROGRESS_H */
