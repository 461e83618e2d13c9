"""Structured fuzzing of the model reader and compiler with mutated real .tflite files.

A mutation edits a real flatbuffer in place: raw byte flips, truncation, or a field found
through the same flatbuffer tables the reader walks (tensor / buffer / opcode indices,
shapes, scales, zero points, quantized dimensions, vector lengths, operator options),
including the structural ones: an op reading its own output or a later op's, a subgraph
input that is also an output, no operators, no tensors, missing buffers.

Every case must end in files (exit 0, model.c / model.h / model.json) or in exactly one
`error:` line on stderr and nothing in --out, within a time limit.

    python -m tests.support.fuzz_models --count 10000 --seed 1 --out build/fuzz

runs a campaign in worker processes (each case under a watchdog and a memory limit),
saves every failing input with its mutation list in --out and prints
`<n> models: <t> tracebacks, <h> hangs (> <s> s), <e> errors, <ok> compiled`.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import math
import multiprocessing as mp
import random
import struct
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

import flatbuffers
import tflite

from tests.support.paths import OWN_MODELS, SHARED_MODELS

# Small real models first: the in-suite subset uses these (fast to compile).
FUZZ_MODELS = sorted(SHARED_MODELS + OWN_MODELS, key=lambda p: p.stat().st_size)

# vtable slots of the TFLite schema fields (fixed by the schema, never renumbered)
_MODEL_OPCODES, _MODEL_SUBGRAPHS, _MODEL_BUFFERS = 6, 8, 12
_SG_TENSORS, _SG_INPUTS, _SG_OUTPUTS, _SG_OPERATORS = 4, 6, 8, 10
_T_SHAPE, _T_TYPE, _T_BUFFER, _T_QUANT = 4, 6, 8, 12
_Q_SCALE, _Q_ZERO_POINT, _Q_DIM = 8, 10, 16
_OP_OPCODE, _OP_INPUTS, _OP_OUTPUTS, _OP_OPTIONS = 4, 6, 8, 12
_OC_DEPRECATED, _OC_BUILTIN = 4, 10


@dataclass(frozen=True)
class Field:
    """One scalar in the buffer: where it is, its struct format and what it means."""
    kind: str      # tensor_ref, vec_len, shape, buffer, type, scale, zero_point, qdim, opcode, code, option
    offset: int
    fmt: str       # struct format, little-endian
    label: str


class _Fields:
    """Every editable scalar of a model, found by walking its flatbuffer tables."""

    def __init__(self, buf: bytes):
        self.buf = buf
        self.fields: list[Field] = []
        self.op_io: list[tuple[list[Field], list[Field]]] = []   # per op: input, output refs
        self.sg_inputs: list[Field] = []
        self.sg_outputs: list[Field] = []
        self.lengths: dict[str, Field] = {}
        model = tflite.Model.GetRootAsModel(buf, 0)
        self.n_tensors = 0
        self.n_buffers = model.BuffersLength()
        self.n_opcodes = model.OperatorCodesLength()
        self._vector_len(model._tab, _MODEL_BUFFERS, "buffers")
        self._vector_len(model._tab, _MODEL_SUBGRAPHS, "subgraphs")
        self._vector_len(model._tab, _MODEL_OPCODES, "operator_codes")
        for i in range(self.n_opcodes):
            tab = model.OperatorCodes(i)._tab
            self._scalar(tab, _OC_DEPRECATED, "code", "<b", f"opcode {i} deprecated_builtin_code")
            self._scalar(tab, _OC_BUILTIN, "code", "<i", f"opcode {i} builtin_code")
        if model.SubgraphsLength() < 1:
            return
        sg = model.Subgraphs(0)
        self.n_tensors = sg.TensorsLength()
        self._vector_len(sg._tab, _SG_TENSORS, "tensors")
        self._vector_len(sg._tab, _SG_OPERATORS, "operators")
        self.sg_inputs = self._vector(sg._tab, _SG_INPUTS, "tensor_ref", "<i", "subgraph inputs")
        self.sg_outputs = self._vector(sg._tab, _SG_OUTPUTS, "tensor_ref", "<i", "subgraph outputs")
        for i in range(self.n_tensors):
            t = sg.Tensors(i)
            self._vector(t._tab, _T_SHAPE, "shape", "<i", f"tensor {i} shape")
            self._scalar(t._tab, _T_TYPE, "type", "<b", f"tensor {i} type")
            self._scalar(t._tab, _T_BUFFER, "buffer", "<I", f"tensor {i} buffer")
            q = t.Quantization()
            if q is not None:
                self._vector(q._tab, _Q_SCALE, "scale", "<f", f"tensor {i} scale")
                self._vector(q._tab, _Q_ZERO_POINT, "zero_point", "<q", f"tensor {i} zero_point")
                self._scalar(q._tab, _Q_DIM, "qdim", "<i", f"tensor {i} quantized_dimension")
        for i in range(sg.OperatorsLength()):
            op = sg.Operators(i)
            self._scalar(op._tab, _OP_OPCODE, "opcode", "<I", f"op {i} opcode_index")
            ins = self._vector(op._tab, _OP_INPUTS, "tensor_ref", "<i", f"op {i} inputs")
            outs = self._vector(op._tab, _OP_OUTPUTS, "tensor_ref", "<i", f"op {i} outputs")
            self.op_io.append((ins, outs))
            self._options(model, op, i)

    def _add(self, field: Field) -> Field:
        self.fields.append(field)
        return field

    def _scalar(self, tab: flatbuffers.table.Table, slot: int, kind: str, fmt: str, label: str) -> None:
        o = tab.Offset(slot)
        if o:  # a field left at its default is not in the buffer: nothing to edit in place
            self._add(Field(kind, tab.Pos + o, fmt, label))

    def _vector(self, tab: flatbuffers.table.Table, slot: int, kind: str, fmt: str,
                label: str) -> list[Field]:
        o = tab.Offset(slot)
        if not o:
            return []
        start, n = tab.Vector(o), tab.VectorLen(o)
        self._add(Field("vec_len", start - 4, "<I", f"{label} length"))
        size = struct.calcsize(fmt)
        return [self._add(Field(kind, start + j * size, fmt, f"{label}[{j}]")) for j in range(n)]

    def _vector_len(self, tab: flatbuffers.table.Table, slot: int, name: str) -> None:
        o = tab.Offset(slot)
        if o:
            self.lengths[name] = self._add(Field("vec_len", tab.Vector(o) - 4, "<I", f"{name} length"))

    def _options(self, model: tflite.Model, op: tflite.Operator, index: int) -> None:
        """Operator options (strides, paddings, filter sizes, axes, ...): every field the
        reader asks for, found by recording where the generated getter reads it."""
        from codegen.reader import _OPTION_FIELDS
        from tflite.utils import BUILTIN_OPCODE2NAME
        code = model.OperatorCodes(op.OpcodeIndex())
        kind = BUILTIN_OPCODE2NAME.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()))
        table = op.BuiltinOptions()
        if kind not in _OPTION_FIELDS or table is None:
            return
        cls, getters = _OPTION_FIELDS[kind]
        opt = cls()
        opt.Init(table.Bytes, table.Pos)
        opt._tab = _RecordingTable(table.Bytes, table.Pos)
        seen = opt._tab.seen
        for getter, key, _ in getters:
            seen.clear()
            getattr(opt, getter)()
            if seen:
                flags, off = seen[0]
                self._add(Field("option", off, "<" + flags.packer_type.format.lstrip("<"),
                                f"op {index} option {key}"))


class _RecordingTable(flatbuffers.table.Table):
    """A table that remembers where each scalar it returns was read."""

    def __init__(self, buf: bytes, pos: int):
        super().__init__(buf, pos)
        self.seen: list[tuple[object, int]] = []

    def Get(self, flags, off):  # noqa: N802 (the flatbuffers name)
        if flags not in (flatbuffers.number_types.SOffsetTFlags,
                         flatbuffers.number_types.VOffsetTFlags):  # not the vtable look-up
            self.seen.append((flags, off))
        return super().Get(flags, off)


@dataclass
class Case:
    data: bytes
    mutations: list[str]


_INT_EDGES = [-1, 0, 1, 2, 3, 7, 127, 128, 255, 256, 65535, 2**31 - 1, -(2**31), 2**30, -7]
_FLOAT_EDGES = [0.0, -0.0, math.nan, math.inf, -math.inf, -1.0, 1e-45, 1e-38, 3.4e38, 1e-12, 1e12]


def _fit(fmt: str, value):
    """Clamp an integer to the range of a struct format (float formats take any float)."""
    if fmt[-1] in "fd":
        return float(value)
    bits = struct.calcsize(fmt) * 8
    lo, hi = (0, 2**bits - 1) if fmt[-1].isupper() else (-(2**(bits - 1)), 2**(bits - 1) - 1)
    return min(max(int(value), lo), hi)


def _read(buf: bytearray, f: Field):
    return struct.unpack_from(f.fmt, buf, f.offset)[0]


def _write(buf: bytearray, f: Field, value) -> str:
    value = _fit(f.fmt, value)
    struct.pack_into(f.fmt, buf, f.offset, value)
    return f"{f.label} = {value}"


def _int_value(rng: random.Random, f: Field, fields: _Fields, old: int) -> int:
    limit = {"tensor_ref": fields.n_tensors, "buffer": fields.n_buffers,
             "opcode": fields.n_opcodes}.get(f.kind)
    choices = list(_INT_EDGES) + [old + 1, old - 1, old * 2, -old, rng.randrange(-1000, 1000)]
    if limit is not None:
        choices += [limit, limit + 1, rng.randrange(max(limit, 1))]
    return rng.choice(choices)


def _field_mutation(rng: random.Random, buf: bytearray, fields: _Fields) -> str:
    kinds = sorted({f.kind for f in fields.fields})
    kind = rng.choice(kinds)  # pick the kind first: shapes and scales are not drowned by vectors
    f = rng.choice([f for f in fields.fields if f.kind == kind])
    old = _read(buf, f)
    if f.fmt[-1] == "f":
        return _write(buf, f, rng.choice(_FLOAT_EDGES + [old * rng.choice([-1, 2, 1e-6, 1e6])]))
    return _write(buf, f, _int_value(rng, f, fields, old))


def _structural_mutation(rng: random.Random, buf: bytearray, fields: _Fields) -> str | None:
    what = rng.choice(["cycle_self", "cycle_later", "input_is_output", "no_operators",
                       "no_tensors", "missing_buffers", "quant_lengths", "duplicate_output",
                       "no_subgraph", "no_opcodes"])
    ops = [io for io in fields.op_io if io[0] and io[1]]
    if what == "cycle_self" and ops:
        ins, outs = rng.choice(ops)
        return "cycle: " + _write(buf, rng.choice(ins), _read(buf, rng.choice(outs)))
    if what == "cycle_later" and len(ops) > 1:
        i = rng.randrange(len(ops) - 1)
        later = rng.choice(ops[i + 1:])[1]
        return "cycle: " + _write(buf, rng.choice(ops[i][0]), _read(buf, rng.choice(later)))
    if what == "duplicate_output" and len(ops) > 1:
        a, b = rng.sample(ops, 2)
        return "two producers: " + _write(buf, rng.choice(a[1]), _read(buf, rng.choice(b[1])))
    if what == "input_is_output" and fields.sg_inputs and fields.sg_outputs:
        return _write(buf, rng.choice(fields.sg_outputs), _read(buf, rng.choice(fields.sg_inputs)))
    names = {"no_operators": "operators", "no_tensors": "tensors", "no_subgraph": "subgraphs",
             "missing_buffers": "buffers", "no_opcodes": "operator_codes"}
    if what in names and names[what] in fields.lengths:
        f = fields.lengths[names[what]]
        value = rng.randrange(_read(buf, f)) if what == "missing_buffers" else 0
        return _write(buf, f, value)
    if what == "quant_lengths":
        quant = [f for f in fields.fields if f.kind == "vec_len" and
                 ("scale" in f.label or "zero_point" in f.label)]
        if quant:
            f = rng.choice(quant)
            return "quant length: " + _write(buf, f, _read(buf, f) + rng.choice([-1, 1, 2, -2]))
    return None


def _raw_mutation(rng: random.Random, buf: bytearray) -> str:
    what = rng.choice(["flip", "bytes", "truncate"])
    if what == "flip":
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
        return f"bit flip at byte {i}"
    if what == "bytes":
        i = rng.randrange(len(buf))
        n = min(rng.choice([1, 2, 4, 8, 16]), len(buf) - i)
        buf[i:i + n] = bytes(rng.choice([0x00, 0xff, rng.randrange(256)]) for _ in range(n))
        return f"{n} bytes at {i} overwritten"
    n = rng.randrange(len(buf))
    del buf[n:]
    return f"truncated to {n} bytes"


_FIELD_CACHE: dict[Path, tuple[bytes, _Fields]] = {}


def _model(path: Path) -> tuple[bytes, _Fields]:
    if path not in _FIELD_CACHE:
        buf = path.read_bytes()
        _FIELD_CACHE[path] = (buf, _Fields(buf))
    return _FIELD_CACHE[path]


def mutate(rng: random.Random, models: list[Path] = FUZZ_MODELS) -> Case:
    """One fuzz case: a real model with 1-3 mutations (mostly structured ones)."""
    path = rng.choice(models)
    original, fields = _model(path)
    buf = bytearray(original)
    done = [path.name]
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        r = rng.random()
        if r < 0.15:
            done.append(_raw_mutation(rng, buf))
            if len(buf) < len(original):  # offsets beyond a truncation no longer exist
                break
        elif r < 0.4:
            done.append(_structural_mutation(rng, buf, fields) or _field_mutation(rng, buf, fields))
        else:
            done.append(_field_mutation(rng, buf, fields))
    return Case(bytes(buf), done)


@dataclass
class Outcome:
    kind: str     # "compiled", "error", "traceback" (anything but files or one error: line)
    detail: str


def run_case(data: bytes, work: Path) -> Outcome:
    """Compile `data` through `python -m codegen`'s main in this process and judge the result."""
    from codegen.__main__ import main
    model, out = work / "fuzz.tflite", work / "out"
    model.write_bytes(data)
    err, stdout = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(stdout):
            try:
                rc = main([str(model), "--out", str(out)])
            except SystemExit as stop:  # an argument check: its one error: line, then exit
                rc = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - whatever escapes main is the bug we look for
        return Outcome("traceback", traceback.format_exc())
    return judge(rc, err.getvalue(), out)


def judge(rc: int, stderr: str, out: Path) -> Outcome:
    written = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    errors = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    if "Traceback" in stderr or "internal compiler error" in stderr:
        return Outcome("traceback", stderr)
    if rc == 0:
        if written == ["model.c", "model.h", "model.json"] and not errors:
            return Outcome("compiled", "")
        return Outcome("traceback", f"exit 0 but files {written}, stderr {stderr!r}")
    if len(errors) != 1 or len(stderr.strip().splitlines()) != 1:
        return Outcome("traceback", f"exit {rc}, not one error: line: {stderr!r}")
    if written:
        return Outcome("traceback", f"error but files left in --out: {written}: {errors[0]}")
    return Outcome("error", errors[0])


# -- campaign: worker processes under a watchdog ---------------------------------------------

def _worker(conn, memory_limit: int) -> None:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    import codegen.__main__  # noqa: F401 (imported once, before the clock of the first case)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        n = 0
        while True:
            data = conn.recv()
            if data is None:
                return
            work = Path(tmp) / str(n)
            work.mkdir()
            outcome = run_case(data, work)
            conn.send((outcome.kind, outcome.detail))
            n += 1


class _Pool:
    """Long-lived workers; a case that runs past the timeout kills its worker (a hang)."""

    def __init__(self, jobs: int, memory_limit: int):
        self.memory_limit = memory_limit
        self.ctx = mp.get_context("fork")
        self.workers = [self._start() for _ in range(jobs)]

    def _start(self):
        parent, child = self.ctx.Pipe()
        p = self.ctx.Process(target=_worker, args=(child, self.memory_limit), daemon=True)
        p.start()
        return p, parent

    def replace(self, i: int) -> None:
        p, conn = self.workers[i]
        p.kill()
        p.join()
        conn.close()
        self.workers[i] = self._start()

    def close(self) -> None:
        for p, conn in self.workers:
            with contextlib.suppress(OSError):
                conn.send(None)
            p.join(5)
            if p.is_alive():
                p.kill()


def campaign(count: int, seed: int, out: Path, jobs: int = 2, timeout: float = 60.0,
             memory_limit: int = 2 << 30, progress: bool = True) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    counts = {"traceback": 0, "hang": 0, "error": 0, "compiled": 0}
    pool = _Pool(jobs, memory_limit)
    running: dict[int, tuple[int, Case, float]] = {}   # worker -> (case number, case, started)
    next_case = 0

    def save(n: int, case: Case, kind: str, detail: str) -> None:
        stem = out / f"{kind}-{seed}-{n}"
        stem.with_suffix(".tflite").write_bytes(case.data)
        stem.with_suffix(".txt").write_text("\n".join(case.mutations) + "\n\n" + detail)

    def submit(w: int) -> None:
        nonlocal next_case
        if next_case < count:
            case = mutate(random.Random(f"{seed}-{next_case}"))
            pool.workers[w][1].send(case.data)
            running[w] = (next_case, case, time.monotonic())
            next_case += 1

    try:
        for w in range(jobs):
            submit(w)
        done = 0
        while running:
            now = time.monotonic()
            first_deadline = min(started + timeout for _, _, started in running.values())
            ready = wait([pool.workers[w][1] for w in running], max(0.0, first_deadline - now))
            for w in list(running):
                n, case, started = running[w]
                conn = pool.workers[w][1]
                if conn in ready:
                    try:
                        kind, detail = conn.recv()
                    except EOFError:  # the worker died (out of memory killed, crashed)
                        kind, detail = "traceback", "worker process died"
                        pool.replace(w)
                elif time.monotonic() - started > timeout:
                    kind, detail = "hang", f"no result after {timeout:.0f} s"
                    pool.replace(w)
                else:
                    continue
                counts[kind] += 1
                if kind in ("traceback", "hang"):
                    save(n, case, kind, detail)
                del running[w]
                done += 1
                if progress and done % 500 == 0:
                    print(f"{done} / {count} ...", counts, flush=True)
                submit(w)
    finally:
        pool.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.support.fuzz_models", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000, help="number of mutated models")
    ap.add_argument("--seed", type=int, default=1, help="campaign seed (case i uses '<seed>-<i>')")
    ap.add_argument("--out", type=Path, default=Path("build/fuzz"), help="failing inputs go here")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a case is a hang")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    c = campaign(args.count, args.seed, args.out, args.jobs, args.timeout)
    elapsed = time.monotonic() - t0
    print(f"{args.count} models: {c['traceback']} tracebacks, {c['hang']} hangs "
          f"(> {args.timeout:.0f} s), {c['error']} errors, {c['compiled']} compiled "
          f"in {elapsed:.0f} s" + (f"; failing inputs in {args.out}" if c['traceback'] + c['hang'] else ""))
    return 1 if c["traceback"] or c["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
