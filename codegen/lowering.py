"""What an op becomes in C: kernel calls with a constant parameter struct each.

Every op module in codegen/ops/ turns one IR op into a list of KernelCall. The emitter
renders each call as

    static const <params_type> lN_K = { .field = value, ... };   /* in flash */
    <function>(&lN_K, <args...>);

where args are pointers to tensors (arena or flash) and to the layer's scratch buffer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

import numpy as np

if TYPE_CHECKING:
    from boards import Board


@dataclass
class Target:
    """What the code generator knows about the CPU it emits for."""
    cpu: str            # e.g. "cortex-m7", "host"
    dsp: bool           # ARMv7E-M / ARMv8-M DSP extension (SMLAD, SXTB16)
    fpu: bool
    fpu_double: bool = True  # binary64 in hardware (FPv5-D16, the host); False: soft-float
    # what the persistence plan (nvm=mram) needs of the board:
    board: str = "host"
    retains_ram: bool = False            # .noinit RAM survives a reset (cross-built firmware)
    pj_per_cycle: float | None = None    # active power in uW/MHz = pJ per cycle (energy model)

    @staticmethod
    def for_board(board: "Board") -> "Target":
        """The target a board's build compiles for (every caller must agree, or the plans,
        kernels and costs they derive differ from the firmware's)."""
        return Target(board.cpu, board.dsp, board.fpu, board.fpu_double, board=board.name,
                      retains_ram=board.toolchain == "arm-none-eabi",
                      pj_per_cycle=board.power_uw_per_mhz)


@dataclass
class ConstArray:
    """A constant array emitted in flash; a params field holding one renders as its name."""
    values: np.ndarray          # dtype picks the C type (int8, int16, int32, uint16, float32...)
    name: str = ""              # filled in by the emitter


@dataclass(frozen=True)
class TensorArg:
    """Pointer to an IR tensor's data: arena slot for activations, flash for constants."""
    tensor: int


@dataclass(frozen=True)
class ScratchArg:
    """Pointer to this call's scratch buffer (scratch_bytes, planned in the arena)."""


@dataclass(frozen=True)
class BufferArg:
    """Pointer `offset` bytes into a planned arena buffer by key (e.g. a patch stage's tiles)."""
    key: str
    offset: int = 0


@dataclass(frozen=True)
class IntArg:
    """An integer literal passed to an inline kernel, which folds it as a constant."""
    value: int


Arg = Union[TensorArg, ScratchArg, BufferArg, IntArg]
ParamValue = Union[int, float, ConstArray]


@dataclass
class KernelCall:
    function: str                       # C function, e.g. "tp_conv_s8"
    params_type: str                    # C struct type, e.g. "tp_conv_params"
    params: dict[str, ParamValue]       # struct fields in any order
    args: list[Arg]                     # pointers passed after &params, in order
    scratch_bytes: int = 0
    comment: str = ""                   # one line for the generated C
