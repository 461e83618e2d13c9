"""Typed access to the firmware's commands over a SerialLink, chunking large tensors."""
from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import DeviceError, TargetError
from .link import SerialLink
from .protocol import COUNTER_UNITS, DTYPES, MAGIC, MAX_CHUNK, VERSION, Command, Status, status_text

PROFILE_CHUNK_LAYERS = MAX_CHUNK // 4
# The device replies to RUN only when the layers are done: a big model under QEMU
# runs for many seconds, so RUN waits longer than other commands.
RUN_TIMEOUT_S = 120.0


@dataclass
class TensorInfo:
    bytes: int
    dtype: str  # "int8", "uint8", "int16", "int32", "float32"


@dataclass
class DeviceInfo:
    model_hash: int
    model_name: str
    board_name: str
    num_layers: int
    arena_bytes: int
    counter_unit: str  # "instructions" (QEMU), "cycles" (DWT) or "ns" (host)
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]


@dataclass
class LayerOutput:
    data: bytes  # the layer's output tensor as it is in the arena now
    tensor: int  # its TFLite tensor index
    dtype: str


@dataclass
class StackUse:
    high_water: int  # bytes from the stack top to the deepest word written since boot
    reserved: int    # bytes the linker script reserves (TP_STACK_BYTES); 0: not measured


class Device:
    """The firmware on a board, QEMU or host executable, reached through `link`."""

    def __init__(self, link: SerialLink) -> None:
        self.link = link
        self._info: DeviceInfo | None = None

    def ping(self, timeout: float | None = None) -> int:
        """Checks that TinyPersist firmware answers; returns its protocol version."""
        payload = self._call(Command.PING, b"", timeout=timeout)
        magic, version, _chunk = self._unpack(Command.PING, "<IHH", payload)
        if magic != MAGIC:
            raise TargetError(f"{self.link.url} answers but is not TinyPersist firmware "
                              f"(magic {magic:#010x}); flash the firmware built for it")
        if version != VERSION:
            raise TargetError(f"firmware on {self.link.url} speaks protocol {version}, this "
                              f"host tool speaks {VERSION}; rebuild and reflash the firmware")
        return version

    def info(self) -> DeviceInfo:
        """The model and board the firmware was built for (read once, then cached)."""
        if self._info is None:
            payload = self._call(Command.INFO)
            try:
                self._info = _parse_info(payload)
            except (struct.error, IndexError):
                raise self._malformed(Command.INFO, payload) from None
        return self._info

    def write_input(self, index: int, data: bytes) -> None:
        """Writes the whole input tensor `index`."""
        expected = self._tensor(self.info().inputs, index, "input").bytes
        if len(data) != expected:
            raise TargetError(f"input {index} takes {expected} bytes, got {len(data)}; "
                              f"check the input shape and dtype")
        for offset in range(0, len(data), MAX_CHUNK):
            chunk = data[offset:offset + MAX_CHUNK]
            self._call(Command.WRITE_INPUT, struct.pack("<BI", index, offset) + chunk)

    def run(self, first: int = 0, end: int | None = None, timeout: float = RUN_TIMEOUT_S) -> int:
        """Runs layers first..end-1 (all by default); returns their total count in
        info().counter_unit. A run from layer 0 starts a new profile. timeout: seconds
        to wait for the layers to finish."""
        end = self.info().num_layers if end is None else end
        if not 0 <= first < end <= self.info().num_layers:
            raise TargetError(f"layer range {first}..{end} is outside the model's "
                              f"{self.info().num_layers} layers")
        payload = self._call(Command.RUN, struct.pack("<HH", first, end),
                             timeout=max(timeout, self.link.timeout))
        return self._unpack(Command.RUN, "<Q", payload)[0]

    def read_profile(self) -> list[int]:
        """Per-layer counts of the runs since the last run from layer 0 (0: not run)."""
        counts: list[int] = []
        layers = self.info().num_layers
        for first in range(0, layers, PROFILE_CHUNK_LAYERS):
            n = min(PROFILE_CHUNK_LAYERS, layers - first)
            payload = self._call(Command.READ_PROFILE, struct.pack("<HH", first, n))
            counts += self._unpack(Command.READ_PROFILE, f"<{n}I", payload)
        return counts

    def read_output(self, index: int) -> bytes:
        """The whole output tensor `index`."""
        size = self._tensor(self.info().outputs, index, "output").bytes
        data = bytearray()
        for offset in range(0, size, MAX_CHUNK):
            n = min(MAX_CHUNK, size - offset)
            chunk = self._call(Command.READ_OUTPUT, struct.pack("<BIH", index, offset, n))
            data += self._unpack(Command.READ_OUTPUT, f"<{n}s", chunk)[0]
        return bytes(data)

    def read_layer(self, layer: int) -> LayerOutput:
        """Output tensor of `layer`, read from the arena as it is now (meaningful right
        after running that layer, before later layers overwrite it)."""
        if not 0 <= layer < self.info().num_layers:
            raise TargetError(f"layer {layer} is outside the model's "
                              f"{self.info().num_layers} layers")
        header = self._call(Command.READ_LAYER, struct.pack("<HIH", layer, 0, 0))
        size, tensor, dtype = self._unpack(Command.READ_LAYER, "<IiB", header)
        if size > self.info().arena_bytes:
            raise self._malformed(Command.READ_LAYER, header)
        data = bytearray()
        for offset in range(0, size, MAX_CHUNK):
            n = min(MAX_CHUNK, size - offset)
            reply = self._call(Command.READ_LAYER, struct.pack("<HIH", layer, offset, n))
            data += self._unpack(Command.READ_LAYER, f"<9x{n}s", reply)[0]
        return LayerOutput(bytes(data), tensor, DTYPES.get(dtype, f"dtype {dtype}"))

    def read_stack(self) -> StackUse:
        """Deepest stack use since boot (painted stack); both 0 where not measured (host)."""
        high_water, reserved = self._unpack(Command.READ_STACK, "<II", self._call(Command.READ_STACK))
        return StackUse(high_water, reserved)

    def _tensor(self, tensors: list[TensorInfo], index: int, kind: str) -> TensorInfo:
        if not 0 <= index < len(tensors):
            raise TargetError(f"the model has {len(tensors)} {kind}(s); there is no "
                              f"{kind} {index}")
        return tensors[index]

    def _unpack(self, cmd: Command, fmt: str, payload: bytes) -> tuple:
        """struct.unpack of a reply payload that must be exactly `fmt`."""
        try:
            return struct.unpack(fmt, payload)
        except struct.error:
            raise self._malformed(cmd, payload) from None

    def _malformed(self, cmd: Command, payload: bytes) -> TargetError:
        return TargetError(f"{self.link.url} answered {cmd.name} with a malformed reply "
                           f"({len(payload)} bytes: {payload[:16].hex()}); is it TinyPersist "
                           f"firmware of this version? rebuild and reflash it")

    def _call(self, cmd: Command, payload: bytes = b"", timeout: float | None = None) -> bytes:
        reply = self.link.request(cmd, payload, timeout=timeout)
        if reply.status != Status.OK:
            raise DeviceError(f"firmware on {self.link.url} rejected {cmd.name}: "
                              f"{status_text(reply.status)}")
        return reply.payload


def _parse_info(payload: bytes) -> DeviceInfo:
    """Reads the INFO reply; layout in firmware/protocol.c handle_info()."""
    model_hash, arena, layers, unit, n_in, n_out = struct.unpack_from("<IIHBBB", payload)
    pos = 13
    tensors = []
    for _ in range(n_in + n_out):
        size, dtype = struct.unpack_from("<IB", payload, pos)
        tensors.append(TensorInfo(size, DTYPES.get(dtype, f"dtype {dtype}")))
        pos += 5
    names = []
    for _ in range(2):
        length = payload[pos]
        names.append(payload[pos + 1:pos + 1 + length].decode(errors="replace"))
        pos += 1 + length
    return DeviceInfo(
        model_hash=model_hash,
        model_name=names[0],
        board_name=names[1],
        num_layers=layers,
        arena_bytes=arena,
        counter_unit=COUNTER_UNITS.get(unit, f"unit {unit}"),
        inputs=tensors[:n_in],
        outputs=tensors[n_in:],
    )
