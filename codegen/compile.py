"""The compiler pipeline: model file -> IR -> passes -> lowering -> memory plan -> C + metadata."""
from __future__ import annotations

from pathlib import Path

from .errors import CompileError
from .ir import Graph
from .lowering import Target
from .memoptions import MemoryOptions
from .lifetimes import plan_memory
from . import bake
from .memschedule import schedule_memory
from .model import CompiledModel, Layer
from .nvm.options import NvmOptions
from .nvm.plan import persistence_plan
from .ops import LOWERINGS
from .passes.drop_reshape import drop_reshapes
from .passes.fold_constants import fold_constants
from .passes.fold_pad import fold_pad
from .passes.fuse_activation import fuse_activations
from .passes.infer_shapes import infer_shapes
from .passes.validate import check_quantized, check_supported
from .reader import read_model
from .stats import op_macs


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


def compile_model(model_path: str | Path, target: Target, memory: MemoryOptions = MemoryOptions(),
                  nvm: NvmOptions = NvmOptions()) -> CompiledModel:
    """The whole compiler: model file -> IR -> passes -> lowering -> memory plan (and, with
    nvm=mram, the persistence plan). Every build, tool and test compiles through here."""
    graph = optimize(read_model(model_path))
    layers = lower_graph(graph, target)
    if not layers:
        raise CompileError(f"model '{graph.name}' has no layers left to run after optimisation.")
    layers = schedule_memory(graph, layers, memory)  # patch stages, in-place dw / 1x1
    layers = bake.bake_layers(layers)  # per-layer inline kernels with literal shapes
    model = CompiledModel(graph, layers, plan_memory(graph, layers), target)
    if nvm.enabled:  # per-task persistence; its NVM is emulated in RAM
        model.persist = persistence_plan(model, target, nvm)
    return model


__all__ = ["CompiledModel", "Layer", "compile_model"]
