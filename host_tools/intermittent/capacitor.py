"""Capacitor sizing for intermittent inference (modelled, from the energy model's per-task energy).

A capacitor of C farads charged to V_on, used until V_off, delivers
C (V_on^2 - V_off^2) / 2 joules. Every task must finish within one charge, so the
largest task sets the smallest single capacitor. The tiered assignment (as in the
paper) offers three capacitors, large / medium / small, and maps each task to the
smallest that holds it: small covers the median task, medium the 90th percentile,
large every task; each tier is rounded up to an E6 standard value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from codegen.nvm.options import usable_energy_j

from ..errors import ToolError

E6 = (1.0, 1.5, 2.2, 3.3, 4.7, 6.8)


def capacitance_for(energy_j: float, v_on: float, v_off: float) -> float:
    """The smallest capacitance (F) whose usable energy is at least energy_j."""
    if not 0 < v_off < v_on:
        raise ToolError(f"capacitor voltages need 0 < V_off < V_on (got V_on={v_on}, V_off={v_off}).")
    return 2.0 * energy_j / (v_on * v_on - v_off * v_off)


def e6_at_least(capacitance_f: float) -> float:
    """The smallest E6 standard value >= capacitance_f."""
    if capacitance_f <= 0:
        return 0.0
    decade = 10.0 ** math.floor(math.log10(capacitance_f))
    for k in (1.0, 10.0):
        for v in E6:
            if v * decade * k >= capacitance_f * (1 - 1e-12):
                return v * decade * k
    return 10.0 * decade


@dataclass
class Tier:
    name: str              # "small", "medium", "large"
    capacitance_f: float   # E6 value
    usable_j: float
    tasks: list[int]


@dataclass
class Sizing:
    v_on: float
    v_off: float
    largest_task: int
    largest_task_j: float
    min_capacitance_f: float  # exact, for the largest task
    tiers: list[Tier]


def size_capacitors(task_energy_j: list[float], v_on: float, v_off: float) -> Sizing:
    """Single-capacitor minimum and the tiered assignment for per-task energies (J)."""
    if not task_energy_j:
        raise ToolError("no tasks to size a capacitor for.")
    largest = max(range(len(task_energy_j)), key=lambda i: task_energy_j[i])
    ordered = sorted(task_energy_j)

    def quantile(q: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]

    sizes = {name: e6_at_least(capacitance_for(e, v_on, v_off))
             for name, e in (("small", quantile(0.5)), ("medium", quantile(0.9)),
                             ("large", ordered[-1]))}
    tiers = [Tier(name, c, usable_energy_j(c, v_on, v_off), []) for name, c in sizes.items()]
    for i, e in enumerate(task_energy_j):
        next(t for t in tiers if t.usable_j >= e).tasks.append(i)
    return Sizing(v_on, v_off, largest, task_energy_j[largest],
                  capacitance_for(task_energy_j[largest], v_on, v_off), tiers)


def format_sizing(s: Sizing) -> str:
    lines = [f"capacitor sizing (modelled; V_on {s.v_on:g} V, V_off {s.v_off:g} V, usable energy "
             f"C (V_on^2 - V_off^2) / 2):",
             f"  smallest single capacitor: {s.min_capacitance_f * 1e6:.3f} uF "
             f"(task {s.largest_task} needs {s.largest_task_j * 1e6:.3f} uJ per charge)",
             "  tiered (E6 values, each task on the smallest that holds it):"]
    for t in s.tiers:
        tasks = ", ".join(map(str, t.tasks)) if t.tasks else "-"
        lines.append(f"    {t.name:<6} {t.capacitance_f * 1e6:>10.3f} uF  {t.usable_j * 1e6:>10.3f} uJ  "
                     f"tasks: {tasks}")
    return "\n".join(lines)
