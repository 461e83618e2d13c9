"""The compiler pipeline: model file -> IR -> passes -> lowering -> memory plan -> C + metadata."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .emit import EmittedModel, emit_model
from .errors import CompileError
from .ir import Graph, Op
from .lowering import KernelCall, ScratchArg, Target, TensorArg
from .memoptions import MemoryOptions
from .memplan import MemoryPlan, layer_buffers, plan_arena
from . import bake
from .memschedule import schedule_memory
from .ops import LOWERINGS
from .persist import PersistPlan
from .passes.drop_reshape import drop_reshapes
from .passes.fold_constants import fold_constants
from .passes.fold_pad import fold_pad
from .passes.fuse_activation import fuse_activations
from .passes.infer_shapes import infer_shapes
from .passes.validate import check_quantized, check_supported
from .reader import read_model
from .stats import op_macs


@dataclass
class Layer:
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
class CompiledModel:
    graph: Graph
    layers: list[Layer]
    plan: MemoryPlan
    target: Target
    persist: "PersistPlan | None" = None  # nvm=mram: set by codegen.persist.plan_persistence


def optimize(graph: Graph) -> Graph:
    fold_constants(graph)
    infer_shapes(graph)
    check_supported(graph)
    check_quantized(graph)
    fuse_activations(graph)
    fold_pad(graph)
    drop_reshapes(graph)
    return graph


def lower_graph(graph: Graph, target: Target) -> list[Layer]:
    layers = []
    for op in graph.ops:
        calls = LOWERINGS[op.kind](op, graph, target)
        layers.append(Layer(len(layers), op, calls, op_macs(op, graph)))
    return layers


def plan_memory(graph: Graph, layers: list[Layer]) -> MemoryPlan:
    """Whole-graph arena plan from tensor lifetimes (see memplan.layer_buffers)."""
    return plan_arena(layer_buffers(graph, layers))


def compile_model(model_path: str | Path, target: Target,
                  options: MemoryOptions = MemoryOptions()) -> CompiledModel:
    graph = optimize(read_model(model_path))
    layers = lower_graph(graph, target)
    if not layers:
        raise CompileError(f"model '{graph.name}' has no layers left to run after optimisation.")
    layers = schedule_memory(graph, layers, options)  # patch stages, in-place dw / 1x1
    layers = bake.bake_layers(layers)  # per-layer inline kernels with literal shapes
    return CompiledModel(graph, layers, plan_memory(graph, layers), target)


def write_outputs(model: CompiledModel, model_path: str | Path, out_dir: Path) -> EmittedModel:
    """Render model.c / model.h / model.json into out_dir, all or nothing."""
    emitted = emit_model(model, Path(model_path).name)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"model.c": emitted.model_c, "model.h": emitted.model_h,
             "model.json": json.dumps(emitted.metadata, indent=1)}
    tmp = {name: out_dir / f".{name}.tmp" for name in files}
    try:
        for name, text in files.items():
            tmp[name].write_text(text)
        for name in files:
            tmp[name].replace(out_dir / name)
    finally:
        for p in tmp.values():
            p.unlink(missing_ok=True)
    return emitted


__all__ = ["CompiledModel", "Layer", "compile_model", "write_outputs", "ScratchArg", "TensorArg"]
