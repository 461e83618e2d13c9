"""The firmware's COBS and CRC-32 produce exactly what the host's cobs and zlib do."""
from __future__ import annotations

import ctypes
import random
import subprocess
import zlib

import pytest
from cobs import cobs

from boards import REPO_ROOT, load_board
from boards.toolchain import compile_flags


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    so = tmp_path_factory.mktemp("framing") / "libframing.so"
    subprocess.run(
        ["gcc", *compile_flags(load_board("host"), "O2", build="simulator"),  # a host shared library
         str(REPO_ROOT / "firmware" / "cobs.c"), str(REPO_ROOT / "firmware" / "crc32.c"),
         "-o", str(so)],
        check=True,
    )
    lib = ctypes.CDLL(str(so))
    lib.tp_cobs_encode.restype = ctypes.c_size_t
    lib.tp_cobs_encode.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
    lib.tp_cobs_decode.restype = ctypes.c_int32
    lib.tp_cobs_decode.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                   ctypes.c_size_t]
    lib.tp_crc32_update.restype = ctypes.c_uint32
    lib.tp_crc32_update.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
    return lib


def c_encode(lib, data: bytes) -> bytes:
    out = ctypes.create_string_buffer(len(data) + len(data) // 254 + 1)
    n = lib.tp_cobs_encode(data, len(data), out)
    return out.raw[:n]


def c_decode(lib, data: bytes, cap: int = 4096) -> bytes | None:
    out = ctypes.create_string_buffer(cap)
    n = lib.tp_cobs_decode(data, len(data), out, cap)
    return None if n < 0 else out.raw[:n]


def samples() -> list[bytes]:
    rng = random.Random(1)
    edge = [b"", b"\x00", b"\x00\x00", b"\x01", b"a" * 253, b"a" * 254, b"a" * 255,
            b"a" * 254 + b"\x00", b"\x00" + b"a" * 254, b"a" * 508, bytes(530)]
    sparse = [bytes(rng.choice([0, 0, rng.randrange(256)]) for _ in range(rng.randrange(600)))
              for _ in range(50)]
    dense = [bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1200))) for _ in range(50)]
    return edge + sparse + dense


def test_cobs_matches_python(lib):
    for data in samples():
        encoded = cobs.encode(data)
        assert c_encode(lib, data) == encoded, data[:20]
        assert c_decode(lib, encoded) == data


def test_cobs_decode_rejects_bad_input(lib):
    assert c_decode(lib, b"\x05ab") is None            # block runs past the end
    assert c_decode(lib, b"\x03a\x00") is None         # zero inside a block
    assert c_decode(lib, b"\x00") is None              # zero code
    assert c_decode(lib, cobs.encode(bytes(100)), cap=50) is None  # does not fit


def test_crc32_matches_zlib(lib):
    for data in samples():
        assert lib.tp_crc32_update(0, data, len(data)) == zlib.crc32(data)
    head, tail = b"split ", b"in two"
    assert lib.tp_crc32_update(lib.tp_crc32_update(0, head, len(head)), tail, len(tail)) \
        == zlib.crc32(head + tail)
