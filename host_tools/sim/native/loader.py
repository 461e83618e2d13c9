"""Build and load the native engine's shared library (see __init__.py).

It is compiled with the host C compiler (`cc`, or $CC) and -march=native into
build/sim-native/<hash of sources, flags and CPU>/, so a checkout shared by machines with
different CPUs keeps one build per CPU, and concurrent workers never load a half-written
file (built under a temporary name, then renamed).
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from boards import load_board
from boards.toolchain import compile_flags

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CACHE = ROOT / "build" / "sim-native"
SOURCES = ("sim_conv.c", "sim_depthwise.c", "sim_pair.c", "sim_faults.c", "sim_batch.c",
           "sim_requant.h")
KERNELS_C = ROOT / "kernels_c"
# the firmware's kernels sim_batch.c runs, compiled with it; headers they include
KERNEL_SOURCES = ("tp_softmax.c", "tp_reduce.c", "tp_pool.c")
KERNEL_HEADERS = ("tp_softmax.h", "tp_reduce.h", "tp_pool.h", "tp_fixedpoint.h", "tp_requant.h")
FIRMWARE = ROOT / "firmware" / "nvm"
FIRMWARE_SOURCES = ("fault_prng.c", "fault_prng.h")  # compiled into sim_faults.c

P8 = ctypes.POINTER(ctypes.c_int8)
P32 = ctypes.POINTER(ctypes.c_int32)
PU32 = ctypes.POINTER(ctypes.c_uint32)
PF64 = ctypes.POINTER(ctypes.c_double)


class NativeError(Exception):
    """The native engine cannot be built or loaded here (message says why and what to do)."""


def ptr(a: np.ndarray, kind):
    """A ctypes pointer to a contiguous array's data."""
    return a.ctypes.data_as(kind)


def _cpu_id() -> str:
    """What -march=native depends on: the CPU model and its feature flags."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        keep = [l for l in lines if l.startswith(("model name", "flags", "Features", "CPU part"))]
        return "\n".join(sorted(set(keep)))
    except OSError:
        return platform.processor() + platform.machine()


def _compiler() -> str:
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise NativeError(f"no C compiler '{cc}' on PATH for the simulator's native engine. "
                          "Install gcc (apt-get install gcc) or set CC, or run the numpy "
                          "engine (engine='numpy', slower).")
    return cc


def _flags() -> tuple[str, ...]:
    """The simulator build's flags (boards/toolchain.py), with two overrides the tests use
    to build every variant on one host: $TP_SIM_MARCH replaces -march=native (e.g.
    x86-64-v3: AVX2 without AVX-512), and $TP_SIM_PORTABLE=1 leaves out every SIMD
    convolution."""
    march = os.environ.get("TP_SIM_MARCH")
    flags = tuple(f"-march={march}" if march and f == "-march=native" else f
                  for f in compile_flags(load_board("host"), "O3", build="simulator"))
    return flags + (("-DTP_SIM_PORTABLE",) if os.environ.get("TP_SIM_PORTABLE") == "1" else ())


def library_path() -> Path:
    """The built library for this host, compiling it if it is not there yet."""
    cc = _compiler()
    flags = _flags()
    key = hashlib.sha256()
    for path in ([HERE / n for n in SOURCES] + [FIRMWARE / n for n in FIRMWARE_SOURCES]
                 + [KERNELS_C / n for n in KERNEL_SOURCES + KERNEL_HEADERS]):
        key.update(path.read_bytes())
    key.update(" ".join((cc,) + flags).encode() + _cpu_id().encode())
    out = CACHE / key.hexdigest()[:16] / "libtpsim.so"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=out.parent)
    os.close(fd)
    cmd = [cc, *flags, "-o", tmp,
           *(str(HERE / s) for s in SOURCES if s.endswith(".c")),
           *(str(KERNELS_C / s) for s in KERNEL_SOURCES)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        os.unlink(tmp)
        raise NativeError(f"building the simulator's native engine failed ({' '.join(cmd)}):\n"
                          f"{done.stderr.strip()}\nRun the numpy engine (engine='numpy') "
                          "or fix the compiler set-up.")
    os.replace(tmp, out)
    return out


_LIB: ctypes.CDLL | None = None
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # glibc malloc.h
_MMAP_MAX = 32 << 20  # glibc's largest mmap threshold on 64-bit hosts


def _keep_heap() -> None:
    """Every layer of every batch writes fresh activation arrays of up to a few MB. By
    default glibc maps each from the kernel and unmaps it when freed, so every batch pays
    page faults on all its activations (measured here: a quarter of MobileNetV1's time).
    Keeping freed memory in the heap lets the next batch reuse it. Process-wide, glibc
    only; elsewhere nothing changes."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, _MMAP_MAX)
    mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    mallopt(_M_TOP_PAD, 64 << 20)


def library() -> ctypes.CDLL:
    """The loaded library (built on first use); raises NativeError if it cannot be."""
    global _LIB
    if _LIB is None:
        lib = ctypes.CDLL(str(library_path()))
        lib.tp_sim_conv_kind.restype = ctypes.c_int
        _keep_heap()
        _LIB = lib
    return _LIB


def function(name: str, argtypes: list, restype=ctypes.c_int):
    """A function of the library with its ctypes signature set."""
    f = getattr(library(), name)
    f.argtypes, f.restype = argtypes, restype
    return f


def enabled() -> bool:
    """Whether callers outside a Simulator (host_tools/intermittent/faults.py) should use the library:
    not when $TP_SIM_ENGINE is numpy, nor where it cannot be built (Simulator warns)."""
    if os.environ.get("TP_SIM_ENGINE") == "numpy":
        return False
    try:
        library()
    except NativeError:
        return False
    return True


CONV_KINDS = {2: "vnni", 1: "avx2", 0: None}  # sim_conv.c TP_SIM_KIND


def conv_kind() -> str | None:
    """How the built library multiplies convolutions: "vnni" (AVX-512 VNNI), "avx2", or
    None, where the simulator runs convolutions in numpy (BLAS beats portable C loops)."""
    return CONV_KINDS[library().tp_sim_conv_kind()]
