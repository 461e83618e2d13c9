"""The host's protocol numbers (host_tools) against the firmware headers they mirror by hand.

Every constant of firmware/protocol.h and nvm_protocol.h has a Python twin with the same
value, and every Python command / status has its C one; the INFO reply's counter units
(board.h) and tensor dtypes (tp_model_api.h) decode with the firmware's numbering.
"""
from __future__ import annotations

import re
from pathlib import Path

from host_tools.target import protocol  # the host side of firmware/protocol.h
from host_tools.target.nvm_device import MAX_INJECT, NvmCommand  # the host side of nvm_protocol.h
from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT
# receive buffer sizes of the firmware; the host frames by COBS delimiters instead
FIRMWARE_ONLY = {"TP_MAX_REQUEST", "TP_MAX_REPLY"}


def _header(name: str) -> Path:
    """A firmware header by file name, wherever under firmware/ it lives."""
    return next((ROOT / "firmware").rglob(name))


def _constants(name: str) -> dict[str, str]:
    """#define NAME VALUE and enum NAME = VALUE of a header, values as written (object-like
    defines with a value only: include guards and function-like macros are not constants)."""
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", _header(name).read_text(), flags=re.S)
    found = dict(re.findall(r"^\s*#\s*define\s+(TP_\w+)[ \t]+(\S[^\n]*?)\s*$", text, re.M))
    for body in re.findall(r"\benum\s+\w+\s*\{(.*?)\}", text, re.S):
        found.update(re.findall(r"\b(TP_\w+)\s*=\s*([^,]+?)\s*(?:,|$)", body))
    return found


def _int(value: str) -> int:
    return int(value.rstrip("uUlL"), 0)


def _twin(name: str) -> int:
    """The Python constant mirroring a protocol.h / nvm_protocol.h name."""
    short = name.removeprefix("TP_")
    if short.startswith("CMD_NVM_"):
        return NvmCommand[short.removeprefix("CMD_")]
    if short.startswith("CMD_"):
        return protocol.Command[short.removeprefix("CMD_")]
    if short == "OK" or short.startswith("ERR_"):
        return protocol.Status[short]
    return getattr(protocol, short.removeprefix("PROTOCOL_"))


def test_every_header_constant_has_its_twin():
    header = {**_constants("protocol.h"), **_constants("nvm_protocol.h")}
    assert len(header) > 20  # the parser found the enums
    wrong = {}
    for name, value in header.items():
        if name in FIRMWARE_ONLY:
            continue
        try:
            if _twin(name) != _int(value):
                wrong[name] = (value, _twin(name))
        except (KeyError, AttributeError):
            wrong[name] = (value, "no Python twin")
    assert not wrong


def test_every_python_command_and_status_is_in_the_header():
    header = {**_constants("protocol.h"), **_constants("nvm_protocol.h")}
    assert {f"TP_CMD_{c.name}" for c in protocol.Command} <= header.keys()
    assert {f"TP_CMD_{c.name}" for c in NvmCommand} <= header.keys()
    assert {f"TP_{s.name}" for s in protocol.Status} <= header.keys()


def _codes(header: str, prefix: str) -> dict[int, str]:
    """An enum's values -> its lower-case names without the prefix (TP_INT8 -> int8)."""
    return {_int(v): n.removeprefix(prefix).lower()
            for n, v in _constants(header).items() if n.startswith(prefix)}


def test_info_reply_codes():
    assert _codes("board.h", "TP_COUNTER_") == protocol.COUNTER_UNITS
    assert _codes("tp_model_api.h", "TP_") == protocol.DTYPES


def test_injection_limit_matches_the_firmware():
    assert _int(_constants("nvm.h")["TP_NVM_MAX_INJECT"]) == MAX_INJECT
