"""Build options of intermittent inference (scons nvm=mram ...) turned into a persistence plan.

The one place that validates nvm/ql/qlmap/qltable/seed/fault/capacitor settings, names
the build folder they produce, and computes the integer constants the firmware uses
(fault PRNG thresholds, energy per access), so SConstruct and the host tools agree.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

from .capacitor import usable_energy_j
from ..errors import ToolError
from .faults import MODELS, thresholds_for
from .qltable import QL_NAMES, load_ql_map, load_ql_table, parse_ql

NVM_BACKENDS = ("none", "mram")
FJ_PER_PJ = 1000


@dataclass(frozen=True)
class NvmOptions:
    nvm: str = "none"        # "none" (volatile, as before) or "mram" (emulated STT-MRAM)
    ql: str = "Q0"           # QL of every task output, unless qlmap is given
    qlmap: str = ""          # per-layer QL map file
    qltable: str = ""        # QL characterisation TOML (default: 32 nm STT-MRAM)
    seed: int = 1            # fault PRNG seed
    fault: str = "flip"      # "flip" (paper), "switch" (asymmetric) or "none"
    cap_uf: float = 0.0      # capacitor for the firmware power-failure model (0: none)
    v_on: float = 3.3        # V: the device turns on at this capacitor voltage
    v_off: float = 1.8       # V: and off at this one

    @property
    def enabled(self) -> bool:
        return self.nvm == "mram"


def parse_options(nvm: str, ql: str, qlmap: str, qltable: str, seed: str, fault: str,
                  cap_uf: str, v_on: str, v_off: str) -> NvmOptions:
    """Checks the scons arguments; ToolError with what to pass instead."""
    if nvm not in NVM_BACKENDS:
        raise ToolError(f"nvm={nvm} is not a backend; use nvm=none or nvm=mram.")
    if fault not in MODELS:
        raise ToolError(f"fault={fault} is not a fault model; use one of {', '.join(MODELS)}.")
    try:
        seed_n = int(str(seed), 0)
    except ValueError:
        raise ToolError(f"seed={seed} is not an integer; pass e.g. seed=1.") from None
    if not 0 <= seed_n < 2**32:
        raise ToolError(f"seed={seed} is outside 0..4294967295.")
    try:
        cap, von, voff = float(cap_uf or 0), float(v_on), float(v_off)
    except ValueError:
        raise ToolError(f"capacitor settings must be numbers (cap_uf={cap_uf}, v_on={v_on}, "
                        f"v_off={v_off}).") from None
    if cap < 0 or not 0 < voff < von:
        raise ToolError(f"capacitor settings need cap_uf >= 0 and 0 < v_off < v_on "
                        f"(got cap_uf={cap_uf}, v_on={v_on}, v_off={v_off}).")
    if qlmap and not Path(qlmap).is_file():
        raise ToolError(f"QL map '{qlmap}' not found; pass qlmap=<file of 'layer QL' lines>.")
    return NvmOptions(nvm, parse_ql(ql), qlmap, qltable, seed_n, fault, cap, von, voff)


def build_tag(opts: NvmOptions) -> str:
    """Suffix of the build folder: different settings never share generated files."""
    if not opts.enabled:
        return ""
    tag = f".mram-{opts.ql if not opts.qlmap else 'map%08x' % zlib.crc32(Path(opts.qlmap).read_bytes())}"
    tag += f"-{opts.fault}-s{opts.seed}"
    if opts.qltable:
        tag += "-t%08x" % zlib.crc32(Path(opts.qltable).read_bytes())
    if opts.cap_uf:
        tag += f"-c{opts.cap_uf:g}uF-{opts.v_on:g}-{opts.v_off:g}V"
    return tag


def budget_fj(opts: NvmOptions) -> int:
    """The capacitor's usable energy per charge in fJ (0: no capacitor)."""
    return int(round(usable_energy_j(opts.cap_uf * 1e-6, opts.v_on, opts.v_off) * 1e15))


def make_plan(model, board, opts: NvmOptions):
    """The PersistPlan of a compiled model for `board` under `opts`."""
    from codegen.persist import EnergyConstants, FaultTables, plan_persistence

    if board.toolchain != "arm-none-eabi":
        raise ToolError(f"nvm=mram needs RAM that survives a reset (QEMU mps2 boards, or a "
                        f"flashed board); board {board.name} runs as a host process. Use "
                        f"nvm=none on it.")
    if board.power_uw_per_mhz is None:
        raise ToolError(f"board {board.name} has no power_uw_per_mhz in its board.toml; the "
                        f"energy model needs it (uW/MHz = pJ per cycle).")
    table = load_ql_table(opts.qltable or None)
    n = len(model.layers)
    task_ql = load_ql_map(opts.qlmap, n) if opts.qlmap else {i: opts.ql for i in range(n)}
    rates = {ql: [(r.any, list(r.first), r.bit)
                  for r in thresholds_for(table.levels[ql], opts.fault)] for ql in QL_NAMES}
    cycle_fj = int(round(board.power_uw_per_mhz * FJ_PER_PJ))
    energy = EnergyConstants(
        cycle_fj=cycle_fj,
        write_word_fj={ql: cycle_fj + int(round(32 * table.levels[ql].write_pj_per_bit * FJ_PER_PJ))
                       for ql in QL_NAMES},
        read_word_fj=cycle_fj + int(round(32 * table.read_pj_per_bit * FJ_PER_PJ)))
    return plan_persistence(model, task_ql, FaultTables(opts.fault, rates), energy, opts.seed,
                            budget_fj(opts))
