"""Energy per inference of a per-layer QL assignment: a thin adapter over issue 5's energy
model (host_tools.intermittent.energy, the paper's Eq. 1-2), so the sweep and `host_tools energy`
print the same figures for the same QLs.

host_tools.intermittent.energy composes per task: compute (cycles x E_cycle), persisting the task's
output (32-bit writes x (E_cycle + 32 E_bit(QL))), committing the progress record (Q0)
and restoring what the task reads, plus persisting the model inputs at Q0 once. Which
tensors are persisted, and what each task restores, come from the compiler's own
persistence plan (codegen.nvm.plan, which compile_model builds for nvm=mram as the
firmware build does); cycles are QEMU instruction counts of each layer (run once per model
and board, then cached in the campaign database): QEMU has no cycle model, so this treats
one instruction as one cycle, and every printed figure says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from boards import Board
from codegen.memoptions import MemoryOptions

from ..intermittent import energy as eq
from ..errors import ToolError
from codegen.nvm.quality import QLTable
from .store import Store
from .tasks import PatchOption

if TYPE_CHECKING:
    from codegen.model import CompiledModel


@dataclass(frozen=True)
class LayerCosts:
    counts: tuple[int, ...]       # per layer, instructions (or cycles on a board)
    unit: str                     # "instructions" (QEMU icount) / "cycles" (DWT)
    persist: dict                 # model.json "persist" of an nvm=mram build (PersistPlan)
    ops: tuple[str, ...]          # op kind per layer (task)
    pj_per_cycle: float
    power_source: str

    @property
    def source(self) -> str:
        how = ("measured on QEMU by instruction count, 1 instruction taken as 1 cycle"
               if self.unit == "instructions" else f"measured {self.unit}")
        return (f"modelled energy (Eq. 1-2, host_tools.intermittent.energy: compute + persist + commit + "
                f"restore) from {how}; E_cycle {self.pj_per_cycle} pJ ({self.power_source})")


@dataclass(frozen=True)
class Energy:
    compute_uj: float
    persist_uj: float             # tensor writes (task outputs and model inputs)
    commit_uj: float = 0.0        # progress records, Q0
    restore_uj: float = 0.0       # NVM reads on resume (one charge per task)

    @property
    def total_uj(self) -> float:
        return self.compute_uj + self.persist_uj + self.commit_uj + self.restore_uj


def energy(costs: LayerCosts, table: QLTable, qls: tuple[str, ...], input_ql: str = "Q0"
           ) -> Energy:
    """Energy per inference with layer i's output at qls[i] (inputs: Q0, as persisted)."""
    if input_ql != "Q0":
        raise ValueError("the firmware persists model inputs at Q0 (codegen.nvm.plan.INPUT_QL)")
    rows = eq.task_energies(costs.persist, list(costs.counts), list(costs.ops),
                            costs.pj_per_cycle, table, dict(enumerate(qls)))
    return Energy(*(sum(getattr(r, k) for r in rows) * 1e-6
                    for k in ("compute_pj", "persist_pj", "commit_pj", "restore_pj")))


def compile_for(board: Board, model: Path, mem: MemoryOptions = MemoryOptions()
                ) -> "CompiledModel":
    """The model as SConstruct compiles it for `board` with memory options `mem` and
    nvm=mram (so its persistence plan comes with it)."""
    from codegen.compile import compile_model
    from codegen.errors import CompileError
    from codegen.lowering import Target
    from codegen.nvm.options import NvmOptions

    try:
        return compile_model(str(model), Target.for_board(board), mem, NvmOptions(nvm="mram"))
    except CompileError as e:
        raise ToolError(str(e)) from None


def persistence_plan(board: Board, model: Path, mem: MemoryOptions = MemoryOptions(),
                     compiled: "CompiledModel | None" = None) -> tuple[dict, tuple[str, ...]]:
    """(model.json "persist", op per task) of an nvm=mram build, computed without building:
    the same compile (memory options `mem`, or the given compile_for result) and plan as
    SConstruct."""
    compiled = compiled if compiled is not None else compile_for(board, model, mem)
    assert compiled.persist is not None  # compile_for compiles with nvm=mram
    return compiled.persist.metadata(), tuple(layer.op.kind for layer in compiled.layers)


def board_pj_per_cycle(board: Board) -> tuple[float, str]:
    power = board.power_uw_per_mhz
    if not power:
        raise ToolError(f"board {board.name} has no power figure (power_uw_per_mhz in its "
                        "board.toml); the energy model needs one. Use a board with one, e.g. "
                        "mps2-an500.")
    return float(power), board.power_source


def measure_counts(board: Board, model: Path, store: Store, sha: str,
                   patch: PatchOption = PatchOption()) -> tuple[str, list[int]]:
    """Per-task counts of one inference on the board (QEMU) of the build with `patch`
    (one count per generated layer), cached by model hash, board and patch option."""
    key = board.name if not patch.key else f"{board.name} {patch.key}"
    cached = store.layer_counts(sha, key)
    if cached:
        return cached
    from ..measure.bench import build, progress
    from ..reference.golden import default_inputs
    from ..measure.inference import run_inference

    progress(f"sweep: measuring per-layer instruction counts of {model.name} on {board.name} "
             "(once per model and board) ...")
    elf, meta = build(board, model, patch.scons_args())
    result = run_inference(board, elf, meta, default_inputs(meta["inputs"]))
    counts = [layer.count for layer in result.layers]
    store.set_layer_counts(sha, key, result.unit, counts)
    return result.unit, counts
