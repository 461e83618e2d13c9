"""Mutated real models (tests/support/fuzz_models.py): every case compiles or ends in exactly
one `error:` line, no traceback, no hang and nothing half-written in --out. A fixed set of
corruptions checks the message each one gets; a deterministic hypothesis run covers random
mutations in-process; a few go through `python -m codegen` and SCons as a user runs them.
The long campaign: `python -m tests.support.fuzz_models --count 10000 --seed 1`."""
from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.support.fuzz_models import FUZZ_MODELS, _model, _write, mutate, run_case
from tests.support.paths import REPO_ROOT, SHARED_MODELS_DIR

SMALL = [p for p in FUZZ_MODELS if p.stat().st_size < 80_000]  # the quick ones to compile
DSCNN = SHARED_MODELS_DIR / "dscnn_kws_int8.tflite"


def edited(path: Path, *edits: tuple[str, object]) -> bytes:
    """The model with fields (by their fuzz label, e.g. 'op 3 inputs[0]') set to values;
    a value 'tensor:<label>' copies another field's value."""
    original, fields = _model(path)
    buf = bytearray(original)
    by_label = {f.label: f for f in fields.fields}
    for label, value in edits:
        if isinstance(value, str):
            src = by_label[value]
            value = int.from_bytes(original[src.offset:src.offset + 4], "little", signed=True)
        _write(buf, by_label[label], value)
    return bytes(buf)


def _alarm(signum, frame):
    raise TimeoutError("case ran over its time limit (a hang)")


def judged(data: bytes, work: Path, seconds: int = 30):
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        return run_case(data, work)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# corruption -> words the one error line must contain
FIXED = {
    "op input out of range": ((("op 2 inputs[0]", 65535),), "refers to tensor 65535"),
    "op input -1 where required": ((("op 2 inputs[0]", -1),), "required input 0"),
    "op output out of range": ((("op 2 outputs[0]", -5),), "refers to tensor -5"),
    "op reads its own output": ((("op 2 inputs[0]", "op 2 outputs[0]"),), "its own output"),
    "op reads a later output": ((("op 2 inputs[0]", "op 5 outputs[0]"),), "produced later"),
    "two producers": ((("op 5 outputs[0]", "op 2 outputs[0]"),), "layer 2 already writes"),
    "input is output": ((("subgraph outputs[0]", "subgraph inputs[0]"),),
                        "both a model input and a model output"),
    "subgraph input out of range": ((("subgraph inputs[0]", 999),), "input refers to tensor 999"),
    "no operators": ((("operators length", 0),), "never produced"),
    "no tensors": ((("tensors length", 0),), "the model has no tensors"),
    "no subgraph": ((("subgraphs length", 0),), "no subgraph"),
    "missing buffers": ((("buffers length", 3),), "but the model has 3 buffers"),
    "opcode index out of range": ((("op 1 opcode_index", 200),), "operator code 200"),
    "negative shape": ((("tensor 0 shape[1]", -4),), "invalid shape"),
    "huge shape": ((("tensor 0 shape[1]", 2**31 - 1),), "invalid shape"),
    "huge tensor": ((("tensor 0 shape[1]", 1 << 20), ("tensor 0 shape[2]", 1 << 20)),
                    "elements"),
    "const shape vs data": ((("tensor 1 shape[0]", 3),), "buffer holds"),
    "zero scale": ((("tensor 0 scale[0]", 0.0),), "quantization scale"),
    "NaN scale": ((("tensor 0 scale[0]", float("nan")),), "quantization scale"),
    "scales vs zero points": ((("tensor 0 scale length", 2),), "zero points"),
    "scales vs channels": ((("tensor 5 scale length", 3), ("tensor 5 zero_point length", 3)),
                           "per-channel scales"),
    "quantized dimension": ((("tensor 5 quantized_dimension", 9),), "quantized along axis 9"),
    "zero point range": ((("tensor 0 zero_point[0]", 300),), "zero point outside"),
    "zero stride": ((("op 0 option stride_h", 0),), "stride_h = 0"),
    "unknown activation": ((("op 0 option fused_activation_function", 9),),
                           "unknown fused_activation_function"),
    "buffer index": ((("tensor 1 buffer", 10**6),), "refers to buffer 1000000"),
}


@pytest.mark.parametrize("name", FIXED)
def test_fixed_corruption(name, tmp_path):
    edits, words = FIXED[name]
    outcome = judged(edited(DSCNN, *edits), tmp_path)
    assert outcome.kind == "error", outcome.detail
    assert words in outcome.detail, outcome.detail


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(rng=st.randoms(use_true_random=False))
def test_random_mutations(rng, tmp_path_factory):
    case = mutate(rng, SMALL)
    outcome = judged(case.data, tmp_path_factory.mktemp("case"))
    assert outcome.kind in ("compiled", "error"), "\n".join(case.mutations) + "\n" + outcome.detail


def _cli(model: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "codegen", str(model), "--out", str(out)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def _one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0 and "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


@pytest.mark.parametrize("name", ["op reads its own output", "zero scale", "missing buffers"])
def test_cli(name, tmp_path):
    edits, words = FIXED[name]
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(edited(DSCNN, *edits))
    assert words in _one_error_line(_cli(bad, tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_cli_random(tmp_path):
    for n in range(4):  # whatever the outcome, it is files or one line
        case = mutate(random.Random(f"cli-{n}"), SMALL)
        bad = tmp_path / f"bad{n}.tflite"
        bad.write_bytes(case.data)
        proc = _cli(bad, tmp_path / f"out{n}")
        if proc.returncode == 0:
            assert sorted(p.name for p in (tmp_path / f"out{n}").iterdir()) == [
                "model.c", "model.h", "model.json"]
        else:
            _one_error_line(proc)
            assert not (tmp_path / f"out{n}").exists()


@pytest.mark.parametrize("name", ["op input out of range", "scales vs zero points"])
def test_scons(name, tmp_path):
    edits, words = FIXED[name]
    stem = f"fuzz_{name.replace(' ', '_')}"
    bad = tmp_path / f"{stem}.tflite"
    bad.write_bytes(edited(DSCNN, *edits))
    build = REPO_ROOT / "build" / "host" / stem
    try:
        proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", "board=host", f"model={bad}"],
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
        errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
        assert proc.returncode != 0 and "Traceback" not in proc.stdout + proc.stderr, proc.stderr
        assert len(errors) == 1 and words in errors[0], proc.stderr
        assert not (build / "gen" / "model.c").exists()
    finally:
        shutil.rmtree(build, ignore_errors=True)


@pytest.mark.parametrize("case", ["1-6787",   # a corrupt name length: newlines in the name
                                  "9-631"])   # a tensor without a name
def test_campaign_findings(case, tmp_path):
    """Cases the long campaign found (`<seed>-<i>`), replayed."""
    mutated = mutate(random.Random(case))
    outcome = judged(mutated.data, tmp_path)
    assert outcome.kind == "error", "\n".join(mutated.mutations) + "\n" + outcome.detail
