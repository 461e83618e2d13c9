"""Programs a firmware ELF into a real board with OpenOCD (default), st-flash or pyocd.

Each flasher is an external tool: a missing one, or a board that is not connected,
ends in one message saying what to install or check.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from boards import FLASHERS, Board

from ..errors import TargetError

FLASH_TIMEOUT_S = 120.0
# What each tool prints when no probe or target answers (lower case).
_NOT_CONNECTED = (
    "open failed",                                # OpenOCD: no ST-LINK on USB
    "unable to connect to the target",            # OpenOCD hla: probe found, target not
    "init mode failed",
    "couldn't find any st-link devices",          # st-flash
    "no stlink", "failed to connect to target",
    "no available debug probes", "no connected debug probes",  # pyocd
)
_INSTALL = {
    "openocd": "apt-get install openocd",
    "st-flash": "apt-get install stlink-tools",
    "pyocd": "pip install pyocd",
}


@dataclass
class FlashCommand:
    argv: list[str]
    binary: Path | None = None   # a raw image to write first (st-flash takes .bin)


def flash_command(board: Board, elf: Path, flasher: str) -> FlashCommand:
    """The command line that programs `elf` into `board` and resets it."""
    if board.flash is None:
        raise TargetError(f"board {board.name} is not flashed (it runs with run={board.run_method})")
    if flasher not in FLASHERS:
        raise TargetError(f"unknown flasher '{flasher}'; use one of {', '.join(FLASHERS)}")
    if flasher == "openocd":
        return FlashCommand(["openocd", *board.flash.openocd_configs,
                             "-c", f"program {elf} verify reset exit"])
    if flasher == "pyocd":
        return FlashCommand(["pyocd", "flash", "--no-wait", "-t", board.flash.pyocd_target, str(elf)])
    if not board.flash.stlink:
        raise TargetError(f"st-flash (stlink-tools) does not support {board.name}'s chip; "
                          f"use flasher=openocd or flasher=pyocd")
    binary = elf.with_suffix(".bin")
    origin = board.memory["flash"].origin
    return FlashCommand(["st-flash", "--reset", "write", str(binary), f"{origin:#x}"], binary)


def flash(board: Board, elf: Path | str, flasher: str = "openocd") -> str:
    """Programs the board; returns the tool's output. Raises TargetError with what to do."""
    elf = Path(elf)
    if not elf.is_file():
        raise TargetError(f"firmware {elf} not found; build it with scons board={board.name} model=...")
    cmd = flash_command(board, elf, flasher)
    tool = cmd.argv[0]
    if shutil.which(tool) is None:
        raise TargetError(f"{tool} is not installed; install it ({_INSTALL[tool]}) or choose "
                          f"another flasher (flasher={'|'.join(FLASHERS)})")
    if cmd.binary is not None:
        _objcopy_binary(elf, cmd.binary)
    try:
        proc = subprocess.run(cmd.argv, capture_output=True, text=True, timeout=FLASH_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise TargetError(f"{tool} did not finish within {FLASH_TIMEOUT_S:g} s; unplug and "
                          f"replug the board and try again") from None
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        if any(s in output.lower() for s in _NOT_CONNECTED):
            raise TargetError(
                f"{tool} found no {board.name} board: connect it with a USB data cable to "
                f"the ST-LINK connector, check its power LED, and that you may use the USB "
                f"device (see README, 'Real boards: troubleshooting')")
        if tool == "pyocd" and "not recognized" in output.lower():
            raise TargetError(f"pyocd lacks the {board.flash.pyocd_target} target; install its "
                              f"pack once with: pyocd pack install {board.flash.pyocd_target}")
        last = "\n".join(output.strip().splitlines()[-5:])
        raise TargetError(f"{tool} failed to flash {elf} (exit {proc.returncode}):\n{last}")
    return output


def _objcopy_binary(elf: Path, binary: Path) -> None:
    proc = subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", str(elf), str(binary)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise TargetError(f"arm-none-eabi-objcopy could not make {binary}: {proc.stderr.strip()}")
