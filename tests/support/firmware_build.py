"""Builds the firmware with a given model for a board, for tests, and starts it.

Calls the compiler directly (one gcc run compiles and links), with the flags from
boards.toolchain, so tests do not depend on the SCons build.
"""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from boards import REPO_ROOT, Board, load_board
from boards import toolchain
from host_tools.target.device import Device
from host_tools.target.hostexe import start_host_exe
from host_tools.target.link import SerialLink
from host_tools.target.process import ManagedProcess
from host_tools.target.qemu import start_qemu

FIRMWARE_SOURCES = [
    "firmware/main.c",
    "firmware/frame.c",
    "firmware/protocol.c",
    "firmware/runner.c",
    "firmware/cobs.c",
    "firmware/crc32.c",
    "firmware/stack.c",
]
FAKE_MODEL_DIR = REPO_ROOT / "tests" / "fixtures" / "fake_model"


def build_firmware(board: Board, model_dir: Path, out_dir: Path, opt: str = "O2") -> Path:
    """Compiles firmware + board + model.c into out_dir; returns the ELF/executable."""
    out_dir.mkdir(parents=True, exist_ok=True)
    image = out_dir / ("firmware" if board.toolchain == "host" else "firmware.elf")
    cmd = (
        [toolchain.compiler(board)]
        + toolchain.compile_flags(board, opt)
        + ["-Werror", f"-I{model_dir}"]
        + [str(REPO_ROOT / s) for s in FIRMWARE_SOURCES]
        + [str(s) for s in toolchain.sources(board)]
        + [str(model_dir / "model.c")]
        + toolchain.link_flags(board)
        + ["-o", str(image)]
    )
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"firmware build failed:\n{' '.join(cmd)}\n{result.stderr}")
    return image


# Until the firmware has set up its serial port, what the host sends may be lost:
# QEMU's STM32 USART drops bytes that come before the firmware enables it (as the
# chip does), and the STM32 clock setup first waits out RCC flags QEMU never sets.
READY_ATTEMPT_S = 0.25
READY_ATTEMPTS = 40


@contextmanager
def start_target(board_name: str, image: Path) -> Iterator[ManagedProcess]:
    """Starts QEMU or the host executable for `board_name` and yields it once the
    firmware has answered a PING, so a test's first bytes are never sent too early."""
    board = load_board(board_name)
    start = start_qemu if board.run_method == "qemu" else lambda b, i: start_host_exe(i)
    with start(board, image) as process:
        with SerialLink(process.url, timeout=READY_ATTEMPT_S, retries=READY_ATTEMPTS) as link:
            Device(link).ping()
        yield process
