"""SerialLink against a scripted fake device on a local TCP port (socket:// URL, the
same path QEMU and the host board use): retries, resync, timeouts."""
from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator

import pytest
from cobs import cobs

from host_tools.target.device import Device
from host_tools.errors import LinkTimeout, TargetError
from host_tools.target.link import SerialLink
from host_tools.target.protocol import Command, Status

# A behaviour gets (request number, cmd, seq, payload) and returns the bytes to send,
# or a list of byte strings to send CHUNK_GAP_S apart.
Behaviour = Callable[[int, int, int, bytes], "bytes | list[bytes]"]
CHUNK_GAP_S = 0.5  # longer than the link's grace period after a damaged frame


def reply_frame(cmd: int, seq: int, status: int = 0, payload: bytes = b"") -> bytes:
    body = bytes([cmd | 0x80, seq, status]) + payload
    return cobs.encode(body + zlib.crc32(body).to_bytes(4, "little")) + b"\x00"


def echo(n: int, cmd: int, seq: int, payload: bytes) -> bytes:
    return reply_frame(cmd, seq, 0, payload)


class FakeDevice:
    """Accepts one client and answers each well-formed request with `behaviour`."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"socket://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        rx = b""
        with conn:
            while chunk := conn.recv(4096):
                rx += chunk
                while b"\x00" in rx:
                    raw, rx = rx.split(b"\x00", 1)
                    if raw:
                        frame = cobs.decode(raw)
                        assert zlib.crc32(frame[:-4]) == int.from_bytes(frame[-4:], "little")
                        self.requests.append(frame)
                        n = len(self.requests)
                        out = self.behaviour(n, frame[0], frame[1], frame[2:-4])
                        for i, part in enumerate([out] if isinstance(out, bytes) else out):
                            time.sleep(CHUNK_GAP_S if i else 0)
                            conn.sendall(part)

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def fake() -> Iterator[Callable[[Behaviour], FakeDevice]]:
    devices: list[FakeDevice] = []

    def make(behaviour: Behaviour) -> FakeDevice:
        devices.append(FakeDevice(behaviour))
        return devices[-1]

    yield make
    for d in devices:
        d.close()


def first_time(broken: Behaviour) -> Behaviour:
    """Misbehaves on the first request only, then echoes."""
    return lambda n, cmd, seq, p: broken(n, cmd, seq, p) if n == 1 else echo(n, cmd, seq, p)


def corrupt(n: int, cmd: int, seq: int, payload: bytes) -> bytes:
    frame = bytearray(reply_frame(cmd, seq, 0, payload))
    frame[2] ^= 0x40  # inside the COBS data: the CRC no longer matches
    return bytes(frame)


def test_echo_round_trip(fake):
    dev = fake(echo)
    with SerialLink(dev.url, timeout=1) as link:
        reply = link.request(Command.PING, b"hello")
    assert (reply.status, reply.payload) == (0, b"hello")
    assert len(dev.requests) == 1


def test_corrupt_reply_is_detected_and_request_resent(fake):
    dev = fake(first_time(corrupt))
    with SerialLink(dev.url, timeout=1) as link:
        assert link.request(Command.INFO, b"abc").payload == b"abc"
    assert len(dev.requests) == 2
    assert dev.requests[0] == dev.requests[1]  # same seq: the firmware can deduplicate


def test_missing_reply_is_resent_after_timeout(fake):
    dev = fake(first_time(lambda *a: b""))
    with SerialLink(dev.url, timeout=0.2) as link:
        assert link.request(Command.RUN, b"x").payload == b"x"
    assert len(dev.requests) == 2


def test_damaged_request_status_makes_link_resend(fake):
    dev = fake(first_time(lambda n, cmd, seq, p: reply_frame(cmd, seq, Status.ERR_CRC)))
    with SerialLink(dev.url, timeout=1) as link:
        assert link.request(Command.PING).status == Status.OK
    assert len(dev.requests) == 2


def test_resync_after_garbage_before_reply(fake):
    garbage = bytes([0x55, 0x00, 0x13, 0x37, 0xFF, 0x00, 0x02]) * 5 + b"\xAA" * 5000
    dev = fake(lambda n, cmd, seq, p: garbage + b"\x00" + echo(n, cmd, seq, p))
    with SerialLink(dev.url, timeout=1) as link:
        assert link.request(Command.PING, b"ok").payload == b"ok"
        assert link.request(Command.PING, b"again").payload == b"again"


def test_reply_to_an_earlier_request_is_ignored_without_resending(fake):
    def stale_first(n: int, cmd: int, seq: int, p: bytes) -> list[bytes]:
        return [reply_frame(cmd, (seq - 1) & 0xFF, 0, b"old"), reply_frame(cmd, seq, 0, p)]

    dev = fake(stale_first)
    with SerialLink(dev.url, timeout=1) as link:
        assert link.request(Command.PING, b"new").payload == b"new"
    assert len(dev.requests) == 1


def test_no_answer_is_a_timeout_naming_the_port(fake):
    dev = fake(lambda *a: b"")
    with SerialLink(dev.url, timeout=0.1, retries=2) as link:
        with pytest.raises(LinkTimeout) as e:
            link.request(Command.PING)
    assert dev.url in str(e.value)
    assert "PING" in str(e.value) and "3 attempts" in str(e.value) and "no reply" in str(e.value)
    assert len(dev.requests) == 3


def test_unopenable_port_is_a_clear_error():
    with pytest.raises(TargetError, match="/dev/ttyNOSUCHPORT"):
        SerialLink("/dev/ttyNOSUCHPORT")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"socket://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(TargetError, match=closed):
        SerialLink(closed)


def test_ping_rejects_other_firmware(fake):
    dev = fake(lambda n, cmd, seq, p: reply_frame(cmd, seq, 0, struct.pack("<IHH", 0xDEAD, 1, 512)))
    with SerialLink(dev.url, timeout=1) as link:
        with pytest.raises(TargetError, match="not TinyPersist firmware"):
            Device(link).ping()


# A board that answers garbage: the host tool must end with a TargetError that says
# so, in bounded time, and never a traceback from deep inside the parsing.

INFO_REPLY = struct.pack("<IIHBBB", 1, 4000, 3, 0, 1, 1) + struct.pack("<IBIB", 8, 0, 8, 0) \
    + b"\x01m\x01b"


def answering(payloads: dict[int, bytes]) -> Behaviour:
    """CRC-good replies with the given payload per command (INFO's is well-formed)."""
    table = {Command.INFO: INFO_REPLY, **payloads}
    return lambda n, cmd, seq, p: reply_frame(cmd, seq, 0, table.get(cmd, b""))


@pytest.mark.parametrize("call, payloads", [
    (lambda d: d.ping(), {Command.PING: b"TP"}),
    (lambda d: d.info(), {Command.INFO: b"\x01\x02\x03"}),
    (lambda d: d.info(), {Command.INFO: INFO_REPLY[:13] + b"\x00" * 3}),
    (lambda d: d.run(), {Command.RUN: b"\x01\x02"}),
    (lambda d: d.read_profile(), {Command.READ_PROFILE: b"\x00" * 7}),
    (lambda d: d.read_output(0), {Command.READ_OUTPUT: b"\x00" * 3}),
    (lambda d: d.read_layer(0), {Command.READ_LAYER: b"\x00" * 5}),
    (lambda d: d.read_layer(0), {Command.READ_LAYER: struct.pack("<IiB", 0xFFFFFFFF, 0, 0)}),
    (lambda d: d.read_stack(), {Command.READ_STACK: b""}),
])
def test_malformed_replies_are_a_clear_target_error(fake, call, payloads):
    dev = fake(answering(payloads))
    with SerialLink(dev.url, timeout=1) as link:
        with pytest.raises(TargetError, match="malformed reply"):
            call(Device(link))


@pytest.mark.parametrize("noise", [
    b"\xAA" * 20000,                         # never a delimiter
    bytes(range(1, 256)) * 8 + b"\x00",      # delimited, not COBS of a frame
    b"\x05\x01\x02\x03\x04\x00" * 200,       # COBS, too short, bad CRC
])
def test_a_board_answering_only_noise_times_out_in_bounded_time(fake, noise):
    dev = fake(lambda *a: noise)
    started = time.monotonic()
    with SerialLink(dev.url, timeout=0.3, retries=2) as link:
        with pytest.raises(LinkTimeout, match="no valid reply"):
            Device(link).ping()
    assert time.monotonic() - started < 3 * 0.3 + 2.0


def test_a_board_answering_for_another_request_times_out(fake):
    dev = fake(lambda n, cmd, seq, p: reply_frame(cmd ^ 0x0F, seq ^ 0x55, 0, b"x") * 50)
    with SerialLink(dev.url, timeout=0.3, retries=1) as link:
        with pytest.raises(LinkTimeout):
            link.request(Command.PING)
