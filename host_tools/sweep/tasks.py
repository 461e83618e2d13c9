"""Which simulator layers form which task of the intermittent runtime.

The simulator runs one op per layer (the default lowering). A build with patch-based
inference (`scons patch=...`) runs the first n ops as ONE generated layer, i.e. one task:
only the stage's output is persisted after it, not the outputs of the ops inside. A
TaskMap says, per task, which simulator layer ends it (its output is what the task
persists); with the default build every layer is its own task (the identity map).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from codegen.errors import CompileError
from codegen.memoptions import DEFAULT_PATCH_OVERHEAD, MemoryOptions, parse_overhead

from ..errors import ToolError

if TYPE_CHECKING:
    from codegen.model import CompiledModel

    from ..sim import Simulator


@dataclass(frozen=True)
class PatchOption:
    """The sweep's --patch / --patch-overhead, as the text scons takes (patch=, patch_overhead=)."""
    patch: str = "off"
    overhead: str = str(DEFAULT_PATCH_OVERHEAD)

    def memory(self) -> MemoryOptions:
        """The build's MemoryOptions, validated exactly as SConstruct validates them."""
        try:
            mem = MemoryOptions(patch=self.patch, patch_overhead=parse_overhead(self.overhead))
            mem.patch_spec()
        except CompileError as e:
            raise ToolError(str(e)) from None
        return mem

    def scons_args(self) -> tuple[str, ...]:
        """Extra scons arguments of this build (none for the default build)."""
        if self.patch == "off":
            return ()
        return (f"patch={self.patch}", f"patch_overhead={self.overhead}")

    @property
    def key(self) -> str:
        """'' for the default build, else a stable name of the option (cache keys, specs)."""
        if self.patch == "off":
            return ""
        return f"patch={self.patch},overhead={self.memory().patch_overhead!r}"


@dataclass(frozen=True)
class TaskMap:
    patch: str                 # PatchOption.key ('' : default build)
    ends: tuple[int, ...]      # task t -> index of the simulator layer that ends it

    @staticmethod
    def identity(layers: int) -> "TaskMap":
        return TaskMap("", tuple(range(layers)))

    @property
    def tasks(self) -> int:
        return len(self.ends)

    def task_at(self, layers: int) -> tuple[int | None, ...]:
        """Per simulator layer: the task it ends (its output is persisted), else None."""
        at: list[int | None] = [None] * layers
        for t, end in enumerate(self.ends):
            at[end] = t
        return tuple(at)


def task_map(compiled: "CompiledModel", sim: "Simulator", patch: str = "") -> TaskMap:
    """The tasks of `compiled` over the simulator's layers: compiled layer t runs the ops of
    its patch stage (Layer.stage) or its one op, matched to simulator layers by the tensor
    each op writes; together they must be the simulator's layers, in order."""
    by_output = {layer.output: layer.index for layer in sim.layers}
    ends, covered = [], []
    for layer in compiled.layers:
        for op in layer.stage or [layer.op]:
            i = by_output.get(op.outputs[0])
            if i is None:
                raise ToolError(f"task {layer.index} runs {op.kind} writing tensor "
                                f"{op.outputs[0]}, which no simulator layer writes.")
            covered.append(i)
        ends.append(covered[-1])
    if covered != list(range(len(sim.layers))):
        raise ToolError(f"the compiled tasks run the simulator's layers {covered}, not each of "
                        f"0..{len(sim.layers) - 1} once in order; the sweep cannot map them.")
    return TaskMap(patch, tuple(ends))
