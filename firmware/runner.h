/*
 * Runs a range of the model's layers and times each one with the board counter.
 */
#ifndef TP_RUNNER_H
#define TP_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

/**
 * @brief  Runs layers first..end-1 in order, recording each layer's count.
 *
 * A run starting at layer 0 clears the whole profile first (a new inference); a run
 * starting later overwrites only its own layers, so running layer by layer builds a
 * full profile. Each layer's count includes one counter read and the loop step, a
 * fixed overhead of a few instructions.
 *
 * @param  first  first layer to run
 * @param  end    one past the last layer to run
 * @param  total  out: counts from before the first layer to after the last
 * @return false (and runs nothing) unless 0 <= first < end <= TP_NUM_LAYERS
 */
bool tp_runner_run(uint32_t first, uint32_t end, uint64_t *total);

/**
 * @brief  The count of one layer in the runs since the last run from layer 0.
 * @param  layer  layer index, < TP_NUM_LAYERS
 * @return counts in board_counter_unit(), saturated at UINT32_MAX; 0 if not run
 */
uint32_t tp_runner_layer_count(uint32_t layer);

/**
 * @brief  Records that `layer` has run (tp_runner_run does it; the intermittent task
 *         runner, which runs layers itself, calls it too).
 * @param  layer  layer index; out-of-range indices are ignored
 */
void tp_runner_mark_run(uint32_t layer);

/**
 * @brief  Whether `layer` has run since boot, so its output in the arena is a result
 *         rather than leftover bytes.
 * @param  layer  layer index
 * @return false for a layer never run and for indices >= TP_NUM_LAYERS
 */
bool tp_runner_has_run(uint32_t layer);

#endif /* TP_RUNNER_H */
