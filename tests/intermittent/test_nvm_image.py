"""The simulator's image of the firmware's NVM region (host_tools/intermittent/nvm_image.py): slot
reuse, partial last words, and inferences carried one after another (fault model switch)."""
from __future__ import annotations

import numpy as np
import pytest

from boards import load_board
from codegen.nvm.faultmodel import RateThresholds
from host_tools.intermittent.faults import error_masks, fault_key, flip_bits, mix32
from codegen.nvm.quality import load_ql_table
from host_tools.sim import Simulator
from host_tools.intermittent.nvm_image import NvmImage, NvmLayout, NvmSlot
from host_tools.sweep.campaign import uniform
from host_tools.sweep.cost import persistence_plan
from host_tools.sweep.datasets import load_digits_set
from host_tools.sweep.trials import FaultSetup, simulate, simulate_sequence
from tests.support.paths import OWN_MODELS_DIR

MODEL = OWN_MODELS_DIR / "digits_mobilenet_int8.tflite"
RATES = (RateThresholds.for_rate(0.3), RateThresholds.for_rate(0.2))  # p01, p10: many faults
SEED = 5


def _firmware_write(region: np.ndarray, slot: NvmSlot, src: np.ndarray, stream: int) -> None:
    """firmware/nvm/nvm_mram_emu.c tp_nvm_write (fault=switch) word by word, on one region row."""
    key = fault_key(SEED, stream).reshape(1)
    words = (slot.bytes + 3) // 4
    m01 = error_masks(key, words, RATES[0])[0]
    m10 = error_masks(mix32(key ^ np.uint32(0x68E31DA4)), words, RATES[1])[0]
    dst = region[slot.offset:slot.offset + 4 * words].view("<u4")
    for w in range(words):
        n = min(4, slot.bytes - 4 * w)
        valid = np.uint32(0xFFFFFFFF if n == 4 else (1 << (8 * n)) - 1)
        value = np.zeros(4, np.uint8)
        value[:n] = src[4 * w:4 * w + n]
        value = value.view("<u4")[0]
        old = dst[w]
        fail = (old ^ value) & ((value & m01[w]) | (~value & m10[w])) & valid
        dst[w] = (old & ~valid) | ((value ^ fail) & valid)


def test_image_matches_the_firmware_write_loop_with_slot_reuse_and_partial_words():
    # pid 2 reuses pid 0's slot (pid 0 is dead by then) and ends in a partial word; pid 3
    # reuses part of pid 1's; sizes 1..3 mod 4 leave old bytes in their last words
    layout = NvmLayout((NvmSlot(0, 10), NvmSlot(12, 7), NvmSlot(0, 6), NvmSlot(12, 3)), 20)
    rng = np.random.default_rng(0)
    batch = 3
    image = NvmImage(layout, rng.integers(0, 256, (batch, 20), dtype=np.uint8))  # not power-on
    expect = image.data.copy()
    streams = np.arange(batch, dtype=np.uint64) * 65536
    for pid, slot in enumerate(layout.slots):
        data = rng.integers(0, 256, (batch, slot.bytes), dtype=np.uint8)
        before = image.read(pid)
        stored = image.write(pid, data, RATES, SEED, streams + pid, "switch")
        # the write saw what the slot held (the dead tensor's stored bytes), not zeros
        assert np.array_equal(stored, flip_bits(data, RATES, SEED, streams + pid, "switch",
                                                old=before))
        assert not np.array_equal(stored, flip_bits(data, RATES, SEED, streams + pid,
                                                    "switch"))
        for row in range(batch):
            _firmware_write(expect[row], slot, data[row], int(streams[row]) + pid)
        assert np.array_equal(image.data, expect), f"after pid {pid}"
        assert np.array_equal(image.read(pid), stored)
    # bytes 6..9 of pid 0 and 15..18 of pid 1 outlived the reuse of their slots
    assert np.array_equal(image.data[:, 6:10], expect[:, 6:10])


def test_layout_from_plan_checks_alignment():
    plan = {"nvm_bytes": 10, "tensors": [{"pid": 0, "nvm_offset": 0, "bytes": 4},
                                         {"pid": 1, "nvm_offset": 4, "bytes": 6}]}
    assert NvmLayout.from_plan(plan) == NvmLayout((NvmSlot(0, 4), NvmSlot(4, 6)), 12)
    plan["tensors"][1]["nvm_offset"] = 2
    with pytest.raises(ValueError, match="word-aligned"):
        NvmLayout.from_plan(plan)


@pytest.fixture(scope="module")
def model() -> tuple[Simulator, FaultSetup, np.ndarray]:
    sim = Simulator(MODEL)
    layout = NvmLayout.from_plan(persistence_plan(load_board("mps2-an500"), MODEL)[0])
    return sim, FaultSetup("switch", load_ql_table(), nvm=layout), \
        load_digits_set(sim.inputs[0]).x[:3]


def test_switch_trials_start_from_power_on_and_sequences_carry_the_image(model):
    sim, faults, x = model
    q4 = uniform("Q4", len(sim.layers))
    trials = simulate(sim, x, q4, faults, SEED, 10)
    zeros = NvmImage.power_on(faults.nvm, len(x))
    assert np.array_equal(trials, simulate(sim, x, q4, faults, SEED, 10, nvm=zeros))
    assert zeros.data.any()  # written through
    seq = simulate_sequence(sim, x, q4, faults, SEED, 10)
    assert np.array_equal(seq.outputs[0], trials[0])  # the first one starts from power-on
    assert np.array_equal(seq.images[0], zeros.data[0])
    assert seq.flips.min() > 0
    # later ones start from what the previous inference left, not from zeros: other faults
    alone = [simulate_sequence(sim, x[i:i + 1], q4, faults, SEED, 10 + i) for i in (1, 2)]
    assert any(a.flips[0] != f for a, f in zip(alone, seq.flips[1:]))
    # and the image carried equals running them one call at a time on a shared image
    image = NvmImage.power_on(faults.nvm, 1)
    for i in range(len(x)):
        out = simulate(sim, x[i:i + 1], q4, faults, SEED, 10 + i, nvm=image)
        assert np.array_equal(out[0], seq.outputs[i])
        assert np.array_equal(image.data[0], seq.images[i])


def test_flip_is_unchanged_by_writing_through_an_image(model):
    sim, switch, x = model
    flip = FaultSetup("flip", switch.table, nvm=switch.nvm)
    q3 = uniform("Q3", len(sim.layers))
    image = NvmImage.power_on(flip.nvm, len(x))
    assert np.array_equal(simulate(sim, x, q3, flip, SEED, 0, nvm=image),
                          simulate(sim, x, q3, flip, SEED, 0))
