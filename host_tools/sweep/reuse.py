"""Fault trials that reuse the fault-free run (fault model "flip" only).

Under "flip" the error mask of a persisted tensor depends only on (seed, stream, rate,
size), never on the data (faults.byte_flips), so before running anything we know each
trial's first corrupted tensor. Until that tensor a trial computes exactly what the
fault-free run computes, hence:

- a trial with no flip at all outputs the fault-free output: nothing to compute;
- a trial whose first flip is in layer k's output (or a model input) takes the fault-free
  activations live at that point (including older ones read later, e.g. the skip input of
  a residual ADD: they precede the first flip, so they are fault-free too), XORs layer
  k's output with its mask and runs layers k+1.. with the masks applied as before.

(In a patch build a task is several layers and only its last one's output is persisted:
FlipPlan takes the build's tasks, sweep/tasks.py, and flips nothing inside a task.)

Trials sorted by first flipped tensor make the rows a layer must compute a prefix of the
batch, so each layer runs at most once per chunk, on exactly the rows it can change.

Fault-free activations come from a per-process LRU cache (CleanCache, bounded by total
bytes, CLEAN_CACHE_BYTES) keyed by the model's sha256 and a digest of the input bytes, so
the configurations and repeats of a campaign over the same samples compute them once per
worker. A sample set whose activations exceed the cap is scanned cyclically by a campaign
and LRU then keeps nothing useful: every chunk misses (see MAX_WORK_FRACTION).
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from codegen.nvm.faultmodel import RateThresholds

from ..intermittent.faults import ByteFlips, byte_flips
from ..sim import Simulator
from .tasks import TaskMap

CLEAN_CACHE_BYTES = 512 << 20  # ~4,500 ResNet-8 or ~7,000 DS-CNN samples' activations
# Resuming pays for gathering rows and applying flips sparsely, and on a cache miss for
# one fault-free batch; it is only worth it when the resumed trials do at most this
# fraction of a full run's layer work (Q0/Q1-like chunks). Above it (nearly every trial
# flips in its first layers) the chunk runs in full, as without reuse, and the cache is
# filled by a later, cheaper chunk of the same samples. With the native engine,
# resuming at fractions of 0.5-0.9 was up to 1.2x slower than running in full
# (host_tools.sweep.throughput --campaign, Q2 on the digit models and DS-CNN).
MAX_WORK_FRACTION = 0.5

Activations = dict[int, np.ndarray]  # storage tensor -> (batch, bytes) int8


@dataclass
class CleanCache:
    """LRU of fault-free activations by key, bounded by their total bytes."""
    max_bytes: int = CLEAN_CACHE_BYTES
    _entries: OrderedDict[tuple[str, str], Activations] = field(default_factory=OrderedDict)
    _bytes: int = 0

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[str, str]) -> Activations | None:
        acts = self._entries.get(key)
        if acts is not None:
            self._entries.move_to_end(key)
        return acts

    def put(self, key: tuple[str, str], acts: Activations) -> None:
        size = _nbytes(acts)
        if size > self.max_bytes or key in self._entries:
            return
        while self._bytes + size > self.max_bytes:
            self._bytes -= _nbytes(self._entries.popitem(last=False)[1])
        self._entries[key] = acts
        self._bytes += size

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0


CACHE = CleanCache()  # this process's (a Dask worker's) cache


def _nbytes(acts: Activations) -> int:
    return sum(a.nbytes for a in acts.values())


def clean_key(sim: Simulator, xs: list[np.ndarray]) -> tuple[str, str]:
    h = hashlib.sha256()
    for a in xs:
        h.update(repr(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return sim.model_sha, h.hexdigest()


def clean_activations(sim: Simulator, xs: list[np.ndarray]) -> Activations:
    """Every activation of the fault-free run: what the fault hook receives when no bit
    flips (model inputs and each layer's output, by storage tensor)."""
    buf = sim.run_from(0, {s: a.copy() for s, a in sim.input_buffers(xs).items()})
    acts = {s: buf[s] for s in sim.activations}
    for a in acts.values():
        a.flags.writeable = False  # shared by every later chunk of these samples
    return acts


@dataclass
class FlipPlan:
    """The flips of a batch of trials, known before running them. Persisted tensors are
    numbered by pid (model inputs, then task outputs); a tensor's stage is -1 for a
    model input and k for the output of layer k, the last layer of its task."""
    n_inputs: int
    layer_pid: tuple[int | None, ...]  # per layer: pid persisted after it (None: inside a task)
    flips: list[ByteFlips]    # per pid
    hit: list[np.ndarray]     # per pid: (batch,) bool, the write flips some bit
    first: np.ndarray         # (batch,) stage of the first flipped tensor, layers if none
    order: np.ndarray         # rows sorted by `first` (stable)
    rank: np.ndarray          # inverse of order: row -> its position in order

    @classmethod
    def build(cls, sim: Simulator, rates: list[tuple[RateThresholds, ...]], seed: int,
              streams: np.ndarray, tasks: TaskMap | None = None) -> "FlipPlan":
        """rates: per pid (as FaultSetup.rates gives them for model "flip");
        streams: (batch,) inference * 65536, the pid is added here;
        tasks: the build's tasks (default: one per layer)."""
        stage, sizes, layer_pid = _pids(sim, tasks)
        flips = [byte_flips(n, r[0], seed, streams + pid)
                 for pid, (n, r) in enumerate(zip(sizes, rates))]
        batch = len(streams)
        hit = [np.bincount(f.rows, minlength=batch) > 0 for f in flips]
        first = _first_flips(hit, stage, len(sim.layers))
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(batch)
        return cls(len(sim.inputs), layer_pid, flips, hit, first, order, rank)

    def upto(self, stage: int) -> int:
        """Trials whose first flip is at or before `stage`: rows order[:upto(stage)]."""
        return int(np.count_nonzero(self.first <= stage))

    def apply(self, pid: int, values: np.ndarray) -> np.ndarray:
        """A copy of int8 (batch, bytes) `values` as NVM stores them."""
        return self.flips[pid].apply(values.view(np.uint8)).view(np.int8)

    def apply_sorted(self, pid: int, values: np.ndarray) -> np.ndarray:
        """Same, in place, for `values` holding rows order[:len(values)] (a fresh array)."""
        f = self.flips[pid]
        pos = self.rank[f.rows]
        keep = pos < len(values)
        values.view(np.uint8)[pos[keep], f.offsets[keep]] ^= f.masks[keep]
        return values

    def work_fraction(self, sim: Simulator) -> float:
        """Layer work of the resumed trials relative to running every trial in full."""
        return _work_fraction(sim, self.first)


def _pids(sim: Simulator, tasks: TaskMap | None
          ) -> tuple[list[int], list[int], tuple[int | None, ...]]:
    """Per pid its stage (-1 for a model input, else the last layer of its task) and bytes,
    and per layer the pid persisted after it (None inside a task)."""
    tasks = tasks if tasks is not None else TaskMap.identity(len(sim.layers))
    n_in = len(sim.inputs)
    stage = [-1] * n_in + list(tasks.ends)
    sizes = [t.nbytes for t in sim.inputs] + [sim.layers[e].nbytes for e in tasks.ends]
    layer_pid = tuple(None if t is None else n_in + t for t in tasks.task_at(len(sim.layers)))
    return stage, sizes, layer_pid


def _first_flips(hit: list[np.ndarray], stage: list[int], layers: int) -> np.ndarray:
    """(batch,) stage of each row's first flipped tensor, `layers` if none."""
    first = np.full(len(hit[0]), layers, np.int64)
    for pid in reversed(range(len(hit))):
        first[hit[pid]] = stage[pid]
    return first


def _work_fraction(sim: Simulator, first: np.ndarray) -> float:
    """Layer work of trials resumed at their first flips relative to running every trial
    in full, weighting layer k by its MACs plus output bytes (a proxy of its time)."""
    w = np.array([l.macs + l.nbytes for l in sim.layers], np.float64)
    rows = np.array([np.count_nonzero(first <= l.index - 1) for l in sim.layers], np.float64)
    return float(rows @ w / (len(first) * w.sum()))


def expected_work_fraction(sim: Simulator, rates: list[tuple[RateThresholds, ...]],
                           tasks: TaskMap | None = None) -> float:
    """The mean of FlipPlan.work_fraction over trials, from the rates alone: a write of w
    words flips something with probability 1 - (1 - any / 2^32)^w, independently per
    write. Costs nothing next to building a plan, so callers decide with it whether
    resuming pays (it does not change any result, only which path computes it)."""
    stage, sizes, _ = _pids(sim, tasks)
    p_clean = np.array([(1.0 - r[0].any / 2.0**32) ** (-(-n // 4))
                        for n, r in zip(sizes, rates)])
    w = np.array([l.macs + l.nbytes for l in sim.layers], np.float64)
    index = np.array([l.index for l in sim.layers])
    before = np.array(stage)[None, :] <= index[:, None] - 1
    flipped_before = 1.0 - np.where(before, p_clean[None, :], 1.0).prod(axis=1)
    return float(flipped_before @ w / w.sum())


def resume(sim: Simulator, plan: FlipPlan, clean: Activations) -> np.ndarray:
    """The first model output (batch, bytes) int8 of the faulty trials, computing each
    layer only for the trials flipped before it (module docstring)."""
    order = plan.order
    cur: Activations = {}  # storage -> its values for rows order[:len]

    def rows(s: int, n: int) -> np.ndarray:
        have = cur.get(s)
        if have is None:
            return clean[s][order[:n]]
        if len(have) >= n:
            return have[:n]
        return np.concatenate([have, clean[s][order[len(have):n]]])

    for pid, s in enumerate(sim.activations[:plan.n_inputs]):
        if m := plan.upto(-1):
            cur[s] = plan.apply_sorted(pid, clean[s][order[:m]])
    for layer in sim.layers:
        n, m = plan.upto(layer.index - 1), plan.upto(layer.index)
        if m == 0:
            continue  # no trial differs from the fault-free run yet
        s = layer.storage
        if n == 0:
            values = clean[s][order[:m]]
        else:
            buf = sim.run_from(layer.index, {r: rows(r, n) for r in layer.reads},
                               stop=layer.index + 1)
            values = buf[s] if m == n else np.concatenate([buf[s], clean[s][order[n:m]]])
        pid = plan.layer_pid[layer.index]
        cur[s] = values if pid is None else plan.apply_sorted(pid, values)
    out_s = sim.graph.storage(sim.graph.outputs[0])
    out = clean[out_s].copy()
    if out_s in cur:
        out[order[:len(cur[out_s])]] = cur[out_s]
    return out


def run_trials(sim: Simulator, xs: list[np.ndarray], plan: FlipPlan,
               cache: CleanCache = CACHE) -> np.ndarray:
    """The first model output of the trials `plan` describes, resumed from the fault-free
    run (cached, or computed and cached). Callers check expected_work_fraction first:
    above MAX_WORK_FRACTION running every trial in full is faster."""
    key = clean_key(sim, xs)
    clean = cache.get(key)
    if clean is None:
        clean = clean_activations(sim, xs)
        cache.put(key, clean)
    return resume(sim, plan, clean)
