"""The intermittent-inference commands of nvm=mram firmware (firmware/nvm/nvm_protocol.h)."""
from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from .device import Device
from ..errors import LinkTimeout
from .protocol import MAX_CHUNK



class NvmCommand(IntEnum):
    NVM_START = 0x08
    NVM_RUN = 0x09
    NVM_STATUS = 0x0A
    NVM_READ = 0x0B


CMD_NVM_START, CMD_NVM_RUN, CMD_NVM_STATUS, CMD_NVM_READ = NvmCommand
STATES = {0: "idle", 1: "running", 2: "done"}
ERRORS = {0: "", 1: "task does not fit one charge"}
ENERGY_KINDS = ("compute", "persist", "commit", "restore")
_STATUS = struct.Struct("<BBHIIIIIIQQQQI4Q5Q")
MAX_INJECT = 64  # TP_NVM_MAX_INJECT, firmware/nvm/nvm.h


@dataclass
class NvmStatus:
    state: str                # "idle", "running", "done"
    error: str                # "" or why the inference stopped
    next_task: int            # tasks committed
    inference: int
    boots: int                # resets during this inference (power failures survived)
    charges: int              # capacitor charges drawn on (capacitor model)
    tasks_run: int            # task executions, re-executions included
    flips: int                # bits stored wrong by the fault model
    error_task: int
    error_need_fj: int        # energy the failing task needs, fJ (modelled)
    budget_fj: int            # capacitor charge, fJ (0: none)
    counts: int               # board counter units spent in kernels (instructions on QEMU)
    words_read: int
    words_written: int
    spent_fj: dict[str, int]  # modelled energy per kind, re-execution included
    bits_written: list[int]   # per QL Q0..Q4

    @property
    def total_fj(self) -> int:
        return sum(self.spent_fj.values())


def parse_status(payload: bytes) -> NvmStatus:
    v = _STATUS.unpack(payload[:_STATUS.size])
    return NvmStatus(STATES.get(v[0], f"state {v[0]}"), ERRORS.get(v[1], f"error {v[1]}"), *v[2:14],
                     dict(zip(ENERGY_KINDS, v[14:18])), list(v[18:23]))


class NvmDevice:
    """Intermittent inference on a Device running an nvm=mram build."""

    def __init__(self, device: Device) -> None:
        self.device = device

    def start(self, inference: int = 0, seed: int = 1, faults: bool = False, budget_fj: int = 0,
              first_charge_fj: int | None = None, inject: list[int] | None = None,
              timeout: float | None = None) -> bool:
        """A fresh inference on the inputs already written: persists them, resets progress.
        inject: test harness, NVM write-access numbers to fail the power before.
        timeout: give up after that long without resending (a failure injected inside
        START resets the board before it answers); False if it did not answer."""
        inject = list(inject or [])
        if len(inject) > MAX_INJECT:
            raise ValueError(f"at most {MAX_INJECT} injected failures per START")
        first = budget_fj if first_charge_fj is None else first_charge_fj
        payload = struct.pack("<IIBQQB", inference, seed, int(faults), budget_fj, first,
                              len(inject)) + struct.pack(f"<{len(inject)}I", *inject)
        if timeout is None:
            self.device._call(CMD_NVM_START, payload)
            return True
        return self._once(CMD_NVM_START, payload, timeout) is not None

    def _once(self, cmd: int, payload: bytes, wait_s: float) -> bytes | None:
        """One request, never resent; its reply, or None if none came within wait_s."""
        link = self.device.link
        retries, link.retries = link.retries, 0
        try:
            return self.device._call(cmd, payload, timeout=wait_s)
        except LinkTimeout:
            return None
        finally:
            link.retries = retries

    def run(self, wait_s: float) -> NvmStatus | None:
        """Runs the remaining tasks; the status if they finish within wait_s seconds,
        None if not (still running, or a reset ended the request). Never resent: a
        lost RUN is harmless (the firmware resumes at boot, and RUN only resumes)."""
        reply = self._once(CMD_NVM_RUN, b"", wait_s)
        return None if reply is None else parse_status(reply)

    def status(self, timeout: float | None = None) -> NvmStatus:
        return parse_status(self.device._call(CMD_NVM_STATUS, b"", timeout=timeout))

    def poll_status(self, wait_s: float) -> NvmStatus | None:
        """STATUS if the firmware answers within wait_s (it does not while it resumes)."""
        reply = self._once(CMD_NVM_STATUS, b"", wait_s)
        return None if reply is None else parse_status(reply)

    def read_persisted(self, pid: int) -> bytes:
        """Persisted tensor `pid` (model.json persist.tensors) as NVM holds it."""
        head = self.device._call(CMD_NVM_READ, struct.pack("<HIH", pid, 0, 0))
        size = struct.unpack("<I", head[:4])[0]
        data = bytearray()
        for offset in range(0, size, MAX_CHUNK):
            n = min(MAX_CHUNK, size - offset)
            data += self.device._call(CMD_NVM_READ, struct.pack("<HIH", pid, offset, n))[4:]
        return bytes(data)
