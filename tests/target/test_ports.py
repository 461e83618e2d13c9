"""--port auto: the board's ST-LINK port is found by USB IDs among pyserial's ports."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest

from boards import REPO_ROOT, load_board
from host_tools.errors import TargetError
from host_tools.target.ports import find_port, resolve_port


@dataclass
class FakePort:  # the ListPortInfo fields find_port reads
    device: str
    vid: int | None
    pid: int | None
    serial_number: str | None = None
    description: str = "n/a"


H743_VCP = FakePort("/dev/ttyACM0", 0x0483, 0x374E, "0670FF", "STM32 STLink")
F746_VCP = FakePort("/dev/ttyACM1", 0x0483, 0x374B, "0668FF", "STM32 STLink")
OTHER = FakePort("/dev/ttyUSB0", 0x10C4, 0xEA60, None, "CP2102")


def test_the_one_matching_port_is_chosen():
    assert find_port(load_board("stm32h743"), lambda: [OTHER, H743_VCP, F746_VCP]) == "/dev/ttyACM0"
    assert find_port(load_board("stm32f746"), lambda: [OTHER, H743_VCP, F746_VCP]) == "/dev/ttyACM1"


def test_no_match_lists_the_ports_seen():
    with pytest.raises(TargetError) as e:
        find_port(load_board("stm32h743"), lambda: [OTHER, FakePort("/dev/ttyS0", None, None)])
    msg = str(e.value)
    assert "no ST-LINK serial port found for stm32h743 (USB 0483:374e" in msg
    assert "/dev/ttyUSB0 (10c4:ea60" in msg and "/dev/ttyS0 (no USB IDs" in msg
    assert "--port /dev/ttyACM0" in msg


def test_several_matches_ask_for_one():
    twin = FakePort("/dev/ttyACM2", 0x0483, 0x374B, "0999FF", "STM32 STLink")
    with pytest.raises(TargetError, match="several boards match stm32f746: /dev/ttyACM1.*0668FF.*"
                                          "/dev/ttyACM2.*0999FF.*--port <device>"):
        find_port(load_board("stm32f746"), lambda: [F746_VCP, twin])


def test_non_usb_boards_and_explicit_ports():
    with pytest.raises(TargetError, match="no USB serial port"):
        find_port(load_board("mps2-an500"), lambda: [H743_VCP])
    assert resolve_port(load_board("stm32h743"), "/dev/ttyACM5") == "/dev/ttyACM5"
    assert resolve_port(load_board("stm32h743"), None) is None


def test_run_cli_with_auto_and_no_board_is_one_message(tmp_path):
    (tmp_path / "gen").mkdir()
    (tmp_path / "firmware.elf").write_bytes(b"")
    (tmp_path / "gen" / "model.json").write_text('{"inputs": [], "outputs": [], "layers": [], '
                                                 '"hash": 0, "name": "m"}')
    code = ("import sys, host_tools.target.ports as p; p.list_ports.comports = lambda: []; "
            "from host_tools.__main__ import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", code, "run", "--board", "stm32h743", "--elf",
                           str(tmp_path / "firmware.elf"), "--port", "auto"],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: no ST-LINK serial port found for stm32h743")
    assert "Traceback" not in proc.stderr
