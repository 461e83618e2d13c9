"""`python -m host_tools energy`: measure per-task cycles on QEMU, then apply the energy model."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from boards import Board

from ..intermittent.capacitor import format_sizing, size_capacitors
from ..intermittent.energy import format_tasks, format_totals, task_energies, totals_per_ql, write_csv, write_json
from .nvm_firmware import build_nvm
from codegen.nvm.options import NvmOptions
from codegen.nvm.quality import QL_NAMES, load_ql_map, load_ql_table
from ..reference.golden import default_inputs
from .inference import run_inference


def energy_report(board: Board, model: Path, opts: NvmOptions, csv_path: str | None,
                  json_path: str | None) -> str:
    table = load_ql_table(opts.qltable or None)
    elf, meta = build_nvm(board, model, replace(opts, ql="Q0", qlmap="", cap_uf=0.0))
    result = run_inference(board, elf, meta, default_inputs(meta["inputs"]))
    counts = [layer.count for layer in result.layers]
    ops = [layer["op"] for layer in meta["layers"]]
    n = len(counts)
    ql_of = load_ql_map(opts.qlmap, n) if opts.qlmap else {i: opts.ql for i in range(n)}
    cycle_pj = board.power_uw_per_mhz
    rows = task_energies(meta["persist"], counts, ops, cycle_pj, table, ql_of)
    totals = totals_per_ql(meta["persist"], counts, ops, cycle_pj, table)
    sizing = size_capacitors([r.total_pj * 1e-12 for r in rows[1:]], opts.v_on, opts.v_off)
    chosen = f"QL map {opts.qlmap}" if opts.qlmap else opts.ql
    mixed = sum(r.total_pj for r in rows)
    lines = [
        f"energy model of {meta['name']} on {board.name} (modelled with Eq. 1-2: cycles = "
        f"per-layer {result.unit} measured on QEMU (-icount shift=0) as a cycle proxy; E_cycle "
        f"{cycle_pj:g} pJ/cycle from {board.power_source}; NVM figures from {table.name})",
        f"per task at {chosen} (one charge per task: restore, compute, persist, commit):",
        format_tasks(rows, result.unit),
        f"total at {chosen}: {mixed / 1e6:.4f} uJ per inference",
        "totals per QL (every task output at that QL; saving = 1 - E(QL) / E(Q0)):",
        format_totals(totals),
        format_sizing(sizing),
    ]
    if csv_path:
        write_csv(rows, csv_path)
        lines.append(f"wrote {csv_path}")
    if json_path:
        write_json(rows, totals, {"model": meta["name"], "board": board.name,
                                  "cycles_source": f"{result.unit} measured on QEMU",
                                  "cycle_pj": cycle_pj, "qls": list(QL_NAMES)}, json_path)
        lines.append(f"wrote {json_path}")
    return "\n".join(lines)
