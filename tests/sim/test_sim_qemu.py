"""The sweep's host simulator flips exactly the bits the firmware flips: same model, QL and
seed, built with nvm=mram and run under QEMU, compared tensor by tensor; with fault=switch
over consecutive inferences in one session, whose NVM content carries over."""
from __future__ import annotations

import numpy as np
import pytest

from boards import load_board
from host_tools.measure.nvm_firmware import build_nvm
from codegen.nvm.options import NvmOptions
from host_tools.intermittent.powerfail import infer, nvm_session
from codegen.nvm.quality import load_ql_table
from host_tools.sim import Simulator
from host_tools.intermittent.nvm_image import NvmLayout
from host_tools.sweep.cost import persistence_plan
from host_tools.sweep.datasets import load_digits_set
from host_tools.sweep.trials import FaultSetup, simulate, simulate_sequence
from tests.support.flip_compare import check_same_flips
from tests.support.scons_build import ROOT

BOARD = load_board("mps2-an500")
MODEL = ROOT / "host_tools" / "data" / "models" / "digits_mobilenet_int8.tflite"
SEED, QL, INFERENCES = 7, "Q3", 3


@pytest.mark.qemu
def test_simulator_flips_the_same_bits_as_the_firmware():
    elf, meta = build_nvm(BOARD, MODEL, NvmOptions(nvm="mram", ql=QL, seed=SEED))
    sim = Simulator(MODEL)
    check_same_flips(BOARD, elf, meta, sim, FaultSetup("flip", load_ql_table()),
                     (QL,) * len(sim.layers), SEED, INFERENCES)


SWITCH_QL = "Q4"


@pytest.mark.qemu
def test_switch_simulator_carries_nvm_across_inferences_like_the_firmware():
    elf, meta = build_nvm(BOARD, MODEL, NvmOptions(nvm="mram", ql=SWITCH_QL, seed=SEED,
                                                   fault="switch"))
    layout = NvmLayout.from_plan(persistence_plan(BOARD, MODEL)[0])  # the compiler's plan
    assert layout == NvmLayout.from_plan(meta["persist"])            # is the build's
    sim = Simulator(MODEL)
    x = load_digits_set(sim.inputs[0]).x[:INFERENCES]  # a different input each time
    qls = (SWITCH_QL,) * len(sim.layers)
    faults = FaultSetup("switch", load_ql_table(), nvm=layout)
    seq = simulate_sequence(sim, x, qls, faults, SEED, 0)
    assert seq.flips.min() > 0, "Q4 should fail some changing bits in every inference"
    # trials from the power-on image differ after the first inference: the comparison
    # below would catch a simulator that forgot what NVM held
    fresh = np.zeros(INFERENCES, np.int64)

    def count(pid: int, w: np.ndarray, s: np.ndarray) -> None:
        fresh[:] += np.unpackbits(w ^ s, axis=1).sum(axis=1, dtype=np.int64)

    simulate(sim, x, qls, faults, SEED, 0, count)
    assert fresh[0] == seq.flips[0] and not np.array_equal(fresh[1:], seq.flips[1:])
    with nvm_session(BOARD, elf) as (dev, nd, qmp):
        for i in range(INFERENCES):
            got = infer(dev, nd, qmp, meta, [x[i]], inference=i, seed=SEED, faults=True)
            assert got.status.state == "done"
            assert got.status.flips == seq.flips[i], f"inference {i}: flipped bit count"
            for pid, slot in enumerate(layout.slots):  # every slot: the whole region in use
                nvm = np.frombuffer(nd.read_persisted(pid), np.uint8)
                assert np.array_equal(nvm, seq.images[i][slot.offset:slot.offset + slot.bytes]), \
                    f"inference {i}: NVM slot of pid {pid}"
            assert got.outputs[0] == seq.outputs[i].tobytes(), f"inference {i}: model output"
