"""Run a compiled int8 graph over a batch of inputs in numpy, layer by layer.

The model goes through the compiler's own front end (reader, optimisation passes and
op lowerings), so the simulator executes the very kernel calls, multipliers, folded
biases and tables that the firmware runs; `kernels.py` mirrors each C kernel. After
each layer an optional hook may replace the layer's output (the tensor the intermittent
runtime persists to NVM), which is where the fault model corrupts it. `run_from` resumes
a run at any layer from given activations (the sweep restarts faulty inferences from
cached fault-free ones).
"""
from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from codegen.compile import lower_graph, optimize
from codegen.model import Layer
from codegen.ir import Graph, Tensor
from codegen.lowering import ScratchArg, Target, TensorArg
from codegen.reader import read_model

from . import native
from .kernels import KERNELS, Kernel

HOST = Target(cpu="host", dsp=False, fpu=True)

# hook(layer index, layer output as (batch, bytes) int8) -> the values later layers read
LayerHook = Callable[[int, np.ndarray], np.ndarray]


class SimulatorError(Exception):
    """The model uses something the simulator cannot run (message says what)."""


ENGINES = ("auto", "native", "numpy")


def _pick_engine(engine: str) -> str:
    """The engine a Simulator runs: "native" or "numpy" (see Simulator.__init__)."""
    if engine not in ENGINES:
        raise SimulatorError(f"unknown simulator engine '{engine}'; use one of "
                             f"{', '.join(ENGINES)}")
    if engine == "auto":
        engine = os.environ.get("TP_SIM_ENGINE", "auto")
        if engine not in ENGINES:
            raise SimulatorError(f"TP_SIM_ENGINE={engine} is not an engine; use one of "
                                 f"{', '.join(ENGINES)}")
    if engine == "numpy":
        return engine
    try:
        native.library()
    except native.NativeError as e:
        if engine == "native":
            raise SimulatorError(str(e)) from e
        warnings.warn(f"{e} The simulator runs its numpy kernels.", stacklevel=3)
        return "numpy"
    return "native"


def engine_description(engine: str = "auto") -> str:
    """What Simulator(engine=engine) runs here, in words (for benchmark output)."""
    picked = _pick_engine(engine)
    if picked == "numpy":
        return "numpy"
    kind = native.conv_kind()
    convs = {"vnni": "AVX-512 VNNI convolutions", "avx2": "AVX2 convolutions",
             None: "numpy convolutions"}[kind]
    return (f"native ({convs}; depthwise, pooling, ADD/MUL, softmax, reductions and "
            "write faults in C)")


@dataclass
class SimLayer:
    index: int          # layer index, as in the generated code and the firmware profile
    kind: str           # TFLite op name
    output: int         # TFLite index of the output tensor
    storage: int        # tensor that holds the output's bytes (after dropped reshapes)
    nbytes: int         # bytes persisted after this layer
    macs: int
    reads: tuple[int, ...]  # storage tensors of the activations (not constants) it reads


class Simulator:
    """The int8 graph of one .tflite model, runnable on batches."""

    def __init__(self, model_path: str | Path, engine: str = "auto"):
        """engine: "native" (heavy layers and faults in C, native/), "numpy" (kernels.py only) or
        "auto" (native where it builds, else numpy; $TP_SIM_ENGINE overrides auto)."""
        self.model_path = Path(model_path)
        self.graph: Graph = optimize(read_model(self.model_path))
        self._lowered = lower_graph(self.graph, HOST)
        for layer in self._lowered:
            for call in layer.calls:
                if call.function not in KERNELS:
                    raise SimulatorError(
                        f"layer {layer.index} ({layer.op.kind}) runs kernel {call.function}, "
                        "which the host simulator does not implement (supported: "
                        f"{', '.join(sorted(KERNELS))}).")
        self.engine = _pick_engine(engine)
        self._kernels = [[self._kernel(c.function, c.params) for c in layer.calls]
                         for layer in self._lowered]
        self.model_sha = hashlib.sha256(self.model_path.read_bytes()).hexdigest()
        self.layers = [SimLayer(l.index, l.op.kind, l.output, self.graph.storage(l.output),
                                self.graph.tensors[l.output].nbytes, l.macs, self._reads(l))
                       for l in self._lowered]
        for t in self.inputs + self.outputs:
            if t.dtype != "int8":
                raise SimulatorError(f"model tensor '{t.name}' is {t.dtype}; the simulator runs "
                                     "models with int8 inputs and outputs.")

    @property
    def inputs(self) -> list[Tensor]:
        return [self.graph.tensors[i] for i in self.graph.inputs]

    @property
    def outputs(self) -> list[Tensor]:
        return [self.graph.tensors[i] for i in self.graph.outputs]

    @property
    def activations(self) -> list[int]:
        """Storage tensors of every activation a run writes: the model inputs, then each
        layer's output (what the intermittent runtime persists, in that order)."""
        return [self.graph.storage(t) for t in self.graph.inputs] + [l.storage for l in self.layers]

    def input_buffers(self, inputs: np.ndarray | list[np.ndarray]) -> dict[int, np.ndarray]:
        """{storage tensor: (batch, bytes) int8} of the model inputs, checked. `inputs`: one
        array per model input, shape (batch, *tensor shape without its batch-1 dimension)
        or (batch, elements)."""
        arrays = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        if len(arrays) != len(self.inputs):
            raise SimulatorError(f"model has {len(self.inputs)} inputs, got {len(arrays)} arrays")
        n = arrays[0].shape[0]
        buf: dict[int, np.ndarray] = {}
        for t, x in zip(self.inputs, arrays):
            if x.shape[0] != n or x[0].size != t.size:
                raise SimulatorError(f"input '{t.name}' needs {t.size} values per sample "
                                     f"(shape {list(t.shape)}), got shape {list(x.shape)}")
            buf[self.graph.storage(t.index)] = np.ascontiguousarray(x, np.int8).reshape(n, -1)
        return buf

    def run(self, inputs: np.ndarray | list[np.ndarray], hook: LayerHook | None = None,
            keep: bool = False) -> dict[int, np.ndarray]:
        """Run a batch (`inputs` as for input_buffers). Returns {tensor index: (batch,
        elements) int8} for the model outputs, or for every tensor with `keep`."""
        buf = self.run_from(0, self.input_buffers(inputs), hook)
        wanted = (self.graph.tensors if keep else self.graph.outputs)
        return {t: buf[self.graph.storage(t)] for t in wanted
                if self.graph.storage(t) in buf}

    def run_from(self, start: int, buffers: dict[int, np.ndarray], hook: LayerHook | None = None,
                 stop: int | None = None) -> dict[int, np.ndarray]:
        """Run layers start..stop-1 (default: to the last) on `buffers`, {storage tensor:
        (batch, bytes) int8}, which must hold every activation those layers read but do not
        write themselves. The given arrays are only read: each layer writes a fresh output
        array, which (after the hook) is put in `buffers`, returned."""
        stop = len(self.layers) if stop is None else stop
        if start >= stop:
            return buffers
        written = {l.storage for l in self.layers[start:stop]}
        missing = sorted({s for l in self.layers[start:stop] for s in l.reads}
                         - written - buffers.keys())
        if missing or not buffers:
            raise SimulatorError(f"layers {start}..{stop - 1} read tensors {missing}, which "
                                 "the given buffers lack")
        for s in written:  # kernels write in place: never into an array the caller gave
            buffers.pop(s, None)
        n = next(iter(buffers.values())).shape[0]
        for layer, sim, kernels in zip(self._lowered[start:stop], self.layers[start:stop],
                                       self._kernels[start:stop]):
            for call, kernel in zip(layer.calls, kernels):
                args = [self._tensor(a.tensor, buffers, n) if isinstance(a, TensorArg) else None
                        for a in call.args if isinstance(a, (TensorArg, ScratchArg))]
                kernel(call.params, args)
            if hook is not None:
                buffers[sim.storage] = np.ascontiguousarray(hook(sim.index, buffers[sim.storage]),
                                                            np.int8)
        return buffers

    def _kernel(self, function: str, params: dict) -> Kernel:
        """The engine's version of one kernel call (numpy where there is no native one)."""
        build = native.BUILDERS.get(function) if self.engine == "native" else None
        return (build(params) if build else None) or KERNELS[function]

    def _reads(self, layer: Layer) -> tuple[int, ...]:
        found = {self.graph.storage(t) for t in layer.op.inputs if t >= 0}
        return tuple(sorted(s for s in found if not self.graph.tensors[s].is_const))

    def _tensor(self, index: int, buf: dict[int, np.ndarray], n: int) -> np.ndarray:
        """The batch array of a tensor: an activation (allocated on first use) or a constant."""
        s = self.graph.storage(index)
        if s not in buf:
            t = self.graph.tensors[s]
            if t.is_const:
                buf[s] = np.broadcast_to(t.data.astype(np.int8).reshape(1, -1), (n, t.size))
            else:
                buf[s] = np.zeros((n, t.nbytes), np.int8)
        return buf[s]
