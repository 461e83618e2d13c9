"""Exhaustive power failures: a failure at every NVM write access of one inference.

A failure point is one NVM write access of the fault-free, uninterrupted inference,
numbered 0..W-1 in the order the firmware makes them (W = its `words_written`): the
record that retires the previous inference, every word of the persisted inputs, every
word of each task's output tensor, and every word of each progress-record commit (which
alternates between the two copies). Failing "at c" means the power fails just before
access c: accesses 0..c-1 are in NVM, c is not.

The accesses fall into segments that a failure makes the firmware redo from their
start: START (retire record, inputs, first commit; a failure there loses the START
command, which the host sends again) and one per task (its output, then its commit;
after a failure the boot restores and re-executes that task). Failures in different
segments do not interact (each re-execution starts from the same committed state as
the uninterrupted run), so one schedule fails at offset j of every segment at once:
with j = 0, 1, 2, ... every write access is the first failure of exactly one schedule,
and the number of schedules is the longest segment (not W). Each failure is followed
by `depth - 1` more in the re-executions of the same segment (at the first write after
the restore, the same offset again, the commit's first or last word, cycling), and
each is repeated `repeat` times in a row. The firmware's write counter counts the
re-executed accesses too; the host shifts later injection numbers by them.

A schedule passes when its outputs equal the uninterrupted run's (at Q0 with write
faults off, checked against the volatile run), the firmware saw exactly one reboot per
injected failure, executed each task once plus once per failure, and finished within a
bounded time (no endless reboot loop).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from boards import Board

from ..errors import ToolError
from ..target.nvm_device import MAX_INJECT, NvmDevice
from .energy import RECORD_WORDS
from .powerfail import nvm_session, write_inputs

POLL_S = 0.02            # STATUS polls while the firmware resumes (it answers none meanwhile)
START_LOST_S = 0.05      # how long a START whose reset was injected is given to answer


def write_segments(persist: dict) -> list[int]:
    """Write accesses per segment of the uninterrupted inference: START (retire record,
    persisted inputs, first commit), then each task (output tensor, commit)."""
    words = {t["pid"]: t["words"] for t in persist["tensors"]}
    inputs = sum(t["words"] for t in persist["tensors"] if t["producer"] < 0)
    return [2 * RECORD_WORDS + inputs] + [words[p] + RECORD_WORDS for p in persist["task_pid"]]


def segment_offsets(length: int, stride: int, record_first: bool) -> list[int]:
    """Offsets of a segment to fail at: all with stride 1; else every stride-th plus
    every progress-record word (the commit at its end, and the retire record at the
    start of START)."""
    records = set(range(length - RECORD_WORDS, length))
    if record_first:
        records |= set(range(RECORD_WORDS))
    return sorted(set(range(0, length, stride)) | records)


@dataclass
class Plan:
    """One schedule: per segment, the offsets of its successive failed attempts."""
    failures: dict[int, list[int]] = field(default_factory=dict)

    def injections(self, segments: list[int]) -> tuple[list[int], list[int]]:
        """(START attempts to fail, each at its offset; the write-access numbers to fail
        in the START that goes through, re-executed accesses counted)."""
        base = [sum(segments[:k]) for k in range(len(segments))]
        inject, shift = [], 0
        for k in sorted(self.failures):
            if k == 0:
                continue
            for j in self.failures[k]:
                inject.append(base[k] + shift + j)
                shift += j            # the failed attempt's accesses, redone after the reboot
        return list(self.failures.get(0, [])), inject


def plans(segments: list[int], depth: int = 1, repeat: int = 1, stride: int = 1) -> list[Plan]:
    """Schedules in which every chosen offset of every segment is a first failure once."""
    if depth < 1 or repeat < 1 or stride < 1:
        raise ToolError("--depth, --repeat and --stride must be at least 1.")
    if depth * repeat > MAX_INJECT:
        raise ToolError(f"--depth x --repeat is at most {MAX_INJECT} failures per task.")
    offsets = [segment_offsets(n, stride, k == 0) for k, n in enumerate(segments)]
    out = []
    for s in range(max(map(len, offsets))):
        plan = Plan()
        for k, offs in enumerate(offsets):
            if s >= len(offs):
                continue
            j, n = offs[s], segments[k]
            more = [(0, j, n - RECORD_WORDS, n - 1)[(s + k + i) % 4] for i in range(depth - 1)]
            attempts = [x for x in [j, *more] for _ in range(repeat)]
            if k and sum(map(len, plan.failures.values())) + len(attempts) > MAX_INJECT:
                out.append(plan)      # the firmware arms at most MAX_INJECT per START
                plan = Plan()
            plan.failures[k] = attempts
        out.append(plan)
    return out


def failure_points(plan_list: list[Plan], segments: list[int]) -> set[tuple[int, int]]:
    """Distinct (write access of the uninterrupted run, attempt): attempt 0 is the first
    execution of its segment, attempt a the a-th re-execution after failures."""
    base = [sum(segments[:k]) for k in range(len(segments))]
    return {(base[k] + j, a) for p in plan_list for k, offs in p.failures.items()
            for a, j in enumerate(offs)}


@dataclass
class Result:
    schedules: int
    bit_exact: int
    points: int           # distinct failure points (write access, attempt)
    first_points: int     # distinct write accesses failed on a segment's first execution
    writes: int           # W: write accesses of the uninterrupted inference
    failures: int         # power failures injected in all
    seconds: float
    bad: list[str]

    def summary(self) -> str:
        return (f"{self.bit_exact}/{self.schedules} schedules bit-exact, {self.points} distinct "
                f"failure points, {self.seconds:.0f} s")


def _await_status(nd: NvmDevice, deadline: float):
    st = nd.poll_status(POLL_S)
    while st is None or (st.state == "running" and not st.error):
        if time.monotonic() > deadline:
            return st
        # an answer while running means the firmware idles with a running record: resume
        st = nd.run(POLL_S) if st is not None else nd.poll_status(POLL_S)
    return st


def _run_plan(dev, nd: NvmDevice, meta: dict, inputs: list, segments: list[int], plan: Plan,
              inference: int, bound_s: float) -> tuple[list[bytes] | None, str]:
    """One schedule; (outputs, "") if it completed as required, else (None, why)."""
    start_fails, inject = plan.injections(segments)
    for j in start_fails:
        write_inputs(dev, meta, inputs)
        before = nd.status()
        if nd.start(inference, inject=[j], timeout=START_LOST_S):
            return None, f"START answered though the power failed at its access {j}"
        st = _await_status(nd, time.monotonic() + bound_s)
        # inside the retire record: the previous record stands (its NVM is untouched);
        # later: the new inference's idle record (never the old one over new inputs)
        want = ((before.state, before.inference) if j < RECORD_WORDS else ("idle", inference))
        if st is None or (st.state, st.inference) != want:
            return None, f"after a failure at START access {j}: {st}, not {want}"
    write_inputs(dev, meta, inputs)
    nd.start(inference, inject=inject)
    st = nd.run(POLL_S)
    if st is None or st.state == "running":
        st = _await_status(nd, time.monotonic() + bound_s)
    n = len(meta["layers"])
    if st is None or st.state != "done":
        return None, f"not done within {bound_s:.1f} s (reboot loop?): {st}"
    if st.boots != len(inject) or st.tasks_run != n + len(inject):
        return None, (f"{st.boots} reboots and {st.tasks_run} task runs for {len(inject)} "
                      f"failures and {n} tasks")
    return [dev.read_output(i) for i in range(len(meta["outputs"]))], ""


def exhaustive(board: Board, elf: Path, meta: dict, inputs: list, depth: int = 1,
               repeat: int = 1, stride: int = 1, progress=None) -> Result:
    """Fails the power at every (or every stride-th tensor) write access; see the module."""
    if "persist" not in meta:
        raise ToolError("this firmware was built with nvm=none; build it with nvm=mram.")
    segments = write_segments(meta["persist"])
    todo = plans(segments, depth, repeat, stride)
    n = len(meta["layers"])
    t0 = time.monotonic()
    with nvm_session(board, elf) as (dev, nd, _qmp):
        write_inputs(dev, meta, inputs)
        dev.run(0, n)
        volatile = [dev.read_output(i) for i in range(len(meta["outputs"]))]
        c0 = time.monotonic()
        base, why = _run_plan(dev, nd, meta, inputs, segments, Plan(), 1, 300.0)
        wall = time.monotonic() - c0
        if base is None or base != volatile:
            raise ToolError(f"the uninterrupted intermittent run {why or 'differs from the volatile run'}")
        writes = nd.status().words_written
        if writes != sum(segments):
            raise ToolError(f"the firmware made {writes} NVM write accesses, the persistence "
                            f"plan predicts {sum(segments)}")
        ok, bad = 0, []
        for i, plan in enumerate(todo):
            fails = sum(map(len, plan.failures.values()))
            bound = 10.0 + 4 * wall * (1 + fails)
            out, why = _run_plan(dev, nd, meta, inputs, segments, plan, 2 + i, bound)
            if out == base:
                ok += 1
            else:
                bad.append(f"schedule {i} {plan.failures}: {why or 'outputs differ'}")
            if progress:
                progress(i + 1, len(todo), ok)
    pts = failure_points(todo, segments)
    return Result(len(todo), ok, len(pts), len({c for c, a in pts if a == 0}), writes,
                  sum(len(v) for p in todo for v in p.failures.values()),
                  time.monotonic() - t0, bad)


def format_result(r: Result, segments: list[int], depth: int, repeat: int, stride: int) -> str:
    lines = [f"NVM write accesses per uninterrupted inference: {r.writes} (START {segments[0]}, "
             f"tasks {min(segments[1:])}..{max(segments[1:])} incl. {RECORD_WORDS}-word commits)",
             f"first failures at {r.first_points}/{r.writes} write accesses "
             f"({'all' if stride == 1 else f'every {stride}th tensor word, every record word'}), "
             f"depth {depth}, repeat {repeat}: {r.failures} power failures injected"]
    lines += [f"FAILED {b}" for b in r.bad[:20]]
    lines.append(r.summary())
    return "\n".join(lines)
