"""Per-layer QL assignment: the most energy saving under the accuracy budget.

Start from the best uniform QL u (the sweet spot); for every layer l and every QL q above
u, measure the loss with only layer l raised to q (sensitivity, on a subset); greedily
take the moves with the most energy saved per point of measured extra loss while the
summed extra loss stays within the budget; then verify the whole assignment with the
campaign's full samples and repeats, dropping the least efficient moves until the
verified loss is within the budget. Every move only lowers energy, so the result saves
at least as much as the uniform u (it is u itself if no move survives verification).
"""
from __future__ import annotations

from dataclasses import dataclass

from codegen.nvm.quality import QL_NAMES
from .campaign import Campaign, map_config
from .cost import Energy, LayerCosts, energy
from .stats import Outcome

EPS_PP = 0.05  # a move measured as lossless still counts this much, so cheap-saving
               # moves cannot crowd out efficient ones


@dataclass
class Assignment:
    qls: tuple[str, ...]
    outcome: Outcome
    energy: Energy
    moves_tried: int
    moves_kept: int


def search(c: Campaign, costs: LayerCosts, base_ql: str, base: Outcome, budget_pp: float,
           samples: int, repeats: int, probe_samples: int, qls: list[str]) -> Assignment:
    table, in_ql = c.faults.table, c.faults.input_ql
    n = c.layers
    start = (base_ql,) * n
    e_start = energy(costs, table, start, in_ql).total_uj
    higher = [q for q in qls if QL_NAMES.index(q) > QL_NAMES.index(base_ql)]
    probe_base = c.measure(base_ql, start, probe_samples, 1, desc=f"probe {base_ql}").loss_pp
    moves = []  # (efficiency, layer, ql, extra loss, energy saved)
    for layer in range(n):
        for q in higher:
            trial = start[:layer] + (q,) + start[layer + 1:]
            saved = e_start - energy(costs, table, trial, in_ql).total_uj
            if saved <= 0:
                continue
            loss = c.measure(map_config(trial), trial, probe_samples, 1,
                             desc=f"probe L{layer} {q}").loss_pp
            extra = max(loss - probe_base, 0.0)
            moves.append((saved / (extra + EPS_PP), layer, q, extra, saved))
    moves.sort(key=lambda m: -m[0])
    chosen: dict[int, tuple[str, float]] = {}
    spent = 0.0
    allowance = budget_pp - base.loss_pp
    for _, layer, q, extra, _ in moves:
        prev = chosen.get(layer)
        if prev and QL_NAMES.index(prev[0]) >= QL_NAMES.index(q):
            continue
        delta = extra - (prev[1] if prev else 0.0)
        if spent + delta <= allowance:
            chosen[layer] = (q, extra)
            spent += delta
    order = [(layer, q) for _, layer, q, _, _ in moves if chosen.get(layer, (None,))[0] == q]
    kept = list(order)
    while True:
        qmap = list(start)
        for layer, q in kept:
            qmap[layer] = q
        final = tuple(qmap)
        outcome = c.measure(map_config(final), final, samples, repeats, desc="verify map")
        if outcome.loss_pp <= budget_pp or not kept:
            break
        kept = kept[:max(len(kept) - max(1, len(kept) // 4), 0)]  # drop the least efficient
    if not kept:
        final, outcome = start, base
    return Assignment(final, outcome, energy(costs, table, final, in_ql), len(moves), len(kept))


def write_ql_map(qls: tuple[str, ...], path) -> None:
    """In the per-layer QL map format scons ql=<file> reads (codegen.nvm.quality)."""
    lines = ["# per-layer QL assignment found by python -m host_tools sweep --assign"]
    lines += [f"{i} {q}" for i, q in enumerate(qls)]
    path.write_text("\n".join(lines) + "\n")
