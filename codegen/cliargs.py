"""Command-line arguments, checked when they are parsed: the argparse types and parser of
`python -m codegen` and `python -m host_tools`.

A bad argument ends the command with one line, `error: argument --x: <what is wrong>`,
exit status 2 and no traceback, before any work starts (no build, no half-written file).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from .errors import CompileError
from .nvm.quality import parse_ql
from .reader import TFLITE_IDENTIFIER, is_tflite


class ArgumentParser(argparse.ArgumentParser):
    """argparse with its errors as one `error: ...` line (no usage block)."""

    def error(self, message: str):
        self.exit(2, f"error: {message} ({self.prog} -h lists the arguments)\n")


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} is not a positive count; give 1 or more")
    return n


def existing_file(text: str) -> Path:
    p = Path(text)
    if p.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a directory, not a file")
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"'{text}' does not exist")
    return p


def tflite_file(text: str) -> Path:
    p = existing_file(text)
    with p.open("rb") as f:
        if not is_tflite(f.read(8)):
            raise argparse.ArgumentTypeError(
                f"'{text}' is not a TFLite model (no {TFLITE_IDENTIFIER.decode()} flatbuffer "
                "identifier); pass a .tflite file written by the TFLite converter")
    return p


def _creatable(p: Path, text: str) -> None:
    """p does not exist yet: its nearest existing ancestor must be a writable directory."""
    parent = next(a for a in p.parents if a.exists())  # as given: relative stays relative
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"cannot create '{text}': '{parent}' is a file, "
                                         "not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot create '{text}': no write permission in "
                                         f"'{parent}'")


def writable_file(text: str) -> Path:
    """A file the command may create or overwrite; its missing folders are created now."""
    p = Path(text)
    if p.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a directory; give a file name")
    if p.exists():
        if not os.access(p, os.W_OK):
            raise argparse.ArgumentTypeError(f"'{text}' is not writable")
    else:
        _creatable(p, text)
        p.parent.mkdir(parents=True, exist_ok=True)
    return p


def writable_dir(text: str) -> Path:
    """A directory the command may write into (created if missing)."""
    p = Path(text)
    if p.exists() and not p.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a file, not a directory")
    if p.is_dir():
        if not os.access(p, os.W_OK | os.X_OK):
            raise argparse.ArgumentTypeError(f"no write permission in '{text}'")
    else:
        _creatable(p, text)
    return p


def serial_port(text: str) -> str:
    """`auto`, a pyserial URL (socket://...) or an existing device path."""
    if text == "auto" or "://" in text or Path(text).exists():
        return text
    raise argparse.ArgumentTypeError(f"no serial port '{text}'; plug the board in (dmesg "
                                     "shows its ttyACM device) or pass --port auto")


def ql_name(text: str) -> str:
    try:
        return parse_ql(text)
    except CompileError as exc:
        raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None


def ql_names(text: str) -> list[str]:
    """'Q0,Q2' -> ['Q0', 'Q2']; at least one level."""
    names = [ql_name(q) for q in text.split(",") if q.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"'{text}' names no quality level; e.g. Q0,Q1,Q2")
    return names
