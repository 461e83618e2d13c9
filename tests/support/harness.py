"""Compile a model with the code generator, run it natively with host gcc, compare with TFLite."""
from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from boards import load_board
from boards.toolchain import compile_flags
from codegen.compile import compile_model
from codegen.emit import emit_model
from codegen.generate import write_outputs
from codegen.lowering import Target
from codegen.memoptions import MemoryOptions
from host_tools.reference.golden import default_inputs, reference_tensors
from tests.support.paths import REPO_ROOT as ROOT
KERNELS = ROOT / "kernels_c"
CFLAGS = compile_flags(load_board("host"), "O1", build="test")
HOST = Target(cpu="host", dsp=False, fpu=True)
# selects the DSP kernel variants; on the host they run on portable intrinsics
HOST_DSP = Target(cpu="host", dsp=True, fpu=True)


def _kernel_lib() -> Path:
    """Kernels compiled once per source state into a static library (cached in /tmp)."""
    sources = sorted(KERNELS.glob("*.c"))
    digest = hashlib.sha256()
    for p in sorted(KERNELS.glob("*.[ch]")):
        digest.update(p.name.encode() + p.read_bytes())
    digest.update(" ".join(CFLAGS).encode())
    cache = Path(tempfile.gettempdir()) / f"tp_kernels_{digest.hexdigest()[:16]}"
    lib = cache / "libtpkernels.a"
    if not lib.exists():
        cache.mkdir(parents=True, exist_ok=True)
        # private build dir: parallel test workers may build the same library at once
        work = Path(tempfile.mkdtemp(dir=cache))
        objs = []
        for src in sources:
            obj = work / (src.stem + ".o")
            subprocess.run(["gcc", *CFLAGS, "-I", str(KERNELS), "-c", str(src), "-o", str(obj)],
                           check=True)
            objs.append(str(obj))
        subprocess.run(["ar", "rcs", str(work / "lib.a"), *objs], check=True)
        (work / "lib.a").replace(lib)  # atomic: readers see the old or the whole new file
    return lib


def build_host(model_path: str | Path, workdir: Path, target: Target = HOST,
               options: MemoryOptions = MemoryOptions()) -> tuple[Path, dict]:
    """Generate + compile; returns (executable, model.json metadata)."""
    gen = workdir / "gen"
    write_outputs(emit_model(compile_model(model_path, target, options), Path(model_path).name), gen)
    exe = workdir / "model_host"
    subprocess.run(["gcc", *CFLAGS, "-I", str(gen),
                    str(gen / "model.c"), str(ROOT / "tests/support/host_driver.c"),
                    str(_kernel_lib()), "-lm", "-o", str(exe)], check=True)
    return exe, json.loads((gen / "model.json").read_text())


def _np_dtype(name: str) -> np.dtype:
    return np.dtype({"float32": np.float32}.get(name, name))


def compile_and_run_host(model_path: str | Path, inputs: list[np.ndarray] | None,
                         workdir: Path, options: MemoryOptions = MemoryOptions(),
                         target: Target = HOST) -> dict[int, np.ndarray]:
    """Every layer output (and the model outputs) keyed by TFLite tensor index."""
    workdir = Path(workdir)
    exe, meta = build_host(model_path, workdir, target, options=options)
    if inputs is None:
        inputs = default_inputs(meta["inputs"])
    files = []
    for i, (m, x) in enumerate(zip(meta["inputs"], inputs)):
        f = workdir / f"in{i}.bin"
        f.write_bytes(np.asarray(x, dtype=_np_dtype(m["dtype"])).tobytes())
        files.append(str(f))
    out = workdir / "layers.bin"
    subprocess.run([str(exe), str(out), *files], check=True)
    raw = out.read_bytes()
    result: dict[int, np.ndarray] = {}
    pos = 0
    for t in [layer["output"] for layer in meta["layers"]] + meta["outputs"]:
        n = t["bytes"]
        result[t["tensor"]] = np.frombuffer(raw[pos:pos + n], dtype=_np_dtype(t["dtype"])).reshape(t["shape"])
        pos += n
    return result


def assert_bit_exact(model_path: str | Path, inputs: list[np.ndarray] | None, workdir: Path,
                     options: MemoryOptions = MemoryOptions(), target: Target = HOST) -> int:
    """Compare every layer with TFLite's reference; returns the number of layers checked."""
    workdir = Path(workdir)
    got = compile_and_run_host(model_path, inputs, workdir, options, target)
    meta = json.loads((workdir / "gen" / "model.json").read_text())
    if inputs is None:
        inputs = default_inputs(meta["inputs"])
    ref = reference_tensors(model_path, inputs)
    for layer in meta["layers"]:
        t = layer["output"]["tensor"]
        _compare(ref[t], got[t], f"layer {layer['index']} ({layer['op']}, TFLite op "
                                 f"{layer['tflite_op']}, tensor {t} '{layer['output']['name']}')")
    for o in meta["outputs"]:
        _compare(ref[o["tensor"]], got[o["tensor"]], f"model output tensor {o['tensor']}")
    return len(meta["layers"])


def _compare(expected: np.ndarray, actual: np.ndarray, what: str) -> None:
    expected = expected.reshape(actual.shape)
    if expected.dtype != actual.dtype:
        raise AssertionError(f"{what}: dtype {actual.dtype}, expected {expected.dtype}")
    if expected.tobytes() != actual.tobytes():
        diff = expected.astype(np.float64) - actual.astype(np.float64)
        bad = np.flatnonzero(np.abs(diff.reshape(-1)) > 0)
        raise AssertionError(f"{what}: {bad.size}/{expected.size} values differ, max |diff| "
                             f"{np.abs(diff).max()}, first at flat index {bad[0]} "
                             f"(expected {expected.reshape(-1)[bad[0]]}, got {actual.reshape(-1)[bad[0]]})")
