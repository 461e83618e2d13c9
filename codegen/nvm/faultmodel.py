"""The write-fault models and the integer thresholds the fault PRNG compares against.

One table for the compiler (it bakes the thresholds into the generated C), the firmware
(firmware/nvm/fault_prng.c draws with them) and the host simulator
(host_tools/intermittent/faults.py, which documents the algorithm).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .quality import QualityLevel

# fault=... name -> the C enum value the generated persist.h gives TP_FAULT_MODEL
FAULT_MODELS = {"none": 0, "flip": 1, "switch": 2}
_TWO32 = float(2**32)


@dataclass(frozen=True)
class RateThresholds:
    """Integer thresholds for one per-bit error rate p (see host_tools/intermittent/faults.py)."""
    any: int                # round(2^32 * P(at least one of 32 bits fails))
    first: tuple[int, ...]  # 31 values: the law of the lowest failing bit
    bit: int                # round(2^32 * p)

    @staticmethod
    @lru_cache(maxsize=256)  # campaigns ask for the same few rates for every chunk
    def for_rate(p: float) -> "RateThresholds":
        if p <= 0.0:
            return RateThresholds(0, (0,) * 31, 0)
        log_q = np.log1p(-p)
        p_any = -np.expm1(32 * log_q)
        first = tuple(min(int(round(_TWO32 * (-np.expm1((i + 1) * log_q)) / p_any)), 2**32 - 1)
                      for i in range(31))
        return RateThresholds(min(int(round(_TWO32 * p_any)), 2**32 - 1), first,
                              min(int(round(_TWO32 * p)), 2**32 - 1))


def thresholds_for(level: QualityLevel, model: str) -> tuple[RateThresholds, ...]:
    """The RateThresholds a fault model uses at one QL: flip one rate, switch two (0->1, 1->0)."""
    if model == "flip":
        return (RateThresholds.for_rate(level.wer),)
    if model == "switch":
        return (RateThresholds.for_rate(level.wer_0to1), RateThresholds.for_rate(level.wer_1to0))
    return (RateThresholds.for_rate(0.0),)
