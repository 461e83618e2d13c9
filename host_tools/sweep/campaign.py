"""A campaign: one model, one input set, one seed; any number of QL configurations, each
measured over samples x repeats fault trials, resumable from the SQLite store."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ToolError
from ..sim import Simulator
from .datasets import Dataset
from .stats import Outcome
from .store import Store
from .trials import MAX_SAMPLES, Chunk, ChunkTask, FaultSetup, model_sha, simulate, top1
from . import runner

DEFAULT_CHUNK = 64


@dataclass
class Campaign:
    model_path: Path
    model_bytes: bytes
    sim: Simulator
    data: Dataset
    faults: FaultSetup
    seed: int
    store: Store
    client: object | None = None     # Dask client, or None to run here
    chunk_size: int = DEFAULT_CHUNK
    _clean: np.ndarray | None = None

    @classmethod
    def open(cls, model_path: Path, sim: Simulator, data: Dataset, faults: FaultSetup,
             seed: int, store: Store, client: object | None = None,
             chunk_size: int = DEFAULT_CHUNK) -> "Campaign":
        if len(data.x) == 0:
            raise ToolError(f"the input set '{data.name}' is empty; give at least one sample.")
        if len(data.x) > MAX_SAMPLES:
            raise ToolError(f"at most {MAX_SAMPLES} samples per campaign (the firmware's fault "
                            f"streams are inference * 65536 + tensor); got {len(data.x)}.")
        if not 0 <= seed < 2**32:
            raise ToolError(f"--seed {seed} is outside 0..4294967295.")
        c = cls(model_path, model_path.read_bytes(), sim, data, faults, seed, store, client,
                chunk_size)
        store.add_campaign(c.id, c.spec())
        return c

    def spec(self) -> dict:
        digest = hashlib.sha256(self.data.x.tobytes())
        if self.data.y is not None:
            digest.update(np.asarray(self.data.y, np.int64).tobytes())
        table = self.faults.table
        spec = {"model": self.model_path.name, "model_sha": model_sha(self.model_bytes),
                "inputs": self.data.name, "inputs_sha": digest.hexdigest(),
                "seed": self.seed, "fault_model": self.faults.model,
                "input_ql": self.faults.input_ql, "chunk": self.chunk_size,
                "ql_table": {q: [l.wer, l.wer_0to1, l.wer_1to0]
                             for q, l in table.levels.items()}}
        if self.faults.model == "switch":  # its outcomes depend on where tensors sit in NVM
            spec["nvm_layout"] = [[s.offset, s.bytes] for s in self.faults.nvm.slots] \
                if self.faults.nvm else None
        tasks = self.faults.tasks
        if tasks is not None and tasks.patch:  # default builds keep their (stored) ids
            spec["patch"] = {"option": tasks.patch, "task_ends": list(tasks.ends)}
        return spec

    @property
    def id(self) -> str:
        return hashlib.sha256(json.dumps(self.spec(), sort_keys=True).encode()).hexdigest()[:16]

    @property
    def layers(self) -> int:
        """Tasks of the build, one QL each (one per layer unless a patch stage groups some)."""
        return self.faults.task_map(self.sim).tasks

    @property
    def clean_top1(self) -> np.ndarray:
        """Fault-free top-1 of every sample (the reference for agreement)."""
        if self._clean is None:
            preds = [top1(simulate(self.sim, self.data.x[a:a + 256], None, self.faults, 0, a))
                     for a in range(0, len(self.data.x), 256)]
            self._clean = np.concatenate(preds)
        return self._clean

    def measure(self, config: str, qls: tuple[str, ...], samples: int, repeats: int,
                desc: str = "") -> Outcome:
        """Run whatever of (config, samples, repeats) is not stored yet; return the totals."""
        samples = min(samples, len(self.data.x))
        sha = model_sha(self.model_bytes)
        self.store.add_config(self.id, config, qls)
        done = self.store.done(self.id)
        tasks, keys = [], []
        for r in range(repeats):
            for a in range(0, samples, self.chunk_size):
                b = min(a + self.chunk_size, samples)
                keys.append((a, b, r))
                if (config, a, b, r) in done:
                    continue
                y = None if self.data.y is None else self.data.y[a:b]
                tasks.append(ChunkTask(sha, self.model_bytes, self.data.x[a:b], y,
                                       self.clean_top1[a:b], Chunk(config, qls, a, b, r),
                                       self.faults, self.seed))
        runner.execute(tasks, self.store, self.id, self.client, desc or config)
        return Outcome.of(self.store.totals(self.id, config, keys),
                          labelled=self.data.y is not None)


def uniform(ql: str, layers: int) -> tuple[str, ...]:
    return (ql,) * layers


def map_config(qls: tuple[str, ...]) -> str:
    """Stable name of a per-layer assignment (uniform ones are named by their QL)."""
    if len(set(qls)) == 1:
        return qls[0]
    return "map:" + hashlib.sha256(",".join(qls).encode()).hexdigest()[:12]
