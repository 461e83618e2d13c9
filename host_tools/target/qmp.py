"""A minimal QMP client (QEMU Machine Protocol over a Unix socket): host-driven resets."""
from __future__ import annotations

import json
import socket
import time

from ..errors import TargetError

CONNECT_TIMEOUT_S = 5.0


class Qmp:
    """Connected to a QEMU started with -qmp unix:<path>,server=on,wait=off."""

    def __init__(self, path: str) -> None:
        self.path = path
        deadline = time.monotonic() + CONNECT_TIMEOUT_S
        while True:
            try:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._sock.connect(path)
                break
            except OSError as e:
                self._sock.close()
                if time.monotonic() > deadline:
                    raise TargetError(f"cannot reach QEMU's QMP socket {path}: {e}") from None
                time.sleep(0.02)
        self._sock.settimeout(CONNECT_TIMEOUT_S)
        self._buf = b""
        self._read()  # greeting
        self.execute("qmp_capabilities")

    def _read(self) -> dict:
        while b"\n" not in self._buf:
            chunk = self._sock.recv(4096)
            if not chunk:
                raise TargetError(f"QEMU closed its QMP socket {self.path}")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command: str) -> dict:
        """Runs a QMP command; returns its 'return' (events in between are skipped)."""
        self._sock.sendall(json.dumps({"execute": command}).encode() + b"\n")
        while True:
            msg = self._read()
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise TargetError(f"QMP {command} failed: {msg['error'].get('desc', msg)}")

    def system_reset(self) -> None:
        """Resets the machine now, as a power failure would (RAM .noinit survives)."""
        self.execute("system_reset")

    def close(self) -> None:
        self._sock.close()
