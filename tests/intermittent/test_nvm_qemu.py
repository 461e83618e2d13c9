"""nvm=mram firmware under QEMU: firmware faults = host simulator, atomic commits, too-big tasks."""
from __future__ import annotations

import numpy as np
import pytest

from boards import load_board
from codegen.nvm.faultmodel import thresholds_for
from host_tools.intermittent.exhaustive import RECORD_WORDS, write_segments
from host_tools.intermittent.faults import flip_bits
from host_tools.measure.nvm_firmware import build_nvm
from codegen.nvm.options import NvmOptions
from host_tools.intermittent.powerfail import infer, nvm_session
from codegen.nvm.quality import load_ql_table
from host_tools.reference.golden import default_inputs
from tests.support.scons_build import ROOT

BOARD = load_board("mps2-an500")
MODEL = ROOT.parent / "shared/models/fc_autoencoder_ad_int8.tflite"


@pytest.mark.qemu
def test_firmware_flips_the_bits_the_host_simulator_predicts(tmp_path):
    qlmap = tmp_path / "map.txt"
    qlmap.write_text("default Q0\n9 Q4\n")  # only the last task's output at Q4
    elf, meta = build_nvm(BOARD, MODEL, NvmOptions(nvm="mram", qlmap=str(qlmap), seed=1234))
    persist = meta["persist"]
    last = persist["task_pid"][-1]
    inputs = default_inputs(meta["inputs"])
    rates = thresholds_for(load_ql_table().level("Q4"), "flip")
    with nvm_session(BOARD, elf) as (dev, nd, qmp):
        clean = infer(dev, nd, qmp, meta, inputs, faults=False)
        clean_last = np.frombuffer(nd.read_persisted(last), np.uint8)
        flips = 0
        for inference in range(4):
            out = infer(dev, nd, qmp, meta, inputs, inference=inference, seed=1234, faults=True)
            got = np.frombuffer(nd.read_persisted(last), np.uint8)
            want = flip_bits(clean_last, rates, 1234, inference * 65536 + last)
            assert np.array_equal(got, want), f"inference {inference}"
            # the model's output is what NVM holds (later reads see the stored bits)
            assert out.outputs[0] == got.tobytes()
            flips += int(np.unpackbits(got ^ clean_last).sum())
            assert out.status.flips == int(np.unpackbits(got ^ clean_last).sum())
        assert flips > 0, "Q4 on 640 B x 4 inferences should flip some bits"
        assert clean.outputs[0] == clean_last.tobytes()


def _write_offsets(persist: dict) -> tuple[list[int], list[int]]:
    """NVM write-access numbers where each task's output write and each commit begins."""
    segments = write_segments(persist)
    starts = [sum(segments[:k]) for k in range(len(segments) + 1)]
    return starts[1:-1], [s - RECORD_WORDS for s in starts[1:]]


@pytest.mark.qemu
def test_failures_inside_tensor_and_record_writes_never_corrupt_the_result():
    elf, meta = build_nvm(BOARD, MODEL, NvmOptions(nvm="mram"))
    inputs = default_inputs(meta["inputs"])
    tensors, commits = _write_offsets(meta["persist"])
    with nvm_session(BOARD, elf) as (dev, nd, qmp):
        base = infer(dev, nd, qmp, meta, inputs)
        assert base.status.state == "done" and base.status.boots == 0
        # write accesses are counted across re-executions, so shift later points by what
        # the re-executed work adds: use one failure per inference, at many places
        points = [tensors[0] + 1, tensors[2] + 5, tensors[-1] + 2,   # inside tensor writes
                  commits[1] + 3, commits[4] + 7, commits[-1] + 1,  # inside progress records
                  commits[2]]                                        # first word of a record
        for point in points:
            out = infer(dev, nd, qmp, meta, inputs, inject=[point])
            assert out.status.state == "done", point
            assert out.status.boots == 1, point
            assert out.outputs == base.outputs, f"failure at write access {point}"
        # several failures in one inference, the later ones landing in re-executed work
        out = infer(dev, nd, qmp, meta, inputs, inject=[commits[3] + 2, commits[3] + 12,
                                                        commits[6] + 4, commits[6] + 9])
        assert out.status.boots == 4 and out.outputs == base.outputs


@pytest.mark.qemu
def test_task_that_does_not_fit_one_charge_is_reported():
    elf, meta = build_nvm(BOARD, MODEL, NvmOptions(nvm="mram"))
    with nvm_session(BOARD, elf) as (dev, nd, qmp):
        out = infer(dev, nd, qmp, meta, default_inputs(meta["inputs"]), budget_fj=2_000_000)
        st = out.status
        assert st.state == "running" and st.error == "task does not fit one charge"
        assert st.error_need_fj > st.budget_fj == 2_000_000
        assert st.boots <= 3  # stops instead of rebooting forever
