"""The firmware's protocol end to end, with the fake model, on every runnable board
(the host executable always; each QEMU board under the qemu marker)."""
from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from boards import Board, list_boards, load_board
from host_tools.target.device import Device
from host_tools.errors import TargetError
from host_tools.target.link import SerialLink
from host_tools.target.protocol import Command, Status
from tests.support.fake_model import LAYERS, SIZE, fake_input, layer0, layer1, model_output
from tests.support.firmware_build import start_target
from tests.support.protocol_campaign import RawClient, request_frame

QEMU_BOARDS = [b for b in list_boards() if load_board(b).run_method == "qemu"]
RUNNABLE_BOARDS = ["host"] + [pytest.param(b, marks=pytest.mark.qemu) for b in QEMU_BOARDS]


@dataclass
class Target:
    board: Board
    url: str


@pytest.fixture(scope="module", params=RUNNABLE_BOARDS)
def target(request: pytest.FixtureRequest, fake_firmware) -> Iterator[Target]:
    """The fake-model firmware running on one board. Each test connects anew: the
    serial port takes a new client after the last one left."""
    with start_target(request.param, fake_firmware(request.param)) as process:
        yield Target(load_board(request.param), process.url)


@pytest.fixture
def link(target) -> Iterator[SerialLink]:
    with SerialLink(target.url, timeout=5.0) as link:
        yield link


@pytest.fixture
def device(link) -> Device:
    device = Device(link)
    device.ping()
    return device


def test_ping_and_info_describe_fake_model_and_board(device, target):
    assert device.ping() == 1
    info = device.info()
    assert info.model_hash == 0x5EED1234
    assert info.model_name == "fake_model"
    assert info.board_name == target.board.name
    assert info.num_layers == LAYERS
    assert info.arena_bytes == 4000
    assert info.counter_unit == target.board.counter_unit
    assert [(t.bytes, t.dtype) for t in info.inputs] == [(SIZE, "int8")]
    assert [(t.bytes, t.dtype) for t in info.outputs] == [(SIZE, "int8")]


def test_full_run_output_and_profile_add_up(device):
    x = fake_input(1)
    device.write_input(0, x)
    total = device.run()
    assert device.read_output(0) == model_output(x)
    profile = device.read_profile()
    assert len(profile) == LAYERS
    assert all(count > 0 for count in profile)
    # One counter read ends a layer and starts the next, so the counts telescope.
    assert sum(profile) == total


def test_layer_count_grows_by_the_busy_loop_instruction_count(device, target):
    """On QEMU this checks the counter's calibration: 150 * BUSY_UNIT loops of 2
    instructions (3,000,000) must read as 3,000,000 instructions (to one tick each
    end, well within 1%), and the other layers must not change."""
    counts = {}
    for spins in (0, 150):
        device.write_input(0, fake_input(spins))
        device.run()
        counts[spins] = device.read_profile()
    grown = counts[150][1] - counts[0][1]
    if target.board.counter_unit == "instructions":
        tick = 10**9 // target.board.clock_hz
        assert abs(grown - 3_000_000) <= 2 * tick
        assert abs(counts[150][0] - counts[0][0]) <= 2 * tick
        assert abs(counts[150][2] - counts[0][2]) <= 2 * tick
    else:  # wall-clock ns on the host: only that it grows clearly
        assert counts[150][1] > 10 * counts[0][1]


def test_counts_stay_exact_across_counter_wraps(device, target):
    """A 1e9-instruction layer spans at least one SysTick wrap (2**24 ticks) on every
    QEMU board; a mishandled wrap would be off by 2**24 ticks."""
    device.write_input(0, fake_input(0))
    device.run(0, 2)
    base = device.read_profile()[1]
    device.write_input(0, fake_input(50_000))
    total = device.run(0, 2)
    grown = device.read_profile()[1] - base
    if target.board.counter_unit == "instructions":
        assert abs(grown - 1_000_000_000) <= 2 * (10**9 // target.board.clock_hz)
        assert total > 1_000_000_000
    else:
        assert grown > 0


def test_layer_by_layer_run_and_read_layer(device):
    x = fake_input(2)
    device.write_input(0, x)
    device.run()  # a full run leaves every layer's output in the arena
    device.write_input(0, fake_input(3))
    device.run(0, 1)
    a = device.read_layer(0)
    assert (a.data, a.tensor, a.dtype) == (layer0(fake_input(3)), 1, "uint8")
    assert device.read_layer(1).data == layer1(x)  # not run yet: still the old input's
    device.run(1, 2)
    assert device.read_layer(1).data == layer1(fake_input(3))
    device.run(2, LAYERS)
    assert device.read_output(0) == model_output(fake_input(3))
    assert device.read_layer(LAYERS - 1).data == model_output(fake_input(3))
    # Runs after the first extend the profile started by run(0, 1).
    assert all(count > 0 for count in device.read_profile())
    device.run(0, 1)
    assert device.read_profile()[1:] == [0] * (LAYERS - 1)


def test_repeated_request_is_answered_without_running_again(device, link):
    x = fake_input(4)
    device.write_input(0, x)
    device.run()
    first = link.request(Command.RUN, struct.pack("<HH", LAYERS - 1, LAYERS))
    # Pretend its reply was lost: send the same frame (same seq) again.
    link._seq = (link._seq - 1) & 0xFF
    again = link.request(Command.RUN, struct.pack("<HH", LAYERS - 1, LAYERS))
    assert again == first
    assert device.read_output(0) == model_output(x, LAYERS - 3 + 1)


BAD_REQUESTS = [
    (Command.WRITE_INPUT, struct.pack("<BI", 1, 0) + b"x", Status.ERR_INDEX),
    (Command.WRITE_INPUT, struct.pack("<BI", 0, SIZE - 1) + b"xy", Status.ERR_RANGE),
    (Command.WRITE_INPUT, struct.pack("<BI", 0, 0) + bytes(513), Status.ERR_RANGE),
    (Command.WRITE_INPUT, struct.pack("<BI", 0, 0), Status.ERR_RANGE),
    (Command.WRITE_INPUT, b"\x00\x00", Status.ERR_LENGTH),
    (Command.RUN, struct.pack("<HH", 5, 5), Status.ERR_LAYERS),
    (Command.RUN, struct.pack("<HH", 0, LAYERS + 1), Status.ERR_LAYERS),
    (Command.RUN, struct.pack("<HHB", 0, 1, 0), Status.ERR_LENGTH),
    (Command.READ_PROFILE, struct.pack("<HH", 0, 129), Status.ERR_RANGE),
    (Command.READ_PROFILE, struct.pack("<HH", LAYERS - 1, 2), Status.ERR_RANGE),
    (Command.READ_OUTPUT, struct.pack("<BIH", 1, 0, 1), Status.ERR_INDEX),
    (Command.READ_OUTPUT, struct.pack("<BIH", 0, SIZE, 1), Status.ERR_RANGE),
    (Command.READ_OUTPUT, struct.pack("<BIH", 0, 0xFFFFFFFF, 2), Status.ERR_RANGE),
    (Command.READ_OUTPUT, struct.pack("<BIH", 0, 0, 513), Status.ERR_RANGE),
    (Command.READ_LAYER, struct.pack("<HIH", LAYERS, 0, 0), Status.ERR_INDEX),
    (Command.READ_LAYER, struct.pack("<HIH", 0, 600, 500), Status.ERR_RANGE),
    (Command.PING, b"\x00", Status.ERR_LENGTH),
    (0x55, b"", Status.ERR_COMMAND),
]


def test_bad_requests_get_error_status(link):
    # One connection for the whole table: closing a socket:// port costs 0.3 s.
    for cmd, payload, status in BAD_REQUESTS:
        got = link.request(cmd, payload).status
        assert got == status, f"command {cmd:#04x} payload {payload[:16].hex()}: {got}"


def test_device_checks_sizes_before_sending(device):
    with pytest.raises(TargetError, match="takes 1000 bytes"):
        device.write_input(0, bytes(10))
    with pytest.raises(TargetError, match="no input 2"):
        device.write_input(2, bytes(SIZE))
    with pytest.raises(TargetError, match="outside the model"):
        device.run(0, LAYERS + 1)


@pytest.fixture
def raw(target) -> Iterator[RawClient]:
    client = RawClient(target.url)
    client.send(b"\x00")  # end whatever a previous client left half-sent
    yield client
    client.sock.close()


def test_corrupt_request_gets_crc_error_then_next_frame_works(raw):
    frame = bytearray(request_frame(Command.PING, 7))
    frame[3] ^= 0x10
    raw.send(bytes(frame))
    cmd, seq, status, _ = raw.reply()
    assert status == Status.ERR_CRC
    raw.send(request_frame(Command.PING, 8))
    assert raw.reply()[1:3] == (8, Status.OK)


def test_frame_split_at_every_byte_boundary(raw):
    payload = struct.pack("<BI", 0, 900) + bytes(range(1, 30))
    for k in range(1, len(request_frame(Command.WRITE_INPUT, 0, payload))):
        seq = k  # a new seq each time: not a resend
        frame = request_frame(Command.WRITE_INPUT, seq, payload)
        raw.send(frame[:k])
        time.sleep(0.002)
        raw.send(frame[k:])
        assert raw.reply()[1:3] == (seq, Status.OK), f"split at byte {k}"


def test_resync_after_garbage(raw):
    raw.send(b"\x13\x37\xff" * 10 + b"\x00")  # not valid COBS of a frame
    assert raw.reply()[2] in (Status.ERR_FRAME, Status.ERR_CRC)
    raw.send(b"\x01" * 3000 + b"\x00")  # longer than any request
    assert raw.reply()[2] == Status.ERR_FRAME
    raw.send(request_frame(Command.PING, 9))
    cmd, seq, status, payload = raw.reply()
    assert (cmd, seq, status) == (Command.PING | 0x80, 9, Status.OK)
    assert payload[:4] == b"TPLK"


def test_stale_partial_frame_is_dropped_after_a_gap(fake_firmware):
    """Host board only: under QEMU the gap is virtual time, which depends on host speed."""
    with start_target("host", fake_firmware("host")) as process:
        raw = RawClient(process.url)
        raw.send(request_frame(Command.PING, 1)[:5])
        time.sleep(0.8)  # > TP_FRAME_GAP_MS
        raw.send(request_frame(Command.PING, 2))  # no leading 0x00: only the gap resyncs
        assert raw.reply()[1:3] == (2, Status.OK)
        raw.sock.close()


def test_reads_before_an_inference_are_refused(fake_firmware):
    """A fresh firmware has no outputs yet: reading them (or a layer not run) is an
    error, not the arena's leftover bytes."""
    with start_target("host", fake_firmware("host")) as process:
        with SerialLink(process.url, timeout=5.0) as link:
            assert link.request(Command.READ_OUTPUT, struct.pack("<BIH", 0, 0, 8)).status == Status.ERR_STATE
            assert link.request(Command.READ_LAYER, struct.pack("<HIH", 0, 0, 0)).status == Status.ERR_STATE
            device = Device(link)
            device.write_input(0, fake_input(0))
            device.run(0, 1)
            assert device.read_layer(0).data == layer0(fake_input(0))
            assert link.request(Command.READ_LAYER, struct.pack("<HIH", 1, 0, 0)).status == Status.ERR_STATE
            assert link.request(Command.READ_OUTPUT, struct.pack("<BIH", 0, 0, 8)).status == Status.ERR_STATE
            device.run(1, LAYERS)
            assert device.read_output(0) == model_output(fake_input(0))
