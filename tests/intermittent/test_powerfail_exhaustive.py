"""Exhaustive power failures under QEMU on a tiny three-layer model: a failure at every NVM
write access of the inference (every word of the inputs, of each task's output, of the
retire record and of every commit), each followed by a second failure in the
re-execution and each repeated twice in a row; every schedule must end bit-exact.
About 20 s on 2 busy cores (python -m host_tools powerfail --exhaustive runs the long
campaigns)."""
from __future__ import annotations

import numpy as np
import pytest

from boards import load_board
from codegen.nvm.options import NvmOptions
from host_tools.intermittent.exhaustive import Plan, exhaustive, plans, write_segments
from host_tools.measure.nvm_firmware import build_nvm
from host_tools.target.nvm_device import MAX_INJECT
from host_tools.reference.golden import default_inputs
from tests.support.tiny_models import O, T, build_model

BOARD = load_board("mps2-an500")
N = 40  # elements per tensor: 10 words


def _tiny_model(path):
    rng = np.random.default_rng(5)
    const = lambda: T((1, N), "int8", (0.03, 1), rng.integers(-128, 128, (1, N)).astype(np.int8))
    act = lambda: T((1, N), "int8", (0.05, -3))
    tensors = [act(), const(), act(), const(), act(), const(), act()]
    ops = [O("MUL", [0, 1], [2]), O("ADD", [2, 3], [4]), O("MUL", [4, 5], [6])]
    return build_model(path, tensors, ops, [0], [6])


def test_plans_make_every_write_access_a_first_failure_once():
    segments = [30, 18, 2008, 11]
    for depth, repeat in [(1, 1), (2, 2), (3, 1)]:
        todo = plans(segments, depth, repeat)
        firsts = sorted(sum(segments[:k]) + offs[0] for p in todo for k, offs in p.failures.items())
        assert firsts == list(range(sum(segments)))
        assert all(len(offs) == depth * repeat for p in todo for offs in p.failures.values())
    # more tasks than the firmware arms failures per START: schedules split
    many = [20] + [9] * 70
    todo = plans(many, 1, 2)
    assert all(len(p.injections(many)[1]) <= MAX_INJECT for p in todo)
    firsts = sorted(sum(many[:k]) + offs[0] for p in todo for k, offs in p.failures.items())
    assert firsts == list(range(sum(many)))
    # stride: every record word still, tensor words sparser
    strided = {sum(segments[:k]) + offs[0] for p in plans(segments, stride=100)
               for k, offs in p.failures.items()}
    assert set(range(30 + 18 - 8, 30 + 18)) <= strided and len(strided) < 100


def test_injection_numbers_count_the_redone_accesses():
    segments = [20, 12, 12]
    start, inject = Plan({0: [3, 3], 1: [5, 0], 2: [11]}).injections(segments)
    assert start == [3, 3]                       # each a START of its own, counter restarts
    assert inject == [20 + 5, 20 + 5 + 0, 32 + 5 + 11]


@pytest.mark.qemu
def test_every_write_access_fails_and_every_schedule_ends_bit_exact(tmp_path):
    elf, meta = build_nvm(BOARD, _tiny_model(tmp_path / "tiny3.tflite"), NvmOptions(nvm="mram"))
    segments = write_segments(meta["persist"])
    r = exhaustive(BOARD, elf, meta, default_inputs(meta["inputs"]), depth=2, repeat=2)
    assert r.bad == [] and r.bit_exact == r.schedules == max(segments)
    assert r.writes == sum(segments) and r.first_points == r.writes
    assert r.failures == 4 * r.writes
