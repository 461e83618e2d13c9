"""One chunk of a campaign: simulate inferences with write faults and count outcomes.

A chunk is (configuration, sample range, repeat). Trial (sample i, repeat r) reproduces
what the firmware does for INFER with seed = campaign seed + r and inference index i:
every persisted tensor (model inputs at the input QL, then each task's output at that
task's QL; a task is one layer, or a whole patch stage of a patch build: tasks.py) is
corrupted by host_tools.intermittent.faults.flip_bits with stream i * 65536 + pid, and
later layers read the corrupted values. A trial's outcome depends only on (seed, r, i,
QLs), never on how the campaign was cut into chunks or where a chunk ran, so local,
resumed and cluster runs give identical totals.

With fault model "flip", trials start from the fault-free activations at their first
flipped tensor (sweep/reuse.py): same outputs, far less compute at low QLs.

With "switch" a write's faults depend on what NVM held before, so each trial row keeps
an image of the firmware's error-resilient NVM region (sim/nvm_image.py) and writes every
persisted tensor into its slot there. A trial starts from the power-on image (zeros): it
is the firmware's first inference after power-on. `simulate_sequence` instead carries the
image from one inference to the next, as the firmware does for consecutive INFER commands.

This module is what cluster workers import; it holds no global state except a cache of
simulators by model hash and reuse.py's bounded cache of fault-free activations.
"""
from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from codegen.nvm.faultmodel import RateThresholds, thresholds_for
from codegen.nvm.plan import INPUT_QL
from codegen.nvm.quality import QLTable

from ..intermittent.faults import flip_bits
from ..sim import Simulator
from ..intermittent.nvm_image import NvmImage, NvmLayout
from . import reuse as reuse_mod
from .reuse import FlipPlan
from .tasks import TaskMap

STREAM_STRIDE = 65536  # firmware: stream = inference * 65536 + pid
MAX_SAMPLES = STREAM_STRIDE  # inference indices must stay below the stride


@dataclass(frozen=True)
class FaultSetup:
    model: str            # "flip" (the paper) or "switch" (faults.py)
    table: QLTable
    input_ql: str = INPUT_QL  # the firmware persists model inputs at the safest QL
    # where the firmware build persists each tensor (NvmLayout.from_plan of the compiler's
    # persistence plan); "switch" needs it, "flip" only for simulate_sequence's images
    nvm: NvmLayout | None = None
    # which simulator layers end a task of the build (patch builds run several ops as one
    # task and persist only its last output); None: the default build, one task per layer
    tasks: TaskMap | None = None

    def rates(self, ql: str) -> tuple[RateThresholds, ...]:
        return thresholds_for(self.table.level(ql), self.model)

    def task_map(self, sim: Simulator) -> TaskMap:
        return self.tasks if self.tasks is not None else TaskMap.identity(len(sim.layers))


@dataclass(frozen=True)
class Chunk:
    config: str                 # "Q2" (uniform) or "map:<hash>" (per-task assignment)
    qls: tuple[str, ...]        # QL of every task's output
    start: int                  # sample range [start, stop)
    stop: int
    repeat: int

    @property
    def trials(self) -> int:
        return self.stop - self.start


@dataclass
class ChunkResult:
    config: str
    start: int
    stop: int
    repeat: int
    n: int                # trials
    agree: int            # top-1 equal to the fault-free top-1
    correct: int          # top-1 equal to the label (0 without labels)
    clean_correct: int    # fault-free top-1 equal to the label, same samples
    changed: int          # trials whose correctness differs from the fault-free run


@dataclass
class ChunkTask:
    """Everything a worker needs for one chunk (picklable)."""
    model_sha: str
    model_bytes: bytes
    x: np.ndarray                # the chunk's inputs, int8
    y: np.ndarray | None
    clean_top1: np.ndarray
    chunk: Chunk
    faults: FaultSetup
    seed: int
    reuse: bool = True           # simulate(reuse=...): False runs every layer of every trial


_SIMULATORS: dict[str, Simulator] = {}


def simulator_for(model_sha: str, model_bytes: bytes) -> Simulator:
    """A worker-local simulator, built once per model (written to a temp file first, so
    workers need no shared file system)."""
    if model_sha not in _SIMULATORS:
        path = Path(tempfile.gettempdir()) / f"tp_sweep_{model_sha[:16]}.tflite"
        if not path.exists():
            tmp = path.with_suffix(f".{np.random.randint(1 << 30)}.tmp")
            tmp.write_bytes(model_bytes)
            tmp.replace(path)
        _SIMULATORS[model_sha] = Simulator(path)
    return _SIMULATORS[model_sha]


def model_sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def top1(outputs: np.ndarray) -> np.ndarray:
    return np.argmax(outputs.reshape(len(outputs), -1), axis=1)


# record(pid, bytes written, bytes NVM stored), both (batch, n) uint8
Recorder = Callable[[int, np.ndarray, np.ndarray], None]


def simulate(sim: Simulator, x: np.ndarray, qls: tuple[str, ...] | None, faults: FaultSetup,
             seed: int, first_sample: int, record: Recorder | None = None,
             reuse: bool = True, nvm: NvmImage | None = None) -> np.ndarray:
    """First model output (batch, elements) with faults at `qls` (None: fault-free), one QL
    per task of faults.task_map: task t's output (its last layer's) is persisted as pid
    inputs + t; outputs of layers inside a task are not persisted, so never corrupted.
    Row j is the firmware's inference first_sample + j (its INFER index).
    reuse: with model "flip" and no recorder, resume each trial from cached fault-free
    activations at its first flipped tensor (reuse.py; identical outputs). A recorder
    sees every persisted tensor of every trial, so it always gets the full run.
    nvm: the NVM region each row starts from (one row per trial), updated in place as the
    tensors are written. Default: for "switch", the power-on image (zeros) of
    faults.nvm, i.e. every trial is the first inference after power-on; for "flip" none
    (its faults do not depend on NVM's content)."""
    if qls is None:
        return sim.run(x)[sim.graph.outputs[0]]
    tasks = faults.task_map(sim)
    if len(qls) != tasks.tasks:
        raise ValueError(f"{len(qls)} QLs for {tasks.tasks} tasks")
    n_inputs = len(sim.inputs)
    rates = {ql: faults.rates(ql) for ql in set(qls) | {faults.input_ql}}
    xs = [x] if len(sim.inputs) == 1 else list(x)
    streams = (np.arange(first_sample, first_sample + len(xs[0]), dtype=np.uint64)
               * STREAM_STRIDE)
    if nvm is None and faults.model == "switch":
        nvm = NvmImage.power_on(_layout(faults), len(xs[0]))
    if nvm is not None:
        check_layout(sim, nvm.layout, tasks)
        if nvm.batch != len(xs[0]):
            raise ValueError(f"NVM image of {nvm.batch} rows for {len(xs[0])} inferences")
    if reuse and record is None and nvm is None and faults.model == "flip":
        pid_rates = [rates[faults.input_ql]] * n_inputs + [rates[q] for q in qls]
        work = reuse_mod.expected_work_fraction(sim, pid_rates, tasks)
        if work <= reuse_mod.MAX_WORK_FRACTION:  # else running in full is faster
            plan = FlipPlan.build(sim, pid_rates, seed, streams, tasks)
            return reuse_mod.run_trials(sim, xs, plan)

    def corrupt(values: np.ndarray, ql: str, pid: int) -> np.ndarray:
        data = values.view(np.uint8)
        if nvm is None:
            stored = flip_bits(data, rates[ql], seed, streams + pid, faults.model)
        else:
            stored = nvm.write(pid, data, rates[ql], seed, streams + pid, faults.model)
        if record is not None:
            record(pid, data, stored)
        return stored.view(np.int8)

    xs = [corrupt(np.ascontiguousarray(a, np.int8).reshape(len(a), -1), faults.input_ql, j)
          for j, a in enumerate(xs)]
    task_at = tasks.task_at(len(sim.layers))

    def persist(layer: int, v: np.ndarray) -> np.ndarray:
        t = task_at[layer]
        return v if t is None else corrupt(v, qls[t], n_inputs + t)

    out = sim.run(xs, hook=persist)
    return out[sim.graph.outputs[0]]


def _layout(faults: FaultSetup) -> NvmLayout:
    if faults.nvm is None:
        raise ValueError(f"fault model {faults.model!r} here needs the firmware's NVM layout: "
                         "FaultSetup(nvm=NvmLayout.from_plan(<persistence plan>))")
    return faults.nvm


def check_layout(sim: Simulator, layout: NvmLayout, tasks: TaskMap | None = None) -> None:
    """The layout has a slot of the right size for every tensor the simulator persists
    (model inputs as pids 0.., then task t's output as pid inputs + t; default: one task
    per layer)."""
    ends = tasks.ends if tasks is not None else range(len(sim.layers))
    sizes = [t.nbytes for t in sim.inputs] + [sim.layers[e].nbytes for e in ends]
    got = [s.bytes for s in layout.slots]
    if got != sizes:
        raise ValueError(f"the NVM layout's slot sizes {got} are not the simulator's persisted "
                         f"tensors {sizes}; build the layout from this model's plan")


@dataclass
class SequenceRun:
    outputs: np.ndarray   # (n, elements): first model output of each inference
    flips: np.ndarray     # (n,): bits NVM stored wrong (the firmware's NVM status "flips")
    images: np.ndarray    # (n, region bytes): the NVM region after each inference


def simulate_sequence(sim: Simulator, x: np.ndarray, qls: tuple[str, ...], faults: FaultSetup,
                      seed: int, first_inference: int, nvm: NvmImage | None = None,
                      record: Recorder | None = None) -> SequenceRun:
    """Inferences first_inference, first_inference + 1, ... of x's rows on ONE device, one
    after the other, as the host sends INFER commands in one firmware session: each starts
    from the NVM region the previous one left (the first from `nvm`, a one-row image;
    default the power-on image). `simulate` rows, by contrast, are independent trials.
    record gets every persisted tensor of every inference, in order, as (1, n) arrays."""
    image = NvmImage.power_on(_layout(faults), 1) if nvm is None else nvm
    n = len(x) if len(sim.inputs) == 1 else len(x[0])
    outputs, flips, images = [], np.zeros(n, np.int64), []
    for j in range(n):
        def count(pid: int, written: np.ndarray, stored: np.ndarray, j: int = j) -> None:
            flips[j] += int(np.unpackbits(written ^ stored).sum())
            if record is not None:
                record(pid, written, stored)

        rows = x[j:j + 1] if len(sim.inputs) == 1 else [a[j:j + 1] for a in x]
        outputs.append(simulate(sim, rows, qls, faults, seed, first_inference + j, count,
                                nvm=image)[0])
        images.append(image.data[0].copy())
    return SequenceRun(np.stack(outputs), flips, np.stack(images))


_THREADPOOLS = None  # threadpoolctl controller, found once per worker


def _threadpools():
    """The process's BLAS/OpenMP pools (threadpoolctl scans the loaded libraries, about
    0.5 ms, so once per worker rather than once per chunk)."""
    global _THREADPOOLS
    if _THREADPOOLS is None:
        from threadpoolctl import ThreadpoolController
        _THREADPOOLS = ThreadpoolController()
    return _THREADPOOLS


def run_chunk(task: ChunkTask) -> ChunkResult:
    sim = simulator_for(task.model_sha, task.model_bytes)
    c = task.chunk
    seed = (task.seed + c.repeat) & 0xFFFFFFFF
    # one BLAS thread: the matrices are small, and 2 threads ran MobileNetV1 0.25 @96 at
    # 284 instead of 655 inferences/s here (host_tools.sweep.throughput --threads 1 / 2)
    with _threadpools().limit(limits=1):
        pred = top1(simulate(sim, task.x, c.qls, task.faults, seed, c.start, reuse=task.reuse))
    agree = int((pred == task.clean_top1).sum())
    if task.y is None:
        return ChunkResult(c.config, c.start, c.stop, c.repeat, len(pred), agree, 0, 0, 0)
    ok, clean_ok = pred == task.y, task.clean_top1 == task.y
    return ChunkResult(c.config, c.start, c.stop, c.repeat, len(pred), agree, int(ok.sum()),
                       int(clean_ok.sum()), int((ok != clean_ok).sum()))
