"""Runs a host-board firmware executable; it serves the protocol on a TCP port."""
from __future__ import annotations

import os
import select
import time
from pathlib import Path

from ..errors import TargetError
from .process import ManagedProcess

START_TIMEOUT_S = 10.0


def start_host_exe(exe: Path) -> ManagedProcess:
    """Starts `exe` on a free port (argv[1] = 0) and reads the port it prints
    ("TP_PORT <n>"); the result's `url` is its serial URL. Use as a context manager."""
    exe = Path(exe)
    if not exe.is_file() or not os.access(exe, os.X_OK):
        raise TargetError(f"host firmware {exe} does not exist or is not executable; "
                          f"build it for board 'host' first")
    proc = ManagedProcess([str(exe), "0"], f"host firmware {exe.name}", capture_stdout=True)
    port, line = _read_port(proc)
    if port is None:
        report = proc.report()
        proc.stop()
        if line:
            raise TargetError(f"{exe} is not TinyPersist host firmware: it printed '{line}' "
                              f"instead of 'TP_PORT <n>'; build it for board 'host'")
        raise TargetError(f"{exe} did not announce its port within {START_TIMEOUT_S:g} s: "
                          f"{report}")
    proc.url = f"socket://127.0.0.1:{port}"
    return proc


def _read_port(proc: ManagedProcess) -> tuple[int | None, str]:
    """Reads the first stdout line, "TP_PORT <n>"; returns (port or None, the line).
    The line is empty if none came before the timeout or the exit."""
    assert proc.proc.stdout is not None
    fd = proc.proc.stdout.fileno()
    deadline = time.monotonic() + START_TIMEOUT_S
    text = b""
    while b"\n" not in text:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None, ""
        chunk = os.read(fd, 256)
        if not chunk:
            return None, ""  # exited
        text += chunk
    line = text.split(b"\n", 1)[0].decode(errors="replace").strip()
    words = line.split()
    if len(words) != 2 or words[0] != "TP_PORT" or not words[1].isdigit():
        return None, line
    return int(words[1]), line
