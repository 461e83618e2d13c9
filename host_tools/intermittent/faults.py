"""Host-side STT-MRAM write-fault simulator, bit-for-bit the same as the firmware's.

The firmware (firmware/nvm/fault_prng.c) and this module draw write errors from the same
counter-based hash, so for the same seed, stream and rates they flip the same bits;
this module does it for many inferences at once with numpy.

The algorithm (all arithmetic on uint32, wrapping):

    mix32(x):  x ^= x >> 16; x *= 0x7FEB352D; x ^= x >> 15; x *= 0x846CA68B; x ^= x >> 16
    key(seed, stream)  = mix32(mix32(seed) ^ stream)
    draw(k, word, lane) = mix32(k ^ mix32(word * 33 + lane))

Data is written as little-endian 32-bit words (bit b of word w is bit b % 8 of byte
4w + b // 8); a last partial word is zero-padded and flips in its padding are
dropped. For a per-bit error rate p, the error mask of word w under key k is:

    any   = round(2^32 * (1 - (1-p)^32))          (P(at least one of 32 bits fails))
    first[i] = round(2^32 * (1-(1-p)^(i+1)) / (1-(1-p)^32)),  i = 0..30
    bit   = round(2^32 * p)
    if draw(k, w, 0) >= any:  mask = 0                         (the common, cheap path)
    else:
        f = number of i in 0..30 with first[i] <= draw(k, w, 1)   (lowest failing bit)
        mask = 1 << f
        for b in f+1..31: if draw(k, w, 2 + b) < bit: mask |= 1 << b

This is exactly "every bit fails independently with probability p" (up to the 2^-32
rounding of the thresholds): the first failing bit is drawn from its conditional law,
the bits above it are independent. Models (fault=...):

    flip   (the paper): stored = new ^ mask_p(key(seed, stream), w),  p = wer(QL)
    switch (asymmetric, only bits that change can fail):
           k1 = key(seed, stream); k2 = mix32(k1 ^ 0x68E31DA4)
           changed = old ^ new
           failed  = changed & ((new & mask_p01(k1, w)) | (~new & mask_p10(k2, w)))
           stored  = new ^ failed       (a failed 0->1 stays 0, a failed 1->0 stays 1)

Streams: the firmware uses stream = inference * 65536 + pid, where pid is the
persisted tensor's id in the persistence plan (model.json "persist"/"tensors"; model
inputs first, then one per task) and inference is the index the host passed to INFER.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codegen.nvm.faultmodel import FAULT_MODELS, RateThresholds

_K2_SALT = 0x68E31DA4


def mix32(x: np.ndarray) -> np.ndarray:
    """lowbias32 integer hash, elementwise on uint32 arrays."""
    x = np.asarray(x, dtype=np.uint32).copy()
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x


def fault_key(seed: int, stream: np.ndarray | int) -> np.ndarray:
    """key(seed, stream) as uint32 (shape of `stream`)."""
    s = mix32(np.array([seed & 0xFFFFFFFF], dtype=np.uint32))[0]
    return mix32(np.asarray(stream, dtype=np.uint64).astype(np.uint32) ^ s)


def _draw(key: np.ndarray, word: np.ndarray, lane: int | np.ndarray) -> np.ndarray:
    w = np.asarray(word, dtype=np.uint32) * np.uint32(33) + np.asarray(lane, dtype=np.uint32)
    return mix32(np.asarray(key, dtype=np.uint32) ^ mix32(w))


def error_masks(keys: np.ndarray, n_words: int, rate: RateThresholds) -> np.ndarray:
    """Error masks (batch, n_words) uint32 for keys of shape (batch,)."""
    keys = np.asarray(keys, dtype=np.uint32).reshape(-1)
    masks = np.zeros((keys.shape[0], n_words), dtype=np.uint32)
    rows, cols, m = _error_words(keys, n_words, rate)
    masks[rows, cols] = m
    return masks


def _no_errors() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0, np.uint32)


def _error_words(keys: np.ndarray, n_words: int, rate: RateThresholds
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The non-zero entries of error_masks: (rows, words, masks), in row-major order."""
    if rate.any == 0 or n_words == 0:
        return _no_errors()
    from ..sim import native  # here: faults.py stays importable without the simulator
    if native.enabled():  # the firmware's own fault_prng.c, compiled for this host
        return native.error_words(keys, n_words, rate.any, rate.bit, rate.first)
    return _error_words_numpy(keys, n_words, rate)


def _error_words_numpy(keys: np.ndarray, n_words: int, rate: RateThresholds
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_error_words in numpy (rate.any > 0, n_words > 0)."""
    keys = np.asarray(keys, dtype=np.uint32).reshape(-1, 1)
    words = np.arange(n_words, dtype=np.uint32).reshape(1, -1)
    rows, cols = np.nonzero(_draw(keys, words, 0) < np.uint32(rate.any))
    if rows.size == 0:
        return _no_errors()
    k, w = keys[rows, 0], cols.astype(np.uint32)
    first = np.array(rate.first, dtype=np.uint32)
    f = (first[None, :] <= _draw(k, w, 1)[:, None]).sum(axis=1).astype(np.uint32)
    m = np.uint32(1) << f
    bits = np.arange(32, dtype=np.uint32)
    above = bits[None, :] > f[:, None]
    hit = _draw(k[:, None], w[:, None], 2 + bits[None, :]) < np.uint32(rate.bit)
    m |= np.bitwise_or.reduce(np.where(above & hit, np.uint32(1) << bits[None, :], np.uint32(0)),
                              axis=1).astype(np.uint32)
    return rows, cols, m


@dataclass(frozen=True)
class ByteFlips:
    """The bytes a batch of "flip" writes corrupts, sparse (row-major order)."""
    rows: np.ndarray     # row of the batch (inference)
    offsets: np.ndarray  # byte offset in the row
    masks: np.ndarray    # uint8 XOR mask, never 0

    def apply(self, data: np.ndarray) -> np.ndarray:
        """A copy of uint8 (batch, n) `data` as NVM stores it."""
        out = np.array(data, dtype=np.uint8)
        out[self.rows, self.offsets] ^= self.masks
        return out


def byte_flips(n_bytes: int, rate: RateThresholds, seed: int,
               stream: np.ndarray | int) -> ByteFlips:
    """What model "flip" does to writes of n_bytes with these streams (batch = len(stream),
    1 for an int): flip_bits(data, (rate,), seed, stream) == byte_flips(...).apply(data).
    The flips do not depend on the data, so a caller can tell which writes flip anything
    before computing what they write."""
    keys = np.atleast_1d(fault_key(seed, stream))
    rows, words, m = _error_words(keys, (n_bytes + 3) // 4, rate)
    lanes = m.astype("<u4").view(np.uint8).reshape(-1, 4)  # little-endian bytes of each word
    i, lane = np.nonzero(lanes)
    offsets = words[i] * 4 + lane
    keep = offsets < n_bytes  # flips in the zero padding of a last partial word are dropped
    return ByteFlips(rows[i][keep], offsets[keep], lanes[i, lane][keep])


def flip_bits(data: np.ndarray, rates: tuple[RateThresholds, ...], seed: int,
              stream: np.ndarray | int, model: str = "flip",
              old: np.ndarray | None = None) -> np.ndarray:
    """What NVM holds after writing `data` with the firmware's fault model.

    data:   uint8 (batch, n) or (n,): the bytes written, one row per inference.
    rates:  (RateThresholds(wer),) for model "flip"; (p01, p10) thresholds for "switch";
            build them with thresholds_for(table level, model).
    seed:   the fault PRNG seed (scons seed=, INFER's seed).
    stream: int or (batch,) ints: inference * 65536 + persisted tensor id.
    model:  "none", "flip" or "switch" (see the module docstring).
    old:    for "switch", what NVM held before (same shape as data; default zeros,
            which is QEMU's RAM at power-on; host_tools/intermittent/nvm_image.py tracks it
            across writes, slot reuse and inferences).
    Returns a new uint8 array of data's shape.
    """
    if model not in FAULT_MODELS:
        raise ValueError(f"unknown fault model {model!r}; use one of {tuple(FAULT_MODELS)}")
    data = np.asarray(data, dtype=np.uint8)
    flat = data.reshape(1, -1) if data.ndim == 1 else data
    batch, n = flat.shape
    if model == "none" or n == 0:
        return data.copy()
    if model == "flip":
        from ..sim import native
        if native.enabled():  # the firmware's own fault_prng.c, compiled for this host
            r = rates[0]
            return native.flip(flat, seed, stream, r.any, r.bit, r.first).reshape(data.shape)
    pad = (-n) % 4
    words = np.pad(flat, ((0, 0), (0, pad))).view("<u4").astype(np.uint32)
    keys = np.broadcast_to(fault_key(seed, stream), (batch,)).astype(np.uint32)
    if model == "flip":
        failed = error_masks(keys, words.shape[1], rates[0])
    else:
        prev = np.zeros_like(flat) if old is None else np.asarray(old, np.uint8).reshape(batch, n)
        old_words = np.pad(prev, ((0, 0), (0, pad))).view("<u4").astype(np.uint32)
        k2 = mix32(keys ^ np.uint32(_K2_SALT))
        m01 = error_masks(keys, words.shape[1], rates[0])
        m10 = error_masks(k2, words.shape[1], rates[1])
        failed = (old_words ^ words) & ((words & m01) | (~words & m10))
    stored = (words ^ failed).astype("<u4").view(np.uint8)[:, :n]
    return stored.reshape(data.shape).copy()
