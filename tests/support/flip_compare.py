"""Run the host simulator and an nvm=mram firmware under QEMU on the same inferences and
check that they flip the same bits: flip counts, the NVM bytes of every persisted tensor
that can still be read back, and the model outputs."""
from __future__ import annotations

import numpy as np

from boards import Board
from host_tools.intermittent.powerfail import infer, nvm_session
from host_tools.reference.golden import default_inputs
from host_tools.sim import Simulator
from host_tools.sweep.trials import FaultSetup, simulate


def survivors(persist: dict) -> list[int]:
    """pids whose NVM bytes no later write reuses, so they can be read back after the run."""
    ts = persist["tensors"]
    return [t["pid"] for t in ts
            if not any(u["producer"] > t["producer"]
                       and u["nvm_offset"] < t["nvm_offset"] + t["bytes"]
                       and t["nvm_offset"] < u["nvm_offset"] + u["bytes"] for u in ts)]


def check_same_flips(board: Board, elf, meta: dict, sim: Simulator, faults: FaultSetup,
                     qls: tuple[str, ...], seed: int, inferences: int) -> None:
    """`inferences` INFER commands (indices 0..) with the default input in one session,
    compared with simulate() of the same QLs and seed."""
    persist = meta["persist"]
    inputs = default_inputs(meta["inputs"])
    x = np.repeat(np.asarray(inputs[0], np.int8).reshape(1, -1), inferences, axis=0)
    written: dict[int, np.ndarray] = {}
    stored: dict[int, np.ndarray] = {}

    def record(pid: int, w: np.ndarray, s: np.ndarray) -> None:
        written[pid], stored[pid] = w.copy(), s.copy()

    out = simulate(sim, x, qls, faults, seed, 0, record)
    assert sorted(stored) == [t["pid"] for t in persist["tensors"]]
    flips = [sum(int(np.unpackbits(stored[p][i] ^ written[p][i]).sum()) for p in stored)
             for i in range(inferences)]
    assert sum(flips) > 0, "the QL should flip some bits over these inferences"
    readable = survivors(persist)
    assert persist["task_pid"][-1] in readable
    with nvm_session(board, elf) as (dev, nd, qmp):
        for i in range(inferences):
            got = infer(dev, nd, qmp, meta, inputs, inference=i, seed=seed, faults=True)
            assert got.status.state == "done"
            assert got.status.flips == flips[i], f"inference {i}: flipped bit count"
            for pid in readable:
                nvm = np.frombuffer(nd.read_persisted(pid), np.uint8)
                assert np.array_equal(nvm, stored[pid][i]), f"inference {i} pid {pid}"
            assert got.outputs[0] == out[i].tobytes(), f"inference {i}: model output"
