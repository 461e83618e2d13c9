"""Accuracy loss with 95% confidence intervals from a configuration's trial counts.

- Agreement loss: the share of trials whose top-1 differs from the fault-free top-1
  (no labels needed); Wilson score interval.
- Accuracy loss (labelled data): fault-free accuracy minus faulty accuracy on the same
  samples, a paired difference d in {-1, 0, 1} per trial; normal interval from the
  per-trial variance (sum d^2 = trials whose correctness changed), widened to the
  Wilson bound of the change rate when no trial changed (a zero variance says nothing).
All in percentage points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .trials import ChunkResult

Z95 = 1.959964


def wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    den = 1 + Z95 ** 2 / n
    mid = (p + Z95 ** 2 / (2 * n)) / den
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / den
    # rounding can put the bound a hair past p at k=0 or k=n; the interval holds p
    return max(0.0, min(p, mid - half)), min(1.0, max(p, mid + half))


@dataclass
class Outcome:
    trials: int
    labelled: bool
    agreement_loss_pp: float
    agreement_ci_pp: tuple[float, float]
    clean_accuracy_pct: float | None
    accuracy_pct: float | None
    accuracy_loss_pp: float | None
    accuracy_ci_pp: tuple[float, float] | None

    @property
    def loss_pp(self) -> float:
        """The loss the budget applies to: true accuracy where labels exist."""
        return self.accuracy_loss_pp if self.labelled else self.agreement_loss_pp

    @property
    def ci_pp(self) -> tuple[float, float]:
        return self.accuracy_ci_pp if self.labelled else self.agreement_ci_pp

    @property
    def metric(self) -> str:
        return "accuracy" if self.labelled else "top-1 agreement"

    @classmethod
    def of(cls, r: ChunkResult, labelled: bool) -> "Outcome":
        n = r.n
        lo, hi = wilson(n - r.agree, n)
        agreement = (100 * (n - r.agree) / n if n else 0.0, (100 * lo, 100 * hi))
        if not labelled or n == 0:
            return cls(n, False, *agreement, None, None, None, None)
        mean = (r.clean_correct - r.correct) / n
        var = max(r.changed / n - mean * mean, 0.0)
        half = Z95 * math.sqrt(var / n)
        if r.changed == 0:
            half = wilson(0, n)[1]
        ci = (100 * (mean - half), 100 * (mean + half))
        return cls(n, True, *agreement, 100 * r.clean_correct / n, 100 * r.correct / n,
                   100 * mean, ci)
