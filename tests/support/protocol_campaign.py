"""Adversarial frames against the fake-model firmware over one serial session.

    python -m tests.support.protocol_campaign --board mps2-an500 --frames 100000 --seed 1

sends that many seeded random cases (garbage bytes, damaged CRCs, frames past the
receive buffer, wrong lengths, bad indices, ranges and layer ranges, input writes
past the input, reads before an inference, resent requests, frames split at every
byte boundary, floods of back-to-back frames), checks each reply against a model of
the firmware's checks, pings every few cases to prove the link is in sync, watches
QEMU for a fault exit, and ends with a full inference that must be bit-exact and a
stack high-water mark that must stay inside the reserved stack.
"""
from __future__ import annotations

import argparse
import random
import socket
import struct
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cobs import cobs

from boards import load_board
from host_tools.errors import TargetError
from host_tools.target.device import Device
from host_tools.target.link import SerialLink
from host_tools.target.protocol import MAGIC, MAX_CHUNK, REPLY_FLAG, Command, Status
from tests.support.fake_model import LAYERS, SIZE, fake_input, model_output
from tests.support.firmware_build import FAKE_MODEL_DIR, build_firmware, start_target

MAX_REQUEST = 2 + 8 + MAX_CHUNK + 4          # TP_MAX_REQUEST
RX_BYTES = MAX_REQUEST + MAX_REQUEST // 254 + 1  # TP_COBS_MAX_ENCODED(TP_MAX_REQUEST)
PROFILE_MAX = MAX_CHUNK // 4
REPLY_TIMEOUT_S = 10.0
SYNC_EVERY = 20  # cases between PING round trips
FRAME_GAP_S = 0.5  # TP_FRAME_GAP_MS: the firmware drops a partial frame this old
STALE_REPLY = (0x7F | REPLY_FLAG, 0, Status.ERR_FRAME)  # what the rest of it gets
DAMAGED = frozenset({Status.ERR_FRAME, Status.ERR_CRC})
KNOWN = {int(c) for c in Command}


def request_frame(cmd: int, seq: int, payload: bytes = b"") -> bytes:
    """A request as the firmware wants it on the wire: COBS, CRC, 0x00 at the end."""
    body = bytes([cmd, seq]) + payload
    return cobs.encode(body + zlib.crc32(body).to_bytes(4, "little")) + b"\x00"


class RawClient:
    """Bytes-level access to the firmware, to send what SerialLink never would."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        host, port = url.removeprefix("socket://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rx = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def raw_reply(self) -> bytes:
        """The next encoded frame (without its 0x00); socket timeout if none comes."""
        while b"\x00" not in self.rx:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the target closed the connection")
            self.rx += chunk
            if len(self.rx) > 2 * RX_BYTES + 64 and b"\x00" not in self.rx:
                raise ConnectionError(f"{len(self.rx)} bytes without a frame delimiter")
        raw, self.rx = self.rx.split(b"\x00", 1)
        return raw

    def reply(self) -> tuple[int, int, int, bytes]:
        """(cmd, seq, status, payload) of the next reply, CRC checked."""
        frame = cobs.decode(self.raw_reply())
        assert zlib.crc32(frame[:-4]) == int.from_bytes(frame[-4:], "little")
        return frame[0], frame[1], frame[2], frame[3:-4]

    def drain(self, quiet_s: float = 0.3) -> None:
        """Drops everything the target sends until it has been quiet for quiet_s."""
        self.sock.settimeout(quiet_s)
        try:
            while self.sock.recv(4096):
                pass
        except (TimeoutError, socket.timeout):
            pass
        finally:
            self.sock.settimeout(REPLY_TIMEOUT_S)
        self.rx = b""

    def close(self) -> None:
        self.sock.close()


@dataclass
class Expect:
    """One reply the firmware owes: statuses it may have, and (for frames that got
    through) the cmd and seq it must echo; check: extra test of an OK payload."""
    statuses: frozenset[int]
    cmd: int | None = None
    seq: int | None = None
    check: Callable[[bytes], bool] | None = None
    same_as_last: bool = False  # a resend: the reply must repeat the previous one
    cached: bool = False  # to a CRC-good request: the firmware keeps it for resends


@dataclass
class Case:
    kind: str
    parts: list[bytes]  # sent with a short pause between parts
    expects: list[Expect] = field(default_factory=list)


class FirmwareModel:
    """The firmware's request checks (firmware/protocol.c), to predict each status."""

    def __init__(self, info_payload: bytes) -> None:
        self.info_payload = info_payload
        self.ran: set[int] = set()
        self.last: tuple[int, int] | None = None  # (seq, crc) of the last CRC-good frame
        self.last_status: int | None = None

    def status(self, cmd: int, p: bytes) -> int:
        n = len(p)
        if cmd == Command.PING or cmd == Command.INFO or cmd == Command.READ_STACK:
            return Status.OK if n == 0 else Status.ERR_LENGTH
        if cmd == Command.WRITE_INPUT:
            if n < 5:
                return Status.ERR_LENGTH
            index, offset = struct.unpack_from("<BI", p)
            if index >= 1:
                return Status.ERR_INDEX
            length = n - 5
            if length == 0 or length > MAX_CHUNK or not _inside(offset, length, SIZE):
                return Status.ERR_RANGE
            return Status.OK
        if cmd == Command.RUN:
            if n != 4:
                return Status.ERR_LENGTH
            first, end = struct.unpack("<HH", p)
            return Status.OK if first < end <= LAYERS else Status.ERR_LAYERS
        if cmd == Command.READ_PROFILE:
            if n != 4:
                return Status.ERR_LENGTH
            first, count = struct.unpack("<HH", p)
            ok = count <= PROFILE_MAX and _inside(first, count, LAYERS)
            return Status.OK if ok else Status.ERR_RANGE
        if cmd == Command.READ_OUTPUT:
            if n != 7:
                return Status.ERR_LENGTH
            index, offset, length = struct.unpack("<BIH", p)
            if index >= 1:
                return Status.ERR_INDEX
            if length > MAX_CHUNK or not _inside(offset, length, SIZE):
                return Status.ERR_RANGE
            return Status.OK if LAYERS - 1 in self.ran else Status.ERR_STATE
        if cmd == Command.READ_LAYER:
            if n != 8:
                return Status.ERR_LENGTH
            layer, offset, length = struct.unpack("<HIH", p)
            if layer >= LAYERS:
                return Status.ERR_INDEX
            if length > MAX_CHUNK or not _inside(offset, length, SIZE):
                return Status.ERR_RANGE
            return Status.OK if layer in self.ran else Status.ERR_STATE
        return Status.ERR_COMMAND

    def payload_check(self, cmd: int, p: bytes) -> Callable[[bytes], bool] | None:
        if cmd == Command.PING:
            return lambda r: r == struct.pack("<IHH", MAGIC, 1, MAX_CHUNK)
        if cmd == Command.INFO:
            return lambda r: r == self.info_payload
        if cmd == Command.RUN:
            return lambda r: len(r) == 8
        if cmd == Command.READ_PROFILE:
            return lambda r: len(r) == 4 * struct.unpack("<HH", p)[1]
        if cmd == Command.READ_OUTPUT:
            return lambda r: len(r) == struct.unpack("<BIH", p)[2]
        if cmd == Command.READ_LAYER:
            return lambda r: len(r) == 9 + struct.unpack("<HIH", p)[2]
        if cmd == Command.READ_STACK:
            return lambda r: len(r) == 8
        return lambda r: r == b""

    def expect_request(self, cmd: int, seq: int, payload: bytes) -> Expect:
        """Updates the model for a CRC-good request and says what it must answer."""
        body = bytes([cmd, seq]) + payload
        key = (seq, zlib.crc32(body))
        if key == self.last:
            return Expect(frozenset({self.last_status}), cmd | REPLY_FLAG, seq,
                          same_as_last=True, cached=True)
        status = self.status(cmd, payload)
        if cmd == Command.RUN and status == Status.OK:
            first, end = struct.unpack("<HH", payload)
            self.ran.update(range(first, end))
        self.last, self.last_status = key, status
        check = self.payload_check(cmd, payload) if status == Status.OK else (lambda r: r == b"")
        return Expect(frozenset({status}), cmd | REPLY_FLAG, seq, check, cached=True)


def _inside(offset: int, length: int, size: int) -> bool:
    return offset <= size and length <= size - offset


def damaged_pieces(wire: bytes) -> list[Expect]:
    """What the firmware answers to bytes that hold no CRC-good frame: one error
    reply per non-empty piece between 0x00 delimiters (wire ends with 0x00)."""
    pieces = wire.split(b"\x00")[:-1]
    return [Expect(DAMAGED) for piece in pieces if piece]


class Generator:
    """Seeded adversarial cases; keeps the firmware model in step with what it sends."""

    def __init__(self, rng: random.Random, model: FirmwareModel) -> None:
        self.rng = rng
        self.model = model
        self.seq = rng.randrange(256)
        self.split_at = 1  # next byte boundary to split a frame at
        self.last_wire: bytes | None = None  # the last CRC-good request, for resends
        self.kinds: list[tuple[str, int, Callable[[], Case]]] = [
            ("garbage", 10, self.garbage),
            ("bad_crc", 10, self.bad_crc),
            ("wire_flip", 6, self.wire_flip),
            ("truncated", 5, self.truncated),
            ("too_long", 6, self.too_long),
            ("bad_length", 8, self.bad_length),
            ("bad_fields", 20, self.bad_fields),
            ("unknown_cmd", 4, self.unknown_cmd),
            ("valid", 12, self.valid),
            ("resend", 4, self.resend),
            ("split", 8, self.split),
        ]
        self._weights = [w for _, w, _ in self.kinds]

    def next_seq(self) -> int:
        self.seq = (self.seq + 1) & 0xFF
        return self.seq

    def case(self) -> Case:
        kind, _, make = self.rng.choices(self.kinds, self._weights)[0]
        return make()

    def good(self, kind: str, cmd: int, payload: bytes) -> Case:
        seq = self.next_seq()
        wire = request_frame(cmd, seq, payload)
        expect = self.model.expect_request(cmd, seq, payload)
        self.last_wire = wire
        return Case(kind, [wire], [expect])

    # -- the categories --------------------------------------------------------------

    def garbage(self) -> Case:
        r = self.rng
        n = r.choice([r.randrange(1, 16), r.randrange(16, 600), r.randrange(600, 1500)])
        zero_odds = r.choice([0.0, 0.01, 0.2])
        data = bytes(0 if r.random() < zero_odds else r.randrange(1, 256) for _ in range(n))
        wire = data + b"\x00"
        return Case("garbage", [wire], damaged_pieces(wire))

    def bad_crc(self) -> Case:
        cmd, payload = self.any_request()
        seq = self.next_seq()
        body = bytearray([cmd, seq]) + payload
        frame = body + zlib.crc32(bytes(body)).to_bytes(4, "little")
        bit = self.rng.randrange(8 * len(frame))
        frame[bit // 8] ^= 1 << (bit % 8)
        wire = cobs.encode(bytes(frame)) + b"\x00"
        if len(wire) - 1 > RX_BYTES:
            return Case("bad_crc", [wire], [Expect(frozenset({Status.ERR_FRAME}))])
        return Case("bad_crc", [wire],
                    [Expect(frozenset({Status.ERR_CRC}), frame[0] | REPLY_FLAG, frame[1])])

    def wire_flip(self) -> Case:
        cmd, payload = self.any_request()
        wire = bytearray(request_frame(cmd, self.next_seq(), payload))
        pos = self.rng.randrange(len(wire) - 1)
        wire[pos] = (wire[pos] + self.rng.randrange(1, 256)) & 0xFF  # any other value
        return Case("wire_flip", [bytes(wire)], damaged_pieces(bytes(wire)))

    def truncated(self) -> Case:
        """A frame cut short (the host died mid-frame), ended by the next delimiter."""
        cmd, payload = self.any_request()
        wire = request_frame(cmd, self.next_seq(), payload)
        cut = wire[:self.rng.randrange(1, len(wire) - 1)] + b"\x00"
        return Case("truncated", [cut], damaged_pieces(cut))

    def too_long(self) -> Case:
        """CRC-good frames longer than any request: past the receive buffer they are
        framing errors, just inside it the command's own checks answer."""
        r = self.rng
        cmd = r.choice(sorted(KNOWN) + [0x55])
        n = r.choice([r.randrange(MAX_CHUNK, MAX_CHUNK + 20), r.randrange(MAX_CHUNK + 20, 3000)])
        payload = bytes(r.randrange(256) for _ in range(n))
        seq = self.next_seq()
        wire = request_frame(cmd, seq, payload)
        if len(wire) - 1 > RX_BYTES:
            return Case("too_long", [wire], [Expect(frozenset({Status.ERR_FRAME}))])
        self.last_wire = wire
        return Case("too_long", [wire], [self.model.expect_request(cmd, seq, payload)])

    def bad_length(self) -> Case:
        r = self.rng
        cmd = r.choice([Command.PING, Command.INFO, Command.READ_STACK, Command.RUN,
                        Command.READ_PROFILE, Command.READ_OUTPUT, Command.READ_LAYER,
                        Command.WRITE_INPUT])
        right = {Command.RUN: 4, Command.READ_PROFILE: 4, Command.READ_OUTPUT: 7,
                 Command.READ_LAYER: 8, Command.WRITE_INPUT: 5}.get(cmd, 0)
        n = r.choice([k for k in range(0, 12) if k != right and not
                      (cmd == Command.WRITE_INPUT and k > right)])
        return self.good("bad_length", cmd, bytes(r.randrange(256) for _ in range(n)))

    def bad_fields(self) -> Case:
        """Right lengths, adversarial numbers: indices, offsets near and past the end,
        lengths past the chunk, layer ranges backwards or past the model."""
        r = self.rng
        edge16 = lambda size: r.choice([0, 1, size - 1, size, size + 1, 0xFFFF, r.randrange(0x10000)])
        edge32 = lambda size: r.choice([0, size - 1, size, size + 1, 0x7FFFFFFF, 0xFFFFFFFF,
                                        0xFFFFFFFF - r.randrange(600), r.randrange(2 * size)])
        cmd = r.choice([Command.WRITE_INPUT, Command.RUN, Command.READ_PROFILE,
                        Command.READ_OUTPUT, Command.READ_LAYER])
        index = r.choice([0, 0, 1, 255])
        if cmd == Command.WRITE_INPUT:
            length = r.choice([1, MAX_CHUNK, MAX_CHUNK + 1, r.randrange(1, 40)])
            offset = edge32(SIZE)
            if offset < 2:
                offset = 2  # keep layer 1's spin count (input[0:2]) zero
            data = bytes(r.randrange(256) for _ in range(length))
            return self.good("bad_fields", cmd, struct.pack("<BI", index, offset) + data)
        if cmd == Command.RUN:
            first, end = r.choice([(edge16(LAYERS), edge16(LAYERS)),
                                   (r.randrange(2, LAYERS), r.randrange(0, LAYERS + 2))])
            if first < 2 and first < end <= LAYERS:
                first = 2  # valid runs skip layers 0 and 1 (the final check runs them)
                end = max(end, 3)
            return self.good("bad_fields", cmd, struct.pack("<HH", first, end))
        if cmd == Command.READ_PROFILE:
            return self.good("bad_fields", cmd, struct.pack("<HH", edge16(LAYERS), edge16(PROFILE_MAX)))
        if cmd == Command.READ_OUTPUT:
            return self.good("bad_fields", cmd,
                             struct.pack("<BIH", index, edge32(SIZE), edge16(MAX_CHUNK)))
        return self.good("bad_fields", cmd,
                         struct.pack("<HIH", edge16(LAYERS), edge32(SIZE), edge16(MAX_CHUNK)))

    def unknown_cmd(self) -> Case:
        cmd = self.rng.choice([c for c in range(256) if c not in KNOWN])
        return self.good("unknown_cmd", cmd, bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(20))))

    def valid(self) -> Case:
        cmd, payload = self.valid_request()
        return self.good("valid", cmd, payload)

    def resend(self) -> Case:
        """The last CRC-good request again, same seq: the cached reply, not a rerun."""
        if self.last_wire is None:
            return self.valid()
        frame = cobs.decode(self.last_wire[:-1])
        expect = self.model.expect_request(frame[0], frame[1], frame[2:-4])
        return Case("resend", [self.last_wire], [expect])

    def split(self) -> Case:
        """A valid request sent in two writes, split at the next byte boundary in turn."""
        case = self.valid()
        wire = case.parts[0]
        k = 1 + (self.split_at - 1) % (len(wire) - 1)
        self.split_at += 1
        return Case("split", [wire[:k], wire[k:]], case.expects)

    def busy(self) -> Case:
        """Sets layer 1's spin count and runs it: the firmware is busy for a while
        (up to ~2.5M instructions), so frames sent behind it pile up in its receive
        buffer."""
        spins = struct.pack("<H", self.rng.randrange(20, 128))
        write = self.good("busy", Command.WRITE_INPUT, struct.pack("<BI", 0, 0) + spins)
        run = self.good("busy", Command.RUN, struct.pack("<HH", 1, 2))
        return Case("busy", write.parts + run.parts, write.expects + run.expects)

    def valid_request(self) -> tuple[int, bytes]:
        r = self.rng
        cmd = r.choice([Command.PING, Command.INFO, Command.READ_STACK, Command.WRITE_INPUT,
                        Command.RUN, Command.READ_PROFILE, Command.READ_OUTPUT,
                        Command.READ_LAYER])
        if cmd in (Command.PING, Command.INFO, Command.READ_STACK):
            return cmd, b""
        if cmd == Command.WRITE_INPUT:
            offset = r.randrange(2, SIZE)
            length = r.randrange(1, min(MAX_CHUNK, SIZE - offset) + 1)
            return cmd, struct.pack("<BI", 0, offset) + bytes(r.randrange(256) for _ in range(length))
        if cmd == Command.RUN:
            first = r.randrange(2, LAYERS)
            return cmd, struct.pack("<HH", first, r.randrange(first + 1, LAYERS + 1))
        if cmd == Command.READ_PROFILE:
            first = r.randrange(LAYERS)
            return cmd, struct.pack("<HH", first, r.randrange(0, min(PROFILE_MAX, LAYERS - first) + 1))
        offset = r.randrange(SIZE + 1)
        length = r.randrange(0, min(MAX_CHUNK, SIZE - offset) + 1)
        if cmd == Command.READ_OUTPUT:
            return cmd, struct.pack("<BIH", 0, offset, length)
        return cmd, struct.pack("<HIH", r.randrange(LAYERS), offset, length)

    def any_request(self) -> tuple[int, bytes]:
        """A request to damage: valid, or any command with random bytes."""
        if self.rng.random() < 0.7:
            return self.valid_request()
        return self.rng.randrange(256), bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(40)))


@dataclass
class Tally:
    frames: int = 0
    faults: int = 0
    lost_syncs: int = 0
    bad_replies: int = 0
    stale: int = 0  # frames the firmware dropped as stale after a host stall
    notes: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        if len(self.notes) < 20:
            self.notes.append(what)


class Campaign:
    """Runs cases over one RawClient and tallies what went wrong."""

    def __init__(self, client: RawClient, gen: Generator, alive: Callable[[], bool]) -> None:
        self.client = client
        self.gen = gen
        self.alive = alive
        self.tally = Tally()
        self.last_reply: tuple[int, int, int, bytes] | None = None
        self.sent_at = time.monotonic()

    def run(self, frames: int, flood_odds: float = 0.05) -> Tally:
        """Sends cases until `frames` frames (pieces between 0x00 delimiters) went out."""
        since_sync = 0
        while self.tally.frames < frames and not self.tally.faults:
            before = self.tally.frames
            if self.gen.rng.random() < flood_odds:
                # Generated in sending order: the model follows each case as it is made.
                batch = [self.gen.busy()] if self.gen.rng.random() < 0.5 else []
                batch += [self.gen.case() for _ in range(self.gen.rng.randrange(5, 40))]
                self.exchange(b"".join(p for c in batch for p in c.parts), batch, "flood")
                since_sync = SYNC_EVERY
            else:
                case = self.gen.case()
                self.exchange(case.parts, [case], case.kind)
            since_sync += self.tally.frames - before
            if since_sync >= SYNC_EVERY:
                self.check_sync()
                since_sync = 0
        return self.tally

    def exchange(self, parts: bytes | list[bytes], cases: list[Case], kind: str) -> None:
        self.tally.frames += sum(max(1, len(c.expects)) for c in cases)
        self.sent_at = time.monotonic()
        try:
            if isinstance(parts, bytes):
                self.client.send(parts)
            else:
                for i, part in enumerate(parts):
                    if i:
                        time.sleep(0.002)
                    self.client.send(part)
            for case in cases:
                for expect in case.expects:
                    self.verify(expect, case.kind if kind != "flood" else f"flood/{case.kind}")
        except (TimeoutError, socket.timeout, ConnectionError) as e:
            self.lost(f"{kind}: no reply ({e})", closed=isinstance(e, ConnectionError))

    def verify(self, expect: Expect, kind: str) -> None:
        raw = self.client.raw_reply()
        try:
            frame = cobs.decode(raw)
        except cobs.DecodeError:
            frame = b""
        if len(frame) < 7 or zlib.crc32(frame[:-4]) != int.from_bytes(frame[-4:], "little"):
            self.bad(f"{kind}: damaged reply {raw[:24].hex()}")
            return
        reply = (frame[0], frame[1], frame[2], frame[3:-4])
        cmd, seq, status, payload = reply
        wrong = []
        if status not in expect.statuses:
            wrong.append(f"status {status} not in {sorted(expect.statuses)}")
        if expect.cmd is not None and (cmd, seq) != (expect.cmd, expect.seq):
            wrong.append(f"cmd/seq {cmd:#04x}/{seq} not {expect.cmd:#04x}/{expect.seq}")
        if expect.same_as_last and reply != self.last_reply:
            wrong.append("a resend got a different reply")
        elif expect.check is not None and not expect.check(payload):
            wrong.append(f"payload {payload[:16].hex()} ({len(payload)} bytes)")
        late = time.monotonic() - self.sent_at
        if wrong and (cmd, seq, status) == STALE_REPLY and late >= FRAME_GAP_S:
            # QEMU's virtual clock runs on while the vCPU idles: a host stall of
            # FRAME_GAP_S in the middle of a frame makes it stale, as designed.
            self.tally.stale += 1
            self.tally.note(f"frame {self.tally.frames}: {kind}: dropped as stale, reply "
                            f"{late:.2f} s after sending (host stall)")
        elif wrong:
            self.bad(f"{kind}: " + "; ".join(wrong))
        if expect.cached:
            self.last_reply = reply

    def check_sync(self) -> None:
        seq = self.gen.next_seq()
        try:
            self.sent_at = time.monotonic()
            self.client.send(request_frame(Command.PING, seq))
            expect = self.gen.model.expect_request(Command.PING, seq, b"")
            before = self.tally.bad_replies
            self.verify(expect, "sync PING")
            if self.tally.bad_replies != before:
                self.lost("sync PING answered wrongly")
        except (TimeoutError, socket.timeout, ConnectionError) as e:
            self.lost(f"sync PING: no reply ({e})", closed=isinstance(e, ConnectionError))

    def bad(self, what: str) -> None:
        self.tally.bad_replies += 1
        late = time.monotonic() - self.sent_at
        self.tally.note(f"frame {self.tally.frames}: {what} ({late:.2f} s after sending)")

    def lost(self, what: str, closed: bool = False) -> None:
        """Out of step: count it, then resync (flush, 0x00, drain) if the target lives.
        closed: the connection ended, so the target is probably exiting: let it."""
        settle = time.monotonic() + (2.0 if closed else 0.0)
        while self.alive() and time.monotonic() < settle:
            time.sleep(0.05)
        if not self.alive():
            self.tally.faults += 1
            self.tally.note(f"frame {self.tally.frames}: target died: {what}")
            return
        self.tally.lost_syncs += 1
        self.tally.note(f"frame {self.tally.frames}: lost sync: {what}")
        self.client.drain()
        self.client.send(b"\x00")
        self.client.drain()


def final_inference(url: str) -> tuple[bool, str]:
    """A full inference through the host tool; (bit-exact, stack note)."""
    with SerialLink(url, timeout=5.0) as link:
        device = Device(link)
        device.ping()
        x = fake_input(0)
        device.write_input(0, x)
        device.run()
        exact = device.read_output(0) == model_output(x)
        stack = device.read_stack()
    inside = stack.reserved == 0 or stack.high_water < stack.reserved
    return exact and inside, f"stack high-water {stack.high_water} of {stack.reserved} bytes"


@dataclass
class Result:
    tally: Tally
    exact: bool
    stack: str
    seconds: float

    def line(self) -> str:
        t = self.tally
        stale = f" ({t.stale} dropped as stale after a host stall)" if t.stale else ""
        return (f"{t.frames} frames: {t.faults} firmware faults, {t.lost_syncs} lost syncs, "
                f"{t.bad_replies} bad replies{stale}; valid inference after: "
                f"{'bit-exact' if self.exact else 'WRONG'} ({self.stack}); {self.seconds:.1f} s")


def run_campaign(board: str, image: Path, frames: int, seed: int) -> Result:
    """Starts the firmware, runs the campaign over one session, checks the end."""
    t0 = time.monotonic()
    with start_target(board, image) as process:
        client = RawClient(process.url, timeout=REPLY_TIMEOUT_S)
        try:
            client.send(request_frame(Command.INFO, 0))
            info = client.reply()[3]
            model = FirmwareModel(info)
            model.last = (0, zlib.crc32(bytes([Command.INFO, 0])))
            model.last_status = Status.OK
            campaign = Campaign(client, Generator(random.Random(seed), model), process.alive)
            tally = campaign.run(frames)
        finally:
            client.close()
        exact, stack = False, "not checked"
        if not tally.faults:
            try:
                exact, stack = final_inference(process.url)
            except TargetError as e:
                stack = f"final inference failed: {e}"
        if not process.alive() or "fault" in process.output():
            tally.faults = max(tally.faults, 1)
            tally.note(process.report())
    return Result(tally, exact, stack, time.monotonic() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--board", default="mps2-an500")
    parser.add_argument("--frames", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        image = build_firmware(load_board(args.board), FAKE_MODEL_DIR, Path(tmp))
        result = run_campaign(args.board, image, args.frames, args.seed)
    for note in result.tally.notes:
        print("  " + note)
    print(f"{args.board} seed {args.seed}: {result.line()}")
    t = result.tally
    return 0 if result.exact and not (t.faults or t.lost_syncs or t.bad_replies) else 1


if __name__ == "__main__":
    sys.exit(main())
