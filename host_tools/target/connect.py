"""One way to reach the firmware on any board: QEMU, host executable or serial port."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from boards import Board

from .device import Device
from ..errors import TargetError
from .hostexe import start_host_exe
from .link import DEFAULT_TIMEOUT_S, SerialLink
from .ports import resolve_port
from .process import ManagedProcess
from .qemu import start_qemu

BOOT_TIMEOUT_S = 10.0  # for a started target to answer its first PING, all attempts


def _start(board: Board, elf: Path) -> ManagedProcess:
    """Starts the QEMU or host-executable target for `board`."""
    return start_qemu(board, elf) if board.run_method == "qemu" else start_host_exe(elf)


@contextmanager
def open_device(board: Board, elf_path: Path | str | None, port: str | None = None,
                timeout: float = DEFAULT_TIMEOUT_S) -> Iterator[Device]:
    """Yields a Device that has answered PING, and cleans up afterwards.

    port given: talk to that serial port or pyserial URL (a flashed board; elf_path
    is not used); "auto" finds the board's port by its USB IDs. Otherwise start the target the board runs on: QEMU with
    elf_path (run_method "qemu") or the executable elf_path (run_method "host").
    timeout: seconds to wait for each reply.
    """
    port = resolve_port(board, port)  # "auto": the board's USB serial port
    with ExitStack() as stack:
        process = None
        if port is None:
            if board.run_method == "serial":
                raise TargetError(f"board {board.name} runs on real hardware: pass the "
                                  f"serial port it is connected to (e.g. --port /dev/ttyACM0, "
                                  f"or --port auto to find it)")
            if elf_path is None:
                raise TargetError(f"no firmware given to run on {board.name}; build it first")
            process = stack.enter_context(_start(board, Path(elf_path)))
            port = process.url
        link = stack.enter_context(SerialLink(port, timeout=timeout))
        device = Device(link)
        try:
            boot_wait = BOOT_TIMEOUT_S / (1 + link.retries) if process else None
            device.ping(timeout=boot_wait)
        except TargetError as e:
            if process is None:
                raise
            cause = f" ({e})" if process.alive() else ""
            raise TargetError(f"firmware {elf_path} did not answer on {board.name}; is it "
                              f"built for this board? {process.report()}{cause}") from None
        yield device
