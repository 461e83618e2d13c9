"""A child process (QEMU or a host-board executable) that is always cleaned up.

Its stdout and stderr go to a temporary log, so a crash can be reported with what
the process said; it is killed on exit from the `with` block, and (on Linux) also
when this Python process dies.
"""
from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import TargetError

_PR_SET_PDEATHSIG = 1
_REPORT_LINES = 6
# Lines of a log that say nothing about a failure: QEMU's note that it waits for the
# serial client, and its CPU register dump after a fatal error.
_NOISE = re.compile(r"waiting for connection|^\s*([RSDsd]\d\d=|XPSR=|FPSCR|PSR=)")


def _die_with_parent() -> None:
    """Runs in the child before exec: ask Linux to SIGKILL it when we die."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class ManagedProcess:
    """Starts `argv`; use as a context manager. `url` is set by the launcher."""

    def __init__(self, argv: list[str], what: str, capture_stdout: bool = False) -> None:
        """what: a short description for messages, e.g. "QEMU (mps2-an386)".

        capture_stdout: keep stdout as a pipe (for a launcher that reads it) and log
        only stderr.
        """
        self.argv = argv
        self.what = what
        self.url = ""
        self._log = tempfile.NamedTemporaryFile(prefix="tp-target-", suffix=".log", delete=False)
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if capture_stdout else self._log,
                stderr=self._log,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        except OSError as e:
            self._remove_log()
            raise TargetError(f"cannot start {what} ({argv[0]}): {e.strerror}") from None

    def __enter__(self) -> ManagedProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """Ends the process (terminate, then kill) and removes its log."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self._remove_log()

    def report(self) -> str:
        """How the process is doing and the gist of what it printed, for messages."""
        if self.alive():
            try:  # a process that just failed may be a moment from exiting
                self.proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
        state = "is still running" if self.alive() else f"exited with status {self.proc.returncode}"
        lines = [ln for ln in self.output().splitlines() if ln.strip() and not _is_noise(ln)]
        said = " | ".join(lines[:_REPORT_LINES])
        return f"{self.what} {state}" + (f" and printed: {said}" if said else "")

    def output(self) -> str:
        """Everything the process wrote to its log so far."""
        try:
            return Path(self._log.name).read_text(errors="replace")
        except OSError:
            return ""

    def _remove_log(self) -> None:
        self._log.close()
        try:
            os.unlink(self._log.name)
        except OSError:
            pass


def _is_noise(line: str) -> bool:
    return bool(_NOISE.search(line))
