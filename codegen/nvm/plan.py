"""Persistence plan for intermittent inference: what each task persists to NVM, at which
Quality Level, where in NVM, and what a resume must restore.

Each generated layer is a task. After task i its output tensor is written to NVM;
the model inputs are written before task 0. A resume before task k restores every
persisted tensor that a task >= k still reads (for k = number of tasks: the model
outputs), so residual connections survive a power failure too, not only the last
output.

NVM slots reuse space by lifetime, like the arena: a tensor's slot is busy from the
task that writes it to the last task that reads it, both included. A slot is thus
rewritten only by a task that starts after every committed state needing its old
content, so a failure in the middle of any write never damages a tensor that the
committed progress record still counts on (this is what double buffering would
buy, with less NVM).
"""
from __future__ import annotations

from ..errors import CompileError
from ..lowering import Target
from ..memplan import Buffer, plan_arena
from ..model import CompiledModel, EnergyConstants, FaultTables, PersistedTensor, PersistPlan
from .faultmodel import FAULT_MODELS, thresholds_for
from .options import NvmOptions, budget_fj
from .quality import QL_NAMES, load_ql_map, load_ql_table

INPUT_QL = "Q0"  # model inputs are sensor data, not a task output: kept at the safest level
FJ_PER_PJ = 1000


def _last_use(model: CompiledModel, storage: int, producer: int) -> int:
    """Last task reading `storage` before another task overwrites it (in place)."""
    graph, layers = model.graph, model.layers
    last = producer
    for layer in layers[producer + 1:]:
        if any(t >= 0 and graph.storage(t) == storage for t in layer.inputs):
            last = layer.index
        if graph.storage(layer.output) == storage:
            return last
    if storage in {graph.storage(t) for t in graph.outputs}:
        return len(layers)
    return last


def plan_persistence(model: CompiledModel, task_ql: dict[int, str], faults: FaultTables,
                     energy: EnergyConstants, seed: int, budget_fj: int = 0) -> PersistPlan:
    """Builds the plan. task_ql: QL of every task's output (index -> 'Q0'..'Q4')."""
    graph, layers = model.graph, model.layers
    for i in range(len(layers)):
        if task_ql.get(i) not in QL_NAMES:
            raise CompileError(f"no valid quality level for layer {i} (got {task_ql.get(i)!r}); "
                               f"use one of {', '.join(QL_NAMES)}.")
    if not 0 <= seed < 2**32:
        raise CompileError(f"seed={seed} is outside 0..4294967295; pass a 32-bit seed.")
    tensors: list[PersistedTensor] = []

    def add(tensor: int, producer: int, ql: str) -> int:
        s = graph.storage(tensor)
        t = graph.tensors[tensor]
        tensors.append(PersistedTensor(len(tensors), tensor, s, t.name, t.nbytes, ql, producer,
                                       _last_use(model, s, producer)))
        return len(tensors) - 1

    for t in graph.inputs:
        add(t, -1, INPUT_QL)
    task_pid = [add(layer.output, layer.index, task_ql[layer.index]) for layer in layers]
    plan = plan_arena([Buffer(f"p{t.pid}", t.bytes, t.producer, t.last_use) for t in tensors])
    for t in tensors:
        t.nvm_offset = plan.offset(f"p{t.pid}")
    restore = [[t.pid for t in tensors if t.producer < k <= t.last_use]
               for k in range(len(layers) + 1)]
    return PersistPlan(tensors, task_pid, restore, plan.arena_bytes, faults, energy, seed,
                       budget_fj, inputs=len(graph.inputs))


def template_context(model: CompiledModel) -> dict | None:
    """What templates/persist.{c,h}.j2 render; None when the model is not persisted."""
    plan = model.persist
    if plan is None:
        return None
    starts, flat = [0], []
    for pids in plan.restore:
        flat += pids
        starts.append(len(flat))
    rates = []
    for ql in QL_NAMES:
        rows = plan.faults.rates[ql] + plan.faults.rates[ql][:1] * (2 - len(plan.faults.rates[ql]))
        rates.append([{"any": a, "first": list(first), "bit": b} for a, first, b in rows])
    return {
        "entries": [{"ptr": f"tp_arena + {model.plan.offset(f't{t.storage}')}",
                     "nvm_offset": t.nvm_offset, "bytes": t.bytes, "ql": int(t.ql[1]),
                     "pid": t.pid, "name": t.name.replace("*/", "* /")}
                    for t in plan.tensors],
        "task_pid": plan.task_pid,
        "restore_start": starts,
        "restore_pids": flat or [0],
        "rates": rates,
        "write_word_fj": [plan.energy.write_word_fj[ql] for ql in QL_NAMES],
        "read_word_fj": plan.energy.read_word_fj,
        "cycle_fj": plan.energy.cycle_fj,
        "fault_model": FAULT_MODELS[plan.faults.model],
        "fault_model_name": plan.faults.model,
        "nvm_bytes": plan.nvm_bytes,
        "inputs": plan.inputs,
        "seed": plan.seed,
        "budget_fj": plan.budget_fj,
    }


def persistence_plan(model: CompiledModel, target: Target, opts: NvmOptions) -> PersistPlan:
    """The PersistPlan of a compiled model under `opts`: QLs per task, the fault PRNG's
    thresholds and the energy constants the firmware counts with."""
    if not target.retains_ram:
        raise CompileError(f"nvm=mram needs RAM that survives a reset (QEMU mps2 boards, or a "
                           f"flashed board); board {target.board} runs as a host process. Use "
                           f"nvm=none on it.")
    if target.pj_per_cycle is None:
        raise CompileError(f"board {target.board} has no power_uw_per_mhz in its board.toml; the "
                           f"energy model needs it (uW/MHz = pJ per cycle).")
    table = load_ql_table(opts.qltable or None)
    n = len(model.layers)
    task_ql = load_ql_map(opts.qlmap, n) if opts.qlmap else {i: opts.ql for i in range(n)}
    rates = {ql: [(r.any, list(r.first), r.bit)
                  for r in thresholds_for(table.levels[ql], opts.fault)] for ql in QL_NAMES}
    cycle_fj = int(round(target.pj_per_cycle * FJ_PER_PJ))
    energy = EnergyConstants(
        cycle_fj=cycle_fj,
        write_word_fj={ql: cycle_fj + int(round(32 * table.levels[ql].write_pj_per_bit * FJ_PER_PJ))
                       for ql in QL_NAMES},
        read_word_fj=cycle_fj + int(round(32 * table.read_pj_per_bit * FJ_PER_PJ)))
    return plan_persistence(model, task_ql, FaultTables(opts.fault, rates), energy, opts.seed,
                            budget_fj(opts))
