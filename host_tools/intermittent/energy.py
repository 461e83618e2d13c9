"""Energy model of intermittent inference (Barjami et al., Eq. 1-2), per task and per QL.

    E_task = E_cycle * cycles                                  compute
           + (E_cycle + 32 E_bit(QL)) * write accesses         persist (32-bit words)
           + (E_cycle + 32 E_bit(Q0)) * 8                      commit (progress record)
           + (E_cycle + 32 E_read) * read accesses             restore (live inputs)

cycles: per-layer instruction counts measured under QEMU (-icount shift=0), used as a
cycle proxy (QEMU has no cycle model); E_cycle: the board's uW/MHz (= pJ per cycle);
E_bit per QL and E_read: the QL table. The per-inference total assumes one charge per
task, as in the paper: every task restores what it reads from NVM, persists its
output and commits; the model inputs are persisted once at Q0 before task 0, between
two commits (one retires the previous inference's record, one starts task 0).
"""
from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from codegen.nvm.quality import QL_NAMES, QLTable

RECORD_WORDS = 8  # firmware/nvm/progress.c: magic, 6 fields, CRC


@dataclass
class TaskEnergy:
    task: int                 # -1: persisting the model inputs
    op: str
    cycles: int               # measured instructions (cycle proxy)
    persisted_bytes: int
    restored_bytes: int
    ql: str
    compute_pj: float
    persist_pj: float
    commit_pj: float
    restore_pj: float

    @property
    def total_pj(self) -> float:
        return self.compute_pj + self.persist_pj + self.commit_pj + self.restore_pj


@dataclass
class QLTotal:
    ql: str
    total_pj: float
    compute_pj: float
    persist_pj: float
    commit_pj: float
    restore_pj: float
    saving_vs_q0: float       # fraction


def _words(nbytes: int) -> int:
    return (nbytes + 3) // 4


def task_energies(persist: dict, counts: list[int], ops: list[str], cycle_pj: float,
                  table: QLTable, ql_of_task: dict[int, str]) -> list[TaskEnergy]:
    """Per-task energy (pJ). persist: model.json 'persist' (or PersistPlan.metadata())."""
    tensors = {t["pid"]: t for t in persist["tensors"]}
    read_pj = cycle_pj + 32 * table.read_pj_per_bit
    commit_pj = RECORD_WORDS * (cycle_pj + 32 * table.levels["Q0"].write_pj_per_bit)
    rows = []
    inputs = [t for t in persist["tensors"] if t["producer"] < 0]
    in_bytes = sum(t["bytes"] for t in inputs)
    rows.append(TaskEnergy(-1, "inputs", 0, in_bytes, 0, "Q0", 0.0,
                           sum(_words(t["bytes"]) for t in inputs)
                           * (cycle_pj + 32 * table.levels["Q0"].write_pj_per_bit), 2 * commit_pj, 0.0))
    for task, (cycles, op) in enumerate(zip(counts, ops)):
        out = tensors[persist["task_pid"][task]]
        ql = ql_of_task[task]
        restored = [tensors[p] for p in persist["restore"][task]]
        rows.append(TaskEnergy(
            task, op, cycles, out["bytes"], sum(t["bytes"] for t in restored), ql,
            cycle_pj * cycles,
            _words(out["bytes"]) * (cycle_pj + 32 * table.levels[ql].write_pj_per_bit),
            commit_pj,
            sum(_words(t["bytes"]) for t in restored) * read_pj))
    return rows


def totals_per_ql(persist: dict, counts: list[int], ops: list[str], cycle_pj: float,
                  table: QLTable) -> list[QLTotal]:
    """Whole-inference energy with every task output at each QL, and its saving vs Q0."""
    out = []
    for ql in QL_NAMES:
        rows = task_energies(persist, counts, ops, cycle_pj, table, {i: ql for i in range(len(counts))})
        parts = [sum(getattr(r, k) for r in rows)
                 for k in ("compute_pj", "persist_pj", "commit_pj", "restore_pj")]
        out.append(QLTotal(ql, sum(parts), *parts, 0.0))
    base = out[0].total_pj
    for t in out:
        t.saving_vs_q0 = (base - t.total_pj) / base if base else 0.0
    return out


def format_tasks(rows: list[TaskEnergy], unit: str) -> str:
    head = (f"{'task':>4} {'op':<18} {unit + ' (cycles)':>22} {'persisted B':>11} {'restored B':>10} "
            f"{'QL':>3} {'compute uJ':>11} {'persist uJ':>11} {'commit uJ':>10} {'restore uJ':>11} "
            f"{'total uJ':>10}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{'in' if r.task < 0 else r.task:>4} {r.op[:18]:<18} {r.cycles:>22} "
                     f"{r.persisted_bytes:>11} {r.restored_bytes:>10} {r.ql:>3} "
                     f"{r.compute_pj / 1e6:>11.4f} {r.persist_pj / 1e6:>11.4f} "
                     f"{r.commit_pj / 1e6:>10.4f} {r.restore_pj / 1e6:>11.4f} {r.total_pj / 1e6:>10.4f}")
    return "\n".join(lines)


def format_totals(totals: list[QLTotal]) -> str:
    head = (f"{'QL':<3} {'total uJ':>10} {'compute uJ':>11} {'persist uJ':>11} {'commit uJ':>10} "
            f"{'restore uJ':>11} {'saving vs Q0':>13}")
    lines = [head, "-" * len(head)]
    for t in totals:
        lines.append(f"{t.ql:<3} {t.total_pj / 1e6:>10.4f} {t.compute_pj / 1e6:>11.4f} "
                     f"{t.persist_pj / 1e6:>11.4f} {t.commit_pj / 1e6:>10.4f} "
                     f"{t.restore_pj / 1e6:>11.4f} {100 * t.saving_vs_q0:>12.2f}%")
    return "\n".join(lines)


def write_csv(rows: list[TaskEnergy], path: str | Path) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["task", "op", "cycles", "persisted_bytes", "restored_bytes", "ql", "compute_pj",
                    "persist_pj", "commit_pj", "restore_pj", "total_pj"])
        for r in rows:
            w.writerow([r.task, r.op, r.cycles, r.persisted_bytes, r.restored_bytes, r.ql,
                        r.compute_pj, r.persist_pj, r.commit_pj, r.restore_pj, r.total_pj])


def write_json(rows: list[TaskEnergy], totals: list[QLTotal], meta: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps({
        **meta,
        "tasks": [{**asdict(r), "total_pj": r.total_pj} for r in rows],
        "totals": [asdict(t) for t in totals]}, indent=1) + "\n")
