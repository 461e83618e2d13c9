"""Builds the firmware with a given model for a board, for tests, and starts it.

Calls the compiler directly (one gcc run compiles and links), with the flags from
boards.toolchain, so tests do not depend on the SCons build.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from boards import REPO_ROOT, Board, load_board
from boards import toolchain
from host_tools.target.hostexe import start_host_exe
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


def start_target(board_name: str, image: Path) -> ManagedProcess:
    """Starts QEMU or the host executable for `board_name`; use as a context manager."""
    board = load_board(board_name)
    return start_qemu(board, image) if board.run_method == "qemu" else start_host_exe(image)
