"""What the fake model (tests/fixtures/fake_model/model.c) computes, for checking
firmware replies bit for bit."""
from __future__ import annotations

import struct

LAYERS = 140
SIZE = 1000
BUSY_UNIT = 10000  # FAKE_BUSY_UNIT: layer 1 spins (u16 in input[0:2]) * this many
                   # 2-instruction loops


def fake_input(spins: int = 0) -> bytes:
    return struct.pack("<H", spins) + bytes((i * 7 + 3) & 0xFF for i in range(2, SIZE))


def layer0(x: bytes) -> bytes:
    return bytes((v + 1) & 0xFF for v in x)


def layer1(x: bytes) -> bytes:
    return bytes((v * 3) & 0xFF for v in layer0(x))


def model_output(x: bytes, in_place_layers_run: int = LAYERS - 3) -> bytes:
    return bytes(((v ^ 0x5A) + in_place_layers_run) & 0xFF for v in layer1(x))
