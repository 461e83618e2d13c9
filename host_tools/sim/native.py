"""The simulator's native engine: its convolutions in C, built for this host on first use.

The numpy kernels (kernels.py) spend most of their time outside the matrix products:
gathering windows, requantising, converting types. sim_conv.c and sim_depthwise.c do a
whole layer over a whole batch in one call, with the products in AVX-512 VNNI where the
host has it, so the simulator's throughput is what the CPU can do rather than numpy's
per-pass overhead. Results are identical to the numpy kernels (tests/test_sim_native.py).

The library is compiled with the host C compiler (`cc`, or $CC) and -march=native into
build/sim-native/<hash of sources, flags and CPU>/, so a shared checkout used by
machines with different CPUs keeps one build per CPU. Without a compiler the simulator
falls back to the numpy kernels (Simulator(engine="auto")).
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
from typing import Callable

import numpy as np

from codegen.lowering import ConstArray

from . import kernels

SOURCES = ("sim_conv.c", "sim_depthwise.c", "sim_pair.c", "sim_faults.c", "sim_batch.c",
           "sim_requant.h")
KERNELS_C = Path(__file__).resolve().parents[2] / "kernels_c"
# the firmware's kernels sim_batch.c runs, compiled with it; headers they include
KERNEL_SOURCES = ("tp_softmax.c", "tp_reduce.c", "tp_pool.c")
KERNEL_HEADERS = ("tp_softmax.h", "tp_reduce.h", "tp_pool.h", "tp_fixedpoint.h", "tp_requant.h")
FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
FIRMWARE_SOURCES = ("fault_prng.c", "fault_prng.h")  # compiled into sim_faults.c
# -fno-trapping-math / -fno-math-errno let floor() vectorise; no result changes (no reassociation)
FLAGS = ("-O3", "-march=native", "-fno-trapping-math", "-fno-math-errno", "-shared", "-fPIC",
         "-fno-semantic-interposition",  # lets fault_prng.c's hash inline into sim_faults.c
         "-std=c11", "-Wall", "-Werror")
LANES = 16     # output channels per packed block (sim_conv.c TP_SIM_LANES)
MAX_RUNS = 64  # runs per window (sim_conv.c TP_SIM_MAX_RUNS), taps per filter row
               # (sim_depthwise.c TP_SIM_DW_MAX_K)
HERE = Path(__file__).resolve().parent / "native"
CACHE = Path(__file__).resolve().parents[2] / "build" / "sim-native"

Kernel = Callable[[dict, list[np.ndarray]], None]
_P8 = ctypes.POINTER(ctypes.c_int8)
_P32 = ctypes.POINTER(ctypes.c_int32)


class NativeError(Exception):
    """The native engine cannot be built or loaded here (message says why and what to do)."""


_PF64 = ctypes.POINTER(ctypes.c_double)
_PU32 = ctypes.POINTER(ctypes.c_uint32)


class FaultRate(ctypes.Structure):  # firmware/fault_prng.h tp_fault_rate
    _fields_ = [("any", ctypes.c_uint32), ("bit", ctypes.c_uint32),
                ("first", ctypes.c_uint32 * 31)]


class Requant(ctypes.Structure):
    _fields_ = [("bias", _P32), ("mult", _P32), ("shift", _P32),
                ("output_zp", ctypes.c_int32), ("act_min", ctypes.c_int32),
                ("act_max", ctypes.c_int32), ("scale", _PF64), ("offset", _PF64)]


_GEOMETRY = ("in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "k_h", "k_w", "stride_h",
             "stride_w", "dil_h", "dil_w", "pad_top", "pad_left")


class Conv(ctypes.Structure):
    _fields_ = [(f, ctypes.c_int32) for f in _GEOMETRY + ("input_zp", "k4", "blocks")] + [
        ("packed", _P8), ("q", Requant)]


class Pool(ctypes.Structure):  # kernels_c/tp_pool.h tp_pool_params
    _fields_ = [(f, ctypes.c_int32) for f in (
        "in_h", "in_w", "c", "out_h", "out_w", "k_h", "k_w", "stride_h", "stride_w", "pad_top",
        "pad_left", "act_min", "act_max")]


class Softmax(ctypes.Structure):  # kernels_c/tp_softmax.h tp_softmax_params
    _fields_ = [(f, ctypes.c_int32) for f in (
        "rows", "depth", "input_multiplier", "input_left_shift", "diff_min")]


class Reduce(ctypes.Structure):  # kernels_c/tp_reduce.h tp_reduce_params
    _fields_ = [("out_shape", _P32), ("out_strides", _P32), ("red_shape", _P32),
                ("red_strides", _P32)] + [(f, ctypes.c_int32) for f in (
                    "count", "in_zp", "out_zp", "multiplier", "shift")]


class Depthwise(ctypes.Structure):
    _fields_ = [(f, ctypes.c_int32) for f in _GEOMETRY + ("depth_mult", "input_offset")] + [
        ("filter", _P8), ("q", Requant)]


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
    """FLAGS, plus -DTP_SIM_PORTABLE when $TP_SIM_PORTABLE is 1: the portable loops even
    on a host with AVX-512 VNNI (the tests check both builds)."""
    return FLAGS + (("-DTP_SIM_PORTABLE",) if os.environ.get("TP_SIM_PORTABLE") == "1" else ())


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
    # built under a temporary name, then renamed: concurrent workers never load half a file
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=out.parent)
    os.close(fd)
    cmd = [cc, *flags, f"-I{FIRMWARE}", f"-I{KERNELS_C}", "-o", tmp,
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
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, _MMAP_MAX)
    mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    mallopt(_M_TOP_PAD, 64 << 20)


def library() -> ctypes.CDLL:
    global _LIB
    if _LIB is None:
        lib = ctypes.CDLL(str(library_path()))
        if lib.tp_sim_vnni():
            lib.tp_sim_conv_s8.argtypes = [ctypes.POINTER(Conv), _P8, _P8, ctypes.c_int32]
            lib.tp_sim_conv_s8.restype = ctypes.c_int
        lib.tp_sim_depthwise_s8.argtypes = [ctypes.POINTER(Depthwise), _P8, _P8, ctypes.c_int32]
        lib.tp_sim_depthwise_s8.restype = ctypes.c_int
        lib.tp_sim_pool_s8.argtypes = [ctypes.POINTER(Pool), _P8, _P8, ctypes.c_int32,
                                       ctypes.c_int32]
        lib.tp_sim_pool_s8.restype = ctypes.c_int
        lib.tp_sim_pair_s8.argtypes = [_P8, _P8, _P8, _P8, ctypes.c_int64]
        lib.tp_sim_pair_s8.restype = ctypes.c_int
        lib.tp_sim_error_words.argtypes = [
            _PU32, ctypes.c_int32, ctypes.c_int32, ctypes.POINTER(FaultRate), _P32, _P32, _PU32,
            ctypes.c_int64]
        lib.tp_sim_error_words.restype = ctypes.c_int64
        lib.tp_sim_softmax_s8.argtypes = [ctypes.POINTER(Softmax), _P8, _P8, ctypes.c_int32]
        lib.tp_sim_softmax_s8.restype = ctypes.c_int
        lib.tp_sim_reduce_s8.argtypes = [ctypes.POINTER(Reduce), _P8, _P8, ctypes.c_int32,
                                         ctypes.c_int64, ctypes.c_int64, ctypes.c_int32]
        lib.tp_sim_reduce_s8.restype = ctypes.c_int
        lib.tp_sim_flip.argtypes = [_P8, _P8, ctypes.c_int32, ctypes.c_int32, ctypes.c_uint32,
                                    _PU32, ctypes.POINTER(FaultRate)]
        lib.tp_sim_flip.restype = ctypes.c_int64
        lib.tp_sim_vnni.restype = ctypes.c_int
        _keep_heap()
        _LIB = lib
    return _LIB


def enabled() -> bool:
    """Whether callers outside a Simulator (host_tools/faults.py) should use the library:
    not when $TP_SIM_ENGINE is numpy, nor where it cannot be built (Simulator warns)."""
    if os.environ.get("TP_SIM_ENGINE") == "numpy":
        return False
    try:
        library()
    except NativeError:
        return False
    return True


def error_words(keys: np.ndarray, n_words: int, any_: int, bit: int, first: tuple[int, ...]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """host_tools/faults.py _error_words by the firmware's own tp_fault_mask: (rows, words,
    masks) of the failing words of each key's row, in row-major order."""
    keys = np.ascontiguousarray(keys, np.uint32).reshape(-1)
    rate = FaultRate(any_, bit, (ctypes.c_uint32 * 31)(*first))
    expected = keys.size * n_words * any_ / 2.0**32
    cap = int(expected * 1.5 + 64 * (expected ** 0.5) + 1024)
    while True:
        rows, cols = np.empty(cap, np.int32), np.empty(cap, np.int32)
        masks = np.empty(cap, np.uint32)
        count = library().tp_sim_error_words(_ptr(keys, _PU32), keys.size, n_words,
                                             ctypes.byref(rate), _ptr(rows, _P32),
                                             _ptr(cols, _P32), _ptr(masks, _PU32), cap)
        if count <= cap:
            return rows[:count].astype(np.intp), cols[:count].astype(np.intp), masks[:count]
        cap = int(count)


def flip(data: np.ndarray, seed: int, streams: np.ndarray, any_: int, bit: int,
         first: tuple[int, ...]) -> np.ndarray:
    """host_tools/faults.py flip_bits for model "flip" by the firmware's fault_prng.c:
    uint8 (batch, n) data -> a new array of what NVM stores."""
    data = np.ascontiguousarray(data, np.uint8)
    out = np.empty_like(data)
    streams = np.ascontiguousarray(np.broadcast_to(np.asarray(streams, np.uint64),
                                                   (data.shape[0],)).astype(np.uint32))
    rate = FaultRate(any_, bit, (ctypes.c_uint32 * 31)(*first))
    library().tp_sim_flip(_ptr(data, _P8), _ptr(out, _P8), data.shape[0], data.shape[1],
                          seed & 0xFFFFFFFF, _ptr(streams, _PU32), ctypes.byref(rate))
    return out


def uses_vnni() -> bool:
    """Whether the built engine multiplies with AVX-512 VNNI (else portable loops)."""
    return bool(library().tp_sim_vnni())


def _const(v) -> np.ndarray:
    return v.values if isinstance(v, ConstArray) else np.asarray(v)


def _ptr(a: np.ndarray, kind):
    return a.ctypes.data_as(kind)


def _requant(p: dict, bias: np.ndarray, bound: np.ndarray, keep: list[np.ndarray],
             width: int = 0) -> Requant:
    """The layer's requantisation constants, arrays zero-padded to `width` channels, with
    the single float64 rounding where it is proven for accumulators within `bound` (see
    kernels.single_rounding); arrays go in `keep` so they live as long as the struct."""
    out_c = p["out_c"]
    single = kernels.single_rounding(p, bias, bound)
    columns: list[tuple[np.ndarray, type]] = [
        (bias, np.int32), (_const(p["mult"]), np.int32), (_const(p["shift"]), np.int32)]
    if single is not None:
        columns += [(single[0], np.float64), (single[1], np.float64)]
    arrays = []
    for values, dtype in columns:
        a = np.zeros(max(width, out_c), dtype)
        a[:out_c] = np.broadcast_to(np.asarray(values), (out_c,))
        arrays.append(a)
    if (arrays[1] < 0).any() or (np.abs(arrays[2]) > 31).any():
        raise NativeError("requantisation multipliers must be >= 0 and shifts within +-31")
    keep += arrays
    scale, offset = ((_ptr(arrays[3], _PF64), _ptr(arrays[4], _PF64)) if single is not None
                     else (None, None))
    return Requant(_ptr(arrays[0], _P32), _ptr(arrays[1], _P32), _ptr(arrays[2], _P32),
                   p["output_zp"], p["act_min"], p["act_max"], scale, offset)


def pack_filter(w: np.ndarray, dil_w: int) -> np.ndarray:
    """(out_c, k_h, k_w, in_c) int8 -> sim_conv.c's [blocks][k4][16][4]: the window as its
    runs (a filter row's k_w * in_c bytes, or one tap's in_c bytes when dil_w > 1), each
    zero-padded to whole words; out_c zero-padded to a multiple of 16."""
    out_c, k_h, k_w, in_c = w.shape
    runs = w.reshape(out_c, k_h, k_w * in_c) if dil_w == 1 else w.reshape(out_c, k_h * k_w, in_c)
    words = -(-runs.shape[2] // 4)
    blocks = -(-out_c // LANES)
    full = np.zeros((blocks * LANES, runs.shape[1], words * 4), np.int8)
    full[:out_c, :, :runs.shape[2]] = runs
    k4 = runs.shape[1] * words
    return np.ascontiguousarray(full.reshape(blocks, LANES, k4, 4).transpose(0, 2, 1, 3))


def _runs(p: dict) -> int:
    return p["k_h"] if p["dil_w"] == 1 else p["k_h"] * p["k_w"]


class _Call:
    """One layer's native kernel: the ctypes struct and the arrays it points into."""

    def __init__(self, function, layer: ctypes.Structure, keep: list[np.ndarray]):
        self.function, self.layer, self.keep = function, layer, keep

    def __call__(self, _: dict, args: list[np.ndarray]) -> None:
        x, out = np.ascontiguousarray(args[0]), args[1]
        if not out.flags.c_contiguous:
            raise NativeError("output buffer must be C-contiguous")
        rc = self.function(ctypes.byref(self.layer), _ptr(x, _P8), _ptr(out, _P8), x.shape[0])
        if rc == -1:
            raise MemoryError("native kernel could not allocate its scratch")
        if rc != 0:
            raise NativeError(f"native kernel rejected its parameters (code {rc})")


def conv(p: dict) -> Kernel | None:
    """tp_conv_s8 / tp_conv_1x1_s8 (same params) as one native call per batch; None (the
    numpy kernel runs it) on hosts without AVX-512 VNNI, where numpy's BLAS products beat
    portable C loops, and for windows of more than MAX_RUNS runs."""
    if not uses_vnni() or _runs(p) > MAX_RUNS:
        return None
    w = _const(p["filter"]).astype(np.int8).reshape(p["out_c"], p["k_h"], p["k_w"], p["in_c"])
    packed = pack_filter(w, p["dil_w"])
    blocks, k4 = packed.shape[:2]
    # the products see x + 128 (<= 255): take 128 * sum(w) back out of the bias
    w2d = w.reshape(p["out_c"], -1).astype(np.int64)
    bias = _const(p["bias"]).astype(np.int64) - 128 * w2d.sum(axis=1)
    bound = np.abs(w2d).sum(axis=1).astype(np.float64) * 255
    keep: list[np.ndarray] = [packed]
    layer = Conv(*(p[f] for f in _GEOMETRY), p["input_zp"], k4, blocks,
                 _ptr(packed, _P8), _requant(p, bias, bound, keep, blocks * LANES))
    return _Call(library().tp_sim_conv_s8, layer, keep)


def depthwise(p: dict) -> Kernel | None:
    """tp_depthwise_s8 as one native call per batch; None for filters wider than
    MAX_RUNS taps (the numpy kernel runs those)."""
    if p["k_w"] > MAX_RUNS:
        return None
    w = np.ascontiguousarray(_const(p["filter"]), np.int8)
    # |x + offset| <= 255
    bound = np.abs(w.astype(np.int64)).reshape(-1, p["out_c"]).sum(axis=0).astype(np.float64) * 255
    keep: list[np.ndarray] = [w]
    layer = Depthwise(*(p[f] for f in _GEOMETRY), p["depth_mult"], p["input_offset"],
                      _ptr(w, _P8), _requant(p, _const(p["bias"]), bound, keep))
    return _Call(library().tp_sim_depthwise_s8, layer, keep)


class _Pool:
    """tp_avgpool_s8 / tp_maxpool_s8 (the firmware's), once per sample."""

    def __init__(self, p: dict, is_max: bool):
        self.layer = Pool(*(p[f] for f, _ in Pool._fields_))
        self.is_max = is_max

    def __call__(self, _: dict, args: list[np.ndarray]) -> None:
        x, out = np.ascontiguousarray(args[0]), args[1]
        if not out.flags.c_contiguous:
            raise NativeError("output buffer must be C-contiguous")
        library().tp_sim_pool_s8(ctypes.byref(self.layer), _ptr(x, _P8), _ptr(out, _P8),
                                 x.shape[0], int(self.is_max))


def avgpool(p: dict) -> Kernel:
    return _Pool(p, False)


def maxpool(p: dict) -> Kernel:
    return _Pool(p, True)


class _Pair:
    """tp_add_s8 / tp_mul_s8 on same-shape inputs: one table lookup per element."""

    def __init__(self, table: np.ndarray):
        self.table = np.ascontiguousarray(table, np.int8)
        self.function = library().tp_sim_pair_s8

    def __call__(self, _: dict, args: list[np.ndarray]) -> None:
        a, b, out = np.ascontiguousarray(args[0]), np.ascontiguousarray(args[1]), args[2]
        if a.shape != out.shape or b.shape != out.shape or not out.flags.c_contiguous:
            raise NativeError("pair kernel needs same-shape contiguous operands")
        self.function(_ptr(self.table, _P8), _ptr(a, _P8), _ptr(b, _P8), _ptr(out, _P8),
                      out.size)


def _pair(table: Callable[[dict], np.ndarray]) -> Callable[[dict], Kernel | None]:
    def build(p: dict) -> Kernel | None:
        return _Pair(table(p)) if kernels.same_shape(p) else None
    return build


def softmax(p: dict) -> Kernel:
    """tp_softmax_s8 (the firmware's) over the batch's rows in one call."""
    return _Call(library().tp_sim_softmax_s8, Softmax(*(p[f] for f, _ in Softmax._fields_)), [])


class _Reduce:
    """tp_reduce_mean_s8 / tp_reduce_max_s8 (the firmware's), once per sample."""

    def __init__(self, p: dict, is_max: bool):
        self.keep = [np.ascontiguousarray(_const(p[f]), np.int32)
                     for f in ("out_shape", "out_strides", "red_shape", "red_strides")]
        scalars = [p.get(f, 0) for f in ("count", "in_zp", "out_zp", "multiplier", "shift")]
        self.layer = Reduce(*(_ptr(a, _P32) for a in self.keep), *scalars)
        self.is_max = is_max

    def __call__(self, _: dict, args: list[np.ndarray]) -> None:
        x, out = np.ascontiguousarray(args[0]), args[1]
        if not out.flags.c_contiguous:
            raise NativeError("output buffer must be C-contiguous")
        library().tp_sim_reduce_s8(ctypes.byref(self.layer), _ptr(x, _P8), _ptr(out, _P8),
                                   x.shape[0], x.shape[1], out.shape[1], int(self.is_max))


def reduce_mean(p: dict) -> Kernel:
    return _Reduce(p, False)


def reduce_max(p: dict) -> Kernel:
    return _Reduce(p, True)


# kernel name -> builder of its native version for one call's params (None: not native)
BUILDERS: dict[str, Callable[[dict], Kernel | None]] = {
    "tp_conv_s8": conv, "tp_conv_1x1_s8": conv, "tp_depthwise_s8": depthwise,
    "tp_avgpool_s8": avgpool, "tp_maxpool_s8": maxpool, "tp_add_s8": _pair(kernels.add_table),
    "tp_mul_s8": _pair(kernels.mul_table), "tp_softmax_s8": softmax,
    "tp_reduce_mean_s8": reduce_mean, "tp_reduce_max_s8": reduce_max}
