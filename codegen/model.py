"""The compiled model's types: what the compiler hands to the emitter and the host tools.

A leaf module (it imports only other leaves: the IR, the lowering's call types and the
arena plan), so every pass can name `Layer` and `CompiledModel` in its signatures
without an import cycle.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .ir import Graph, Op
from .lowering import KernelCall, Target
from .memplan import MemoryPlan


@dataclass
class Layer:
    """One generated layer: an op (or a patch stage of several) and the kernel calls it runs."""
    index: int
    op: Op
    calls: list[KernelCall]
    macs: int
    stage: list[Op] = field(default_factory=list)  # patch stage: the ops it runs patch by patch
    local_bytes: int = 0        # arena bytes only this layer uses (a patch stage's tiles)
    extra_macs: int = 0         # MACs recomputed in patch halos (included in macs)
    patch_grid: int = 0         # p of a patch stage's p x p patches (0: not a patch stage)
    # patch stage or in-place pointwise: its output lies this many bytes after its input's
    # start (< 0: before), sharing the input's slot (patch.share_shift /
    # inplace.pointwise_gap prove it safe); None: own slot
    share_shift: int | None = None
    # depthwise whose kernel writes its output over its input (output aliased to input)
    in_place: bool = False

    @property
    def output(self) -> int:
        return self.op.outputs[0]

    @property
    def inputs(self) -> list[int]:
        return self.stage[0].inputs if self.stage else self.op.inputs


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


# (any, first[31], bit): the fault PRNG's integer thresholds for one per-bit error rate
RateRow = tuple[int, list[int], int]


@dataclass
class FaultTables:
    """Per-QL integer thresholds of the fault PRNG (codegen/nvm/faultmodel.py), as C emits them."""
    model: str                                   # a name of codegen.nvm.faultmodel.FAULT_MODELS
    rates: dict[str, list[RateRow]]              # QL -> one row per rate (flip: 1, switch: 2)


@dataclass
class EnergyConstants:
    """Energy per event, in femtojoules (integers, so the firmware needs no FPU)."""
    cycle_fj: int                                # E_cycle
    write_word_fj: dict[str, int]                # (E_cycle + 32 * E_bit(QL)) per 32-bit write
    read_word_fj: int                            # E_cycle + 32 * E_read_bit per 32-bit read


@dataclass
class PersistPlan:
    """What each task persists to NVM, at which QL and where, and what a resume restores."""
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


@dataclass
class CompiledModel:
    graph: Graph
    layers: list[Layer]
    plan: MemoryPlan
    target: Target
    persist: PersistPlan | None = None  # built by compile_model when NvmOptions.enabled
