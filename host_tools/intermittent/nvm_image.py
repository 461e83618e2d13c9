"""The firmware's error-resilient NVM region as the host simulator sees it, one row per trial.

Fault model "switch" fails only bits that change relative to what NVM held, so what a
write stores depends on the region's previous content. The firmware
(firmware/nvm/nvm_mram_emu.c `tp_nvm_write`) writes persisted tensor `pid` at its slot
`nvm_offset` of one region whose slots are reused by lifetime (codegen/nvm/plan.py), so a
tensor is written over the bytes of earlier, dead ones, and the region keeps its content
from one inference to the next (.noinit RAM, zero only at QEMU power-on). A write covers
whole 32-bit words but changes only the tensor's bytes: in a partial last word the bytes
beyond the tensor keep their old value (`(old & ~valid) | (stored & valid)`).

The progress record lives in a separate critical region (`tp_nvm_write_critical`), so
it never changes what a tensor write finds in its slot and is not modelled here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codegen.nvm.faultmodel import RateThresholds

from .faults import flip_bits


@dataclass(frozen=True)
class NvmSlot:
    offset: int  # byte offset in the error-resilient region (a multiple of 4)
    bytes: int


@dataclass(frozen=True)
class NvmLayout:
    """Where each persisted tensor lives in the error-resilient region, by pid."""
    slots: tuple[NvmSlot, ...]
    region_bytes: int  # the firmware's region: whole 32-bit words

    @staticmethod
    def from_plan(persist: dict) -> "NvmLayout":
        """From a persistence plan's metadata (model.json "persist", PersistPlan.metadata(),
        host_tools.sweep.cost.persistence_plan): the layout the firmware build uses."""
        tensors = sorted(persist["tensors"], key=lambda t: t["pid"])
        if [t["pid"] for t in tensors] != list(range(len(tensors))):
            raise ValueError("persistence plan pids are not 0..n-1")
        slots = tuple(NvmSlot(int(t["nvm_offset"]), int(t["bytes"])) for t in tensors)
        for pid, s in enumerate(slots):
            # tp_nvm_write addresses words at offset / 4: an unaligned slot would not be
            # where the plan says
            if s.offset % 4 or s.offset < 0 or s.offset + s.bytes > persist["nvm_bytes"]:
                raise ValueError(f"pid {pid}: slot {s.offset}+{s.bytes} is not a word-aligned "
                                 f"slot of the {persist['nvm_bytes']}-byte region")
        return NvmLayout(slots, (int(persist["nvm_bytes"]) + 3) // 4 * 4)


@dataclass
class NvmImage:
    """The region's bytes for a batch of independent trials, (batch, region_bytes) uint8."""
    layout: NvmLayout
    data: np.ndarray

    @staticmethod
    def power_on(layout: NvmLayout, batch: int) -> "NvmImage":
        """The region right after QEMU powers on: all zeros."""
        return NvmImage(layout, np.zeros((batch, layout.region_bytes), np.uint8))

    @property
    def batch(self) -> int:
        return self.data.shape[0]

    def read(self, pid: int) -> np.ndarray:
        """What NVM holds in tensor `pid`'s slot, (batch, bytes) uint8 (a copy)."""
        s = self.layout.slots[pid]
        return self.data[:, s.offset:s.offset + s.bytes].copy()

    def write(self, pid: int, values: np.ndarray, rates: tuple[RateThresholds, ...], seed: int,
              stream: np.ndarray | int, model: str) -> np.ndarray:
        """Persist (batch, bytes) uint8 `values` as tensor `pid` with the firmware's fault
        model, against what the slot holds now; returns the stored bytes (also kept).
        Only the tensor's own bytes change, so the rest of a partial last word stays."""
        s = self.layout.slots[pid]
        values = np.asarray(values, np.uint8)
        if values.shape != (self.batch, s.bytes):
            raise ValueError(f"pid {pid}: writing {values.shape} into a ({self.batch}, "
                             f"{s.bytes}) slot")
        view = self.data[:, s.offset:s.offset + s.bytes]
        stored = flip_bits(values, rates, seed, stream, model, old=view)
        view[...] = stored
        return stored
