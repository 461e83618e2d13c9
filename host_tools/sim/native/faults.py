"""Write-fault draws of host_tools/intermittent/faults.py by the firmware's own fault_prng.c, compiled
into the native library (sim_faults.c), over whole batches."""
from __future__ import annotations

import ctypes
from functools import lru_cache

import numpy as np

from .loader import P8, P32, PU32, function, ptr


class FaultRate(ctypes.Structure):  # firmware/nvm/fault_prng.h tp_fault_rate
    _fields_ = [("any", ctypes.c_uint32), ("bit", ctypes.c_uint32),
                ("first", ctypes.c_uint32 * 31)]


@lru_cache(maxsize=64)  # a campaign uses a few rates, each for thousands of writes
def _rate(any_: int, bit: int, first: tuple[int, ...]) -> FaultRate:
    return FaultRate(any_, bit, (ctypes.c_uint32 * 31)(*first))


@lru_cache(maxsize=None)
def _error_words_fn():
    return function("tp_sim_error_words", [PU32, ctypes.c_int32, ctypes.c_int32,
                                           ctypes.POINTER(FaultRate), P32, P32, PU32,
                                           ctypes.c_int64], ctypes.c_int64)


@lru_cache(maxsize=None)
def _flip_fn():
    return function("tp_sim_flip", [P8, P8, ctypes.c_int32, ctypes.c_int32, ctypes.c_uint32,
                                    PU32, ctypes.POINTER(FaultRate)], ctypes.c_int64)


def error_words(keys: np.ndarray, n_words: int, any_: int, bit: int, first: tuple[int, ...]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """faults._error_words: (rows, words, masks) of the failing words of each key's row,
    in row-major order."""
    f = _error_words_fn()
    keys = np.ascontiguousarray(keys, np.uint32).reshape(-1)
    rate = _rate(any_, bit, first)
    expected = keys.size * n_words * any_ / 2.0**32
    cap = int(expected * 1.5 + 64 * expected ** 0.5 + 1024)
    while True:  # the C function counts past cap: one retry with room for all
        rows, cols = np.empty(cap, np.int32), np.empty(cap, np.int32)
        masks = np.empty(cap, np.uint32)
        count = f(ptr(keys, PU32), keys.size, n_words, ctypes.byref(rate), ptr(rows, P32),
                  ptr(cols, P32), ptr(masks, PU32), cap)
        if count <= cap:
            return rows[:count].astype(np.intp), cols[:count].astype(np.intp), masks[:count]
        cap = int(count)


def flip(data: np.ndarray, seed: int, streams: np.ndarray | int, any_: int, bit: int,
         first: tuple[int, ...]) -> np.ndarray:
    """faults.flip_bits for model "flip": uint8 (batch, n) data -> a new array of what NVM
    stores."""
    f = _flip_fn()
    data = np.ascontiguousarray(data, np.uint8)
    out = np.empty_like(data)
    streams = np.asarray(streams, np.uint64).astype(np.uint32)
    if streams.shape != (data.shape[0],):
        streams = np.ascontiguousarray(np.broadcast_to(streams, (data.shape[0],)))
    f(ptr(data, P8), ptr(out, P8), data.shape[0], data.shape[1], seed & 0xFFFFFFFF,
      ptr(streams, PU32), ctypes.byref(_rate(any_, bit, first)))
    return out
