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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import CompileError
from ..memplan import Buffer, plan_arena

if TYPE_CHECKING:
    from ..compile import CompiledModel

QL_LEVELS = ("Q0", "Q1", "Q2", "Q3", "Q4")
INPUT_QL = "Q0"  # model inputs are sensor data, not a task output: kept at the safest level
FAULT_MODELS = {"none": 0, "flip": 1, "switch": 2}


@dataclass
class PersistedTensor:
    pid: int            # persisted tensor id: model inputs first, then one per task
    tensor: int         # TFLite tensor index
    storage: int        # tensor whose arena bytes are saved (after reshape aliasing)
    name: str
    bytes: int
    ql: str             # "Q0".."Q4"
    producer: int       # task that writes it (-1: a model input, written before task 0)
    last_use: int       # last task that reads it (number of tasks: a model output)
    nvm_offset: int = -1  # in the error-resilient region

    @property
    def words(self) -> int:
        """32-bit write accesses to persist it."""
        return (self.bytes + 3) // 4


@dataclass
class FaultTables:
    """Per-QL integer thresholds of the fault PRNG (host_tools/intermittent/faults.py), as C emits them."""
    model: str                                   # "none", "flip" or "switch"
    rates: dict[str, list[tuple[int, list[int], int]]]  # QL -> [(any, first[31], bit)] x 1 or 2


@dataclass
class EnergyConstants:
    """Energy per event, in femtojoules (integers, so the firmware needs no FPU)."""
    cycle_fj: int                                # E_cycle
    write_word_fj: dict[str, int]                # (E_cycle + 32 * E_bit(QL)) per 32-bit write
    read_word_fj: int                            # E_cycle + 32 * E_read_bit per 32-bit read


@dataclass
class PersistPlan:
    tensors: list[PersistedTensor]
    task_pid: list[int]              # task -> pid of its output
    restore: list[list[int]]         # boundary k (0..tasks) -> pids to restore before task k
    nvm_bytes: int                   # error-resilient region size
    faults: FaultTables
    energy: EnergyConstants
    seed: int
    budget_fj: int = 0               # capacitor's usable energy per charge (0: no capacitor)
    inputs: int = 0
    notes: list[str] = field(default_factory=list)

    def metadata(self) -> dict:
        """The plan for model.json (host tools read it: energy model, fault simulator)."""
        return {
            "tensors": [{"pid": t.pid, "tensor": t.tensor, "name": t.name, "bytes": t.bytes,
                         "words": t.words, "ql": t.ql, "producer": t.producer,
                         "last_use": t.last_use, "nvm_offset": t.nvm_offset}
                        for t in self.tensors],
            "task_pid": self.task_pid,
            "restore": self.restore,
            "nvm_bytes": self.nvm_bytes,
            "fault_model": self.faults.model,
            "seed": self.seed,
            "budget_fj": self.budget_fj,
            "energy_fj": {"cycle": self.energy.cycle_fj, "write_word": self.energy.write_word_fj,
                          "read_word": self.energy.read_word_fj},
        }


def _last_use(model: "CompiledModel", storage: int, producer: int) -> int:
    """Last task reading `storage` before another task overwrites it (in place)."""
    graph, layers = model.graph, model.layers
    last = producer
    for layer in layers[producer + 1:]:
        if any(t >= 0 and graph.storage(t) == storage for t in getattr(layer, "inputs", layer.op.inputs)):
            last = layer.index
        if graph.storage(layer.output) == storage:
            return last
    if storage in {graph.storage(t) for t in graph.outputs}:
        return len(layers)
    return last


def plan_persistence(model: "CompiledModel", task_ql: dict[int, str], faults: FaultTables,
                     energy: EnergyConstants, seed: int, budget_fj: int = 0) -> PersistPlan:
    """Builds the plan. task_ql: QL of every task's output (index -> 'Q0'..'Q4')."""
    graph, layers = model.graph, model.layers
    for i in range(len(layers)):
        if task_ql.get(i) not in QL_LEVELS:
            raise CompileError(f"no valid quality level for layer {i} (got {task_ql.get(i)!r}); "
                               f"use one of {', '.join(QL_LEVELS)}.")
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


def template_context(model: "CompiledModel") -> dict | None:
    """What templates/persist.{c,h}.j2 render; None when the model is not persisted."""
    plan: PersistPlan | None = getattr(model, "persist", None)
    if plan is None:
        return None
    starts, flat = [0], []
    for pids in plan.restore:
        flat += pids
        starts.append(len(flat))
    rates = []
    for ql in QL_LEVELS:
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
        "write_word_fj": [plan.energy.write_word_fj[ql] for ql in QL_LEVELS],
        "read_word_fj": plan.energy.read_word_fj,
        "cycle_fj": plan.energy.cycle_fj,
        "fault_model": FAULT_MODELS[plan.faults.model],
        "fault_model_name": plan.faults.model,
        "nvm_bytes": plan.nvm_bytes,
        "inputs": plan.inputs,
        "seed": plan.seed,
        "budget_fj": plan.budget_fj,
    }
