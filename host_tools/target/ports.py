"""`--port auto`: find a real board's serial port by its USB IDs (pyserial's list_ports).

Nucleo boards show their ST-LINK's virtual COM port (VID 0x0483, PIDs in board.toml);
exactly one match is used, several or none are an error that lists what was seen.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from serial.tools import list_ports

from boards import Board

from ..errors import TargetError

AUTO = "auto"


def _describe(port) -> str:
    ids = f"{port.vid:04x}:{port.pid:04x}" if port.vid is not None else "no USB IDs"
    serial = f", serial {port.serial_number}" if port.serial_number else ""
    return f"{port.device} ({ids}{serial}, {port.description})"


def find_port(board: Board, comports: Callable[[], Iterable] = list_ports.comports) -> str:
    """The device path of the one connected port matching `board`'s USB IDs."""
    if board.usb_vid is None:
        raise TargetError(f"board {board.name} has no USB serial port to look for; "
                          f"--port auto is for real boards (e.g. stm32h743)")
    ports = list(comports())
    matches = [p for p in ports if p.vid == board.usb_vid and p.pid in board.usb_pids]
    if len(matches) == 1:
        return matches[0].device
    wanted = ", ".join(f"{board.usb_vid:04x}:{pid:04x}" for pid in board.usb_pids)
    if not matches:
        seen = "; ".join(_describe(p) for p in ports) or "none"
        raise TargetError(
            f"no ST-LINK serial port found for {board.name} (USB {wanted}); serial ports "
            f"seen: {seen}. Plug the board in with a data USB cable (the ST-LINK USB "
            f"connector), check `dmesg` shows a ttyACM device, or pass --port /dev/ttyACM0")
    raise TargetError(
        f"several boards match {board.name}: {'; '.join(_describe(p) for p in matches)}. "
        f"Pass the one to use with --port <device>")


def resolve_port(board: Board, port: str | None) -> str | None:
    """`port` itself, or the found port when it is "auto"."""
    return find_port(board) if port == AUTO else port
