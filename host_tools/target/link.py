"""Framed request/reply over a serial port, QEMU's TCP serial or the host board.

One code path for every target: pyserial's serial_for_url opens both
"socket://127.0.0.1:PORT" and "/dev/ttyACM0". Frames are COBS-encoded, ended by 0x00
and carry a zlib CRC-32; a corrupt or missing reply makes us send the request again
(the firmware answers a repeated request from its cache, so nothing runs twice).
"""
from __future__ import annotations

import random
import time
import zlib
from dataclasses import dataclass

import serial
from cobs import cobs

from ..errors import LinkTimeout, TargetError
from .protocol import REPLY_FLAG, TRANSPORT_ERRORS, Command

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_RETRIES = 3
BAUDRATE = 115200
# How long one read() may block; replies are assembled from such slices until the
# request's deadline, so the deadline is kept to within this much.
READ_SLICE_S = 0.05
# After noise or a damaged frame, how long to wait for our reply before resending.
DAMAGED_GRACE_S = 0.25
MAX_FRAME_BYTES = 4096  # larger than any reply: longer runs without 0x00 are noise


@dataclass
class Reply:
    cmd: int
    seq: int
    status: int
    payload: bytes


class SerialLink:
    """A connection to the firmware that sends requests and returns their replies."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT_S,
                 retries: int = DEFAULT_RETRIES) -> None:
        """Opens `url` (a device path or a pyserial URL such as socket://host:port).

        timeout: seconds to wait for each reply; retries: extra attempts per request.
        """
        self.url = url
        self.timeout = timeout
        self.retries = retries
        try:
            self._port = serial.serial_for_url(url, baudrate=BAUDRATE, timeout=READ_SLICE_S)
        except (serial.SerialException, ValueError, OSError) as e:
            raise TargetError(
                f"cannot open serial port {url}: {e}; check the device is plugged in "
                f"and the name is right (e.g. /dev/ttyACM0 or socket://127.0.0.1:PORT)"
            ) from None
        self._rx = bytearray()
        # Random start: a new session is unlikely to repeat, with the same seq, the last
        # request of the previous one (which the firmware would answer from its cache).
        self._seq = random.randrange(256)

    def close(self) -> None:
        self._port.close()

    def __enter__(self) -> SerialLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, cmd: int, payload: bytes = b"", timeout: float | None = None) -> Reply:
        """Sends one request and returns its reply (whatever its status).

        Raises LinkTimeout naming the port if no valid reply came after all retries.
        """
        self._seq = (self._seq + 1) & 0xFF
        body = bytes([cmd, self._seq]) + payload
        frame = body + zlib.crc32(body).to_bytes(4, "little")
        wait = self.timeout if timeout is None else timeout
        problem = ""
        for _ in range(1 + self.retries):
            self._send(frame)
            reply, problem = self._await_reply(cmd, wait)
            if reply is not None:
                return reply
        raise LinkTimeout(
            f"no valid reply from {self.url} to {_command_name(cmd)} after "
            f"{1 + self.retries} attempts (last: {problem}); check that the board is "
            f"connected to {self.url}, runs TinyPersist firmware and is not busy"
        )

    def _await_reply(self, cmd: int, wait: float) -> tuple[Reply | None, str]:
        """Reads until the reply to the request just sent; (None, why) if it is not
        coming and the request should be sent again."""
        deadline = time.monotonic() + wait
        problem = f"no reply within {wait:g} s"
        while (raw := self._read_frame(deadline)) is not None:
            reply = _parse_reply(raw)
            if reply is not None and reply.seq == self._seq and reply.cmd == cmd | REPLY_FLAG:
                if reply.status in TRANSPORT_ERRORS:
                    return None, "the device received a damaged request"
                return reply, ""
            if reply is None:
                # Noise or a damaged frame: ours may still follow, but if nothing
                # does soon, ours was what got damaged.
                problem = "damaged reply"
                deadline = min(deadline, time.monotonic() + DAMAGED_GRACE_S)
            # else a late reply to an earlier request (or a device's note about a
            # damaged frame that was not ours): ours is still coming
        return None, problem

    def _send(self, frame: bytes) -> None:
        # The leading 0x00 ends any partial frame the device holds, so it resyncs.
        try:
            self._port.write(b"\x00" + cobs.encode(frame) + b"\x00")
            self._port.flush()
        except (serial.SerialException, OSError) as e:
            raise TargetError(f"cannot write to {self.url}: {e}; is the device still "
                              f"connected?") from None

    def _read_frame(self, deadline: float) -> bytes | None:
        """The next non-empty encoded frame, or None at the deadline."""
        while True:
            end = self._rx.find(b"\x00")
            while end == 0:  # empty frame between two delimiters
                del self._rx[0]
                end = self._rx.find(b"\x00")
            if end > 0:
                raw = bytes(self._rx[:end])
                del self._rx[: end + 1]
                return raw
            if len(self._rx) > MAX_FRAME_BYTES:
                self._rx.clear()  # garbage without a delimiter
            if time.monotonic() >= deadline:
                return None
            # never block past the deadline (short polls while a device resumes)
            slice_s = min(READ_SLICE_S, max(deadline - time.monotonic(), 0.001))
            if self._port.timeout != slice_s:
                self._port.timeout = slice_s
            try:
                chunk = self._port.read(max(1, self._port.in_waiting))
            except (serial.SerialException, OSError) as e:
                raise TargetError(f"cannot read from {self.url}: {e}; is the device "
                                  f"still connected?") from None
            self._rx += chunk


def _parse_reply(raw: bytes) -> Reply | None:
    """Decodes and checks one reply frame; None if it is damaged."""
    try:
        frame = cobs.decode(raw)
    except cobs.DecodeError:
        return None
    if len(frame) < 7:
        return None
    body, crc = frame[:-4], int.from_bytes(frame[-4:], "little")
    if zlib.crc32(body) != crc:
        return None
    return Reply(cmd=body[0], seq=body[1], status=body[2], payload=bytes(body[3:]))


def _command_name(cmd: int) -> str:
    try:
        return Command(cmd).name
    except ValueError:
        return f"command {cmd:#04x}"
