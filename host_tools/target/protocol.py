"""Numbers of the serial protocol; mirrors firmware/protocol.h (see it for layouts)."""
from __future__ import annotations

from enum import IntEnum

MAGIC = 0x4B4C5054  # "TPLK"
VERSION = 1
MAX_CHUNK = 512
REPLY_FLAG = 0x80


class Command(IntEnum):
    PING = 0x01
    INFO = 0x02
    WRITE_INPUT = 0x03
    RUN = 0x04
    READ_PROFILE = 0x05
    READ_OUTPUT = 0x06
    READ_LAYER = 0x07
    READ_STACK = 0x0C  # 0x08..0x0B: nvm_device.NvmCommand


class Status(IntEnum):
    OK = 0
    ERR_CRC = 1
    ERR_FRAME = 2
    ERR_COMMAND = 3
    ERR_LENGTH = 4
    ERR_INDEX = 5
    ERR_RANGE = 6
    ERR_LAYERS = 7
    ERR_STATE = 8


# The request was damaged on the way: sending it again is the fix.
TRANSPORT_ERRORS = frozenset({Status.ERR_CRC, Status.ERR_FRAME})

STATUS_TEXT = {
    Status.ERR_CRC: "request damaged in transit (bad CRC)",
    Status.ERR_FRAME: "request damaged in transit (bad framing)",
    Status.ERR_COMMAND: "unknown command (firmware older than this host tool?)",
    Status.ERR_LENGTH: "wrong payload length for the command",
    Status.ERR_INDEX: "no such input, output or layer",
    Status.ERR_RANGE: "offset or length outside the tensor",
    Status.ERR_LAYERS: "layer range outside the model",
    Status.ERR_STATE: "nothing to read yet: run the model (or that layer) first",
}

COUNTER_UNITS = {0: "instructions", 1: "cycles", 2: "ns"}
DTYPES = {0: "int8", 1: "uint8", 2: "int16", 3: "int32", 4: "float32"}


def status_text(status: int) -> str:
    """A readable description of a reply status."""
    try:
        return STATUS_TEXT.get(Status(status), "ok")
    except ValueError:
        return f"unknown status {status}"
