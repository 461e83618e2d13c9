"""Build options of intermittent inference (nvm=mram ql=... fault=... cap_uf=...).

The one place that validates them and names the build folder they produce, so
SConstruct, `python -m codegen` and the host tools agree.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import CompileError
from .faultmodel import FAULT_MODELS
from .quality import parse_ql

NVM_BACKENDS = ("none", "mram")


@dataclass(frozen=True)
class NvmOptions:
    nvm: str = "none"        # "none" (volatile, as before) or "mram" (emulated STT-MRAM)
    ql: str = "Q0"           # QL of every task output, unless qlmap is given
    qlmap: str = ""          # per-layer QL map file
    qltable: str = ""        # QL characterisation TOML (default: 32 nm STT-MRAM)
    seed: int = 1            # fault PRNG seed
    fault: str = "flip"      # a name of FAULT_MODELS: "flip" (paper), "switch" or "none"
    cap_uf: float = 0.0      # capacitor for the firmware power-failure model (0: none)
    v_on: float = 3.3        # V: the device turns on at this capacitor voltage
    v_off: float = 1.8       # V: and off at this one

    @property
    def enabled(self) -> bool:
        return self.nvm == "mram"


def parse_options(nvm: str, ql: str, qlmap: str, qltable: str, seed: str, fault: str,
                  cap_uf: str, v_on: str, v_off: str) -> NvmOptions:
    """Checks the build arguments; CompileError with what to pass instead."""
    if nvm not in NVM_BACKENDS:
        raise CompileError(f"nvm={nvm} is not a backend; use nvm=none or nvm=mram.")
    if fault not in FAULT_MODELS:
        raise CompileError(f"fault={fault} is not a fault model; use one of {', '.join(FAULT_MODELS)}.")
    try:
        seed_n = int(str(seed), 0)
    except ValueError:
        raise CompileError(f"seed={seed} is not an integer; pass e.g. seed=1.") from None
    if not 0 <= seed_n < 2**32:
        raise CompileError(f"seed={seed} is outside 0..4294967295.")
    try:
        cap, von, voff = float(cap_uf or 0), float(v_on), float(v_off)
    except ValueError:
        raise CompileError(f"capacitor settings must be numbers (cap_uf={cap_uf}, v_on={v_on}, "
                           f"v_off={v_off}).") from None
    if cap < 0 or not 0 < voff < von:
        raise CompileError(f"capacitor settings need cap_uf >= 0 and 0 < v_off < v_on "
                           f"(got cap_uf={cap_uf}, v_on={v_on}, v_off={v_off}).")
    if qlmap and not Path(qlmap).is_file():
        raise CompileError(f"QL map '{qlmap}' not found; pass qlmap=<file of 'layer QL' lines>.")
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


def usable_energy_j(capacitance_f: float, v_on: float, v_off: float) -> float:
    """C (V_on^2 - V_off^2) / 2, joules: what a capacitor delivers from V_on down to V_off."""
    return capacitance_f * (v_on * v_on - v_off * v_off) / 2.0


def budget_fj(opts: NvmOptions) -> int:
    """The capacitor's usable energy per charge in fJ (0: no capacitor)."""
    return int(round(usable_energy_j(opts.cap_uf * 1e-6, opts.v_on, opts.v_off) * 1e15))
