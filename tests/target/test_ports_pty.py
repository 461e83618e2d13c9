"""The host link over a real tty (a pseudo-terminal pair, as /dev/ttyACM0 is a tty):
framing, a board reset in the middle of a session, and a timeout naming the port."""
from __future__ import annotations

import os
import pty
import threading
import tty
import zlib
from collections.abc import Iterator

import pytest
from cobs import cobs

from host_tools.errors import LinkTimeout
from host_tools.target.link import SerialLink
from host_tools.target.protocol import Command

BOOT_NOISE = b"\xff\x13\x37 reset \x00\x00\x42"  # what a resetting board may put on the wire


class PtyBoard:
    """Answers PING frames on the master side; `reset_at` drops that request (the board
    resets while receiving it) and sends boot noise instead; `silent` never answers."""

    def __init__(self, reset_at: int = 0, silent: bool = False) -> None:
        self.master, slave = pty.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave
        self.reset_at, self.silent, self.requests = reset_at, silent, 0
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        rx = b""
        while not self._stop:
            try:
                rx += os.read(self.master, 4096)
            except OSError:
                return
            while b"\x00" in rx:
                raw, rx = rx.split(b"\x00", 1)
                if not raw:
                    continue
                frame = cobs.decode(raw)
                self.requests += 1
                if self.silent:
                    continue
                if self.requests == self.reset_at:
                    os.write(self.master, BOOT_NOISE)
                    continue
                body = bytes([frame[0] | 0x80, frame[1], 0]) + (1).to_bytes(4, "little")
                if frame[0] == Command.PING:
                    body = bytes([frame[0] | 0x80, frame[1], 0]) + b"TPv1" + (1).to_bytes(2, "little")
                os.write(self.master, cobs.encode(body + zlib.crc32(body).to_bytes(4, "little")) + b"\x00")

    def close(self) -> None:
        self._stop = True
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def board(request) -> Iterator[PtyBoard]:
    b = PtyBoard(**getattr(request, "param", {}))
    yield b
    b.close()


def test_round_trip_over_a_tty(board):
    with SerialLink(board.path, timeout=1.0) as link:
        reply = link.request(Command.PING)
    assert (reply.cmd, reply.status) == (Command.PING | 0x80, 0)
    assert board.requests == 1


@pytest.mark.parametrize("board", [{"reset_at": 2}], indirect=True)
def test_board_reset_mid_session_is_recovered_by_a_resend(board):
    with SerialLink(board.path, timeout=0.5) as link:
        first = link.request(Command.PING)
        second = link.request(Command.PING)  # lost to the reset: noise, then a resend
    assert first.status == second.status == 0
    assert board.requests >= 3  # the noise may also spoil the first reply after it


@pytest.mark.parametrize("board", [{"silent": True}], indirect=True)
def test_silent_board_times_out_naming_the_port(board):
    with SerialLink(board.path, timeout=0.2, retries=1) as link:
        with pytest.raises(LinkTimeout, match=f"no valid reply from {board.path} to PING after 2 attempts"):
            link.request(Command.PING)
