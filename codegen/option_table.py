"""The compiler's build options, written once: SConstruct makes its `key=value` variables
from this table and `python -m codegen` its `--key` flags, and both parse them here, so
the two front ends take the same options with the same defaults and the same errors.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import CompileError
from .memoptions import MemoryOptions, parse_overhead
from .nvm.options import NvmOptions, parse_options


@dataclass(frozen=True)
class BuildOption:
    name: str           # scons `name=value`; `--name` (with dashes) for python -m codegen
    help: str
    default: str
    boolean: bool = False


BUILD_OPTIONS = (
    BuildOption("patch", "patch-based inference of the first layers: off, auto or <p>x<p>@<n>", "off"),
    BuildOption("patch_overhead", "patch=auto: most extra MACs allowed (fraction or percent)", "0.2"),
    BuildOption("inplace", "in-place depthwise and 1x1 convolution where it lowers the arena",
                "1", boolean=True),
    BuildOption("nvm", "intermittent inference: none (volatile) or mram (emulated STT-MRAM persistence)",
                "none"),
    BuildOption("ql", "nvm=mram: quality level Q0..Q4 of every persisted layer output", "Q0"),
    BuildOption("qlmap", "nvm=mram: per-layer QL map file ('<layer> <QL>' lines, 'default <QL>')", ""),
    BuildOption("qltable", "nvm=mram: QL characterisation TOML (default codegen/nvm/stt_mram_32nm.toml)",
                ""),
    BuildOption("seed", "nvm=mram: fault PRNG seed", "1"),
    BuildOption("fault", "nvm=mram: write-fault model: flip (every bit), switch (changing bits), none",
                "flip"),
    BuildOption("cap_uf", "nvm=mram: capacitor (uF) of the firmware power-failure model, 0: none", "0"),
    BuildOption("v_on", "nvm=mram: capacitor turn-on voltage (V)", "3.3"),
    BuildOption("v_off", "nvm=mram: capacitor turn-off voltage (V)", "1.8"),
)

_TRUE = ("1", "true", "yes", "on", "y", "t")
_FALSE = ("0", "false", "no", "off", "n", "f", "none")


def _flag(name: str, text: str) -> bool:
    if text.strip().lower() in _TRUE:
        return True
    if text.strip().lower() in _FALSE:
        return False
    raise CompileError(f"{name}={text} is not a yes/no value; use {name}=1 or {name}=0.")


def parse_build_options(values: Mapping[str, str]) -> tuple[MemoryOptions, NvmOptions]:
    """Options as strings (missing ones take their defaults) -> checked option records."""
    v = {o.name: str(values.get(o.name, o.default)) for o in BUILD_OPTIONS}
    memory = MemoryOptions(inplace=_flag("inplace", v["inplace"]), patch=v["patch"],
                           patch_overhead=parse_overhead(v["patch_overhead"]))
    memory.patch_spec()  # rejects a malformed patch=<p>x<p>@<n> now, not mid-build
    nvm = parse_options(v["nvm"], v["ql"], v["qlmap"], v["qltable"], v["seed"], v["fault"],
                        v["cap_uf"], v["v_on"], v["v_off"])
    return memory, nvm
