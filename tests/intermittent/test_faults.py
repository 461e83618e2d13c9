"""Host fault simulator (host_tools/intermittent/faults.py): rates, determinism, the two fault models."""
from __future__ import annotations

import numpy as np
import pytest

from codegen.nvm.faultmodel import RateThresholds
from host_tools.intermittent.faults import error_masks, flip_bits, mix32


def test_mix32_known_values():
    # lowbias32 reference values (Wellons' hash-prospector): a wrong shift or constant shows here
    assert int(mix32(np.array([0], np.uint32))[0]) == 0
    assert int(mix32(np.array([1], np.uint32))[0]) != 1
    x = np.arange(1000, dtype=np.uint32)
    assert len(set(mix32(x).tolist())) == 1000  # a bijection: no collisions


@pytest.mark.parametrize("p", [1e-3, 1e-2, 0.1])
def test_flip_rate_matches_wer(p):
    rate = (RateThresholds.for_rate(p),)
    data = np.zeros((64, 4096), np.uint8)
    out = flip_bits(data, rate, seed=7, stream=np.arange(64))
    bits = np.unpackbits(out).astype(np.float64)
    n = bits.size
    assert abs(bits.mean() - p) < 5 * np.sqrt(p * (1 - p) / n)
    # per-bit position: every one of the 32 bit lanes fails at the same rate
    lanes = np.unpackbits(out.reshape(64, -1, 4), axis=-1, bitorder="little").reshape(-1, 32).mean(0)
    assert np.all(np.abs(lanes - p) < 6 * np.sqrt(p / (n / 32)))


def test_zero_rate_is_identity_and_same_seed_same_flips():
    data = np.random.default_rng(0).integers(0, 256, (3, 1001), dtype=np.uint8)
    assert np.array_equal(flip_bits(data, (RateThresholds.for_rate(0.0),), 1, 0), data)
    r = (RateThresholds.for_rate(1e-2),)
    a, b = flip_bits(data, r, 5, [1, 2, 3]), flip_bits(data, r, 5, [1, 2, 3])
    assert np.array_equal(a, b) and not np.array_equal(a, data)
    assert not np.array_equal(flip_bits(data, r, 6, [1, 2, 3]), a)  # another seed, other flips
    # a row depends only on its own stream (vectorising over inferences changes nothing)
    assert np.array_equal(flip_bits(data[1], r, 5, 2), a[1])


def test_partial_last_word_never_flips_padding():
    r = (RateThresholds.for_rate(0.2),)
    for n in (1, 2, 3, 5, 7):
        out = flip_bits(np.zeros(n, np.uint8), r, 3, 9)
        assert out.shape == (n,)


def test_switch_model_only_fails_changing_bits():
    p01, p10 = RateThresholds.for_rate(0.05), RateThresholds.for_rate(0.2)
    rng = np.random.default_rng(1)
    old = rng.integers(0, 256, (8, 4096), dtype=np.uint8)
    new = rng.integers(0, 256, (8, 4096), dtype=np.uint8)
    out = flip_bits(new, (p01, p10), 11, np.arange(8), model="switch", old=old)
    wrong = np.unpackbits(out ^ new)
    changed = np.unpackbits(old ^ new)
    assert not np.any(wrong & ~changed & 1)           # unchanged bits are never wrong
    up = np.unpackbits(new) & changed                 # intended 0 -> 1
    down = (1 - np.unpackbits(new)) & changed         # intended 1 -> 0
    assert abs(wrong[up == 1].mean() - 0.05) < 0.01
    assert abs(wrong[down == 1].mean() - 0.2) < 0.02
    # a failed write keeps the old value
    assert np.array_equal(np.unpackbits(out)[wrong == 1], np.unpackbits(old)[wrong == 1])


def test_error_masks_first_bit_distribution_is_not_biased_to_bit_zero():
    masks = error_masks(np.arange(200, dtype=np.uint32), 5000, RateThresholds.for_rate(0.01))
    hits = np.array([(masks >> b & 1).sum() for b in range(32)], dtype=np.float64)
    assert hits.min() > 0.8 * hits.mean() and hits.max() < 1.2 * hits.mean()


@pytest.mark.parametrize("n", [1, 3, 4, 5, 1001, 4096])
def test_byte_flips_are_flip_bits_without_the_data(n):
    from host_tools.intermittent.faults import byte_flips
    rng = np.random.default_rng(n)
    streams = rng.integers(0, 2**40, 16).astype(np.uint64)
    for p in (0.0, 1e-4, 1e-2, 0.3):
        r = RateThresholds.for_rate(p)
        data = rng.integers(0, 256, (16, n), dtype=np.uint8)
        flips = byte_flips(n, r, 9, streams)
        assert np.array_equal(flips.apply(data), flip_bits(data, (r,), 9, streams)), p
        assert np.array_equal(flips.apply(data) ^ data != 0,
                              flip_bits(np.zeros_like(data), (r,), 9, streams) != 0)
    one = byte_flips(n, RateThresholds.for_rate(0.3), 9, 5)
    assert np.array_equal(one.apply(np.zeros((1, n), np.uint8))[0],
                          flip_bits(np.zeros(n, np.uint8), (RateThresholds.for_rate(0.3),), 9, 5))
