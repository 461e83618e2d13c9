"""Runs a firmware ELF under QEMU with its first serial port on a local TCP port."""
from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

from boards import Board

from ..errors import TargetError
from .process import ManagedProcess

QEMU = "qemu-system-arm"
LISTEN_TIMEOUT_S = 10.0
_PORT_ATTEMPTS = 3
_LISTENING_MESSAGE = "waiting for connection"  # QEMU's note on stderr


def qemu_command(board: Board, elf: Path, tcp_port: int, qmp_socket: str | None = None) -> list[str]:
    """The QEMU command line. -icount shift=0 makes one instruction one virtual ns,
    which the instruction counter relies on; server,wait=on makes QEMU wait for our
    connection before the CPU starts, so no byte the firmware sends is lost."""
    return [
        QEMU,
        "-machine", str(board.qemu_machine),
        "-nographic",
        "-monitor", "none",
        "-icount", "shift=0",
        "-serial", f"tcp:127.0.0.1:{tcp_port},server=on,wait=on,nodelay=on",
        "-kernel", str(elf),
        *board.qemu_args,
        *(["-qmp", f"unix:{qmp_socket},server=on,wait=off"] if qmp_socket else []),
    ]


def start_qemu(board: Board, elf: Path, qmp_socket: str | None = None) -> ManagedProcess:
    """Starts QEMU for `board` running `elf`; the result's `url` is its serial port.

    Use the result as a context manager so QEMU is killed afterwards. qmp_socket: a
    Unix socket path for QMP (host-driven resets, host_tools/target/qmp.py).
    """
    if board.run_method != "qemu":
        raise TargetError(f"board {board.name} does not run under QEMU")
    if shutil.which(QEMU) is None:
        raise TargetError(f"{QEMU} is not installed; install it (Debian: apt-get install "
                          f"qemu-system-arm) or run on another board")
    if not Path(elf).is_file():
        raise TargetError(f"firmware {elf} does not exist; build it first")
    # A port picked here may be taken by someone else before QEMU binds it: retry.
    for _ in range(_PORT_ATTEMPTS):
        port = _free_port()
        proc = ManagedProcess(qemu_command(board, Path(elf), port, qmp_socket), f"QEMU ({board.name})")
        if _wait_listening(proc):
            proc.url = f"socket://127.0.0.1:{port}"
            return proc
        report = proc.report()
        proc.stop()
        if "Address already in use" not in report:
            break
    raise TargetError(f"QEMU did not start for {board.name} with {elf}: {report}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(proc: ManagedProcess) -> bool:
    """Waits until QEMU says it waits for our connection; False if it exits first.
    (Probing with a connection would take QEMU's one serial client.)"""
    deadline = time.monotonic() + LISTEN_TIMEOUT_S
    while time.monotonic() < deadline and proc.alive():
        if _LISTENING_MESSAGE in proc.output():
            return True
        time.sleep(0.02)
    return False
