"""Starting targets: QEMU and host executables, their failures, and open_device."""
from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from boards import REPO_ROOT, load_board, toolchain
from host_tools.target import connect
from host_tools.target import qemu
from host_tools.target.connect import open_device
from host_tools.errors import TargetError
from host_tools.target.hostexe import start_host_exe

MPS2_BOARDS = ["mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505"]
BOARD_CHECK = REPO_ROOT / "tests" / "fixtures" / "board_check" / "board_check.c"


def test_missing_qemu_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(qemu, "QEMU", "qemu-system-nonexistent")
    with pytest.raises(TargetError, match="qemu-system-nonexistent is not installed"):
        qemu.start_qemu(load_board("mps2-an386"), tmp_path / "fw.elf")


def test_missing_elf_is_a_clear_error(tmp_path):
    with pytest.raises(TargetError, match="does not exist; build it first"):
        with open_device(load_board("mps2-an386"), tmp_path / "nothing.elf"):
            pass
    with pytest.raises(TargetError, match="build it for board 'host' first"):
        with open_device(load_board("host"), tmp_path / "nothing"):
            pass


def test_host_exe_that_announces_no_port(tmp_path):
    script = tmp_path / "not-firmware"
    script.write_text("#!/bin/sh\necho hello from something else\n")
    script.chmod(0o755)
    with pytest.raises(TargetError, match="not TinyPersist host firmware: it printed .hello from something else."):
        start_host_exe(script)


def test_serial_board_needs_a_port():
    board = dataclasses.replace(load_board("host"), name="nucleo", run_method="serial")
    with pytest.raises(TargetError, match="pass the serial port"):
        with open_device(board, None):
            pass


def test_given_port_that_does_not_exist():
    with pytest.raises(TargetError, match="/dev/ttyNOSUCHPORT"):
        with open_device(load_board("mps2-an386"), None, port="/dev/ttyNOSUCHPORT"):
            pass


def test_open_device_on_host_board_and_cleanup(fake_firmware):
    with open_device(load_board("host"), fake_firmware("host")) as device:
        assert device.info().board_name == "host"
    with start_host_exe(fake_firmware("host")) as process:
        assert process.alive()
    assert not process.alive()


@pytest.mark.qemu
def test_open_device_on_qemu_board_and_cleanup(fake_firmware):
    board = load_board("mps2-an386")
    with open_device(board, fake_firmware(board.name)) as device:
        assert device.info().board_name == board.name
    with qemu.start_qemu(board, fake_firmware(board.name)) as process:
        assert process.alive()
    assert not process.alive()


@pytest.mark.qemu
def test_firmware_for_another_board_does_not_boot(fake_firmware, monkeypatch):
    monkeypatch.setattr(connect, "BOOT_TIMEOUT_S", 1.0)
    with pytest.raises(TargetError, match="did not answer on mps2-an385.*QEMU"):
        with open_device(load_board("mps2-an385"), fake_firmware("mps2-an505"), timeout=0.5):
            pass


@pytest.mark.qemu
def test_not_an_elf_reports_qemu_message(tmp_path):
    junk = tmp_path / "junk.elf"
    junk.write_bytes(b"\x7fELF garbage")
    with pytest.raises(TargetError, match="QEMU"):
        with open_device(load_board("mps2-an386"), junk):
            pass


def run_board_check(board_name: str, tmp_path: Path, *defines: str) -> subprocess.CompletedProcess:
    """Builds board_check.c for the board and runs it under QEMU without a serial link."""
    board = load_board(board_name)
    elf = tmp_path / f"check-{board_name}.elf"
    subprocess.run(
        [toolchain.compiler(board), *toolchain.compile_flags(board, "O2"), *defines, str(BOARD_CHECK),
         *map(str, toolchain.sources(board)), *toolchain.link_flags(board), "-o", str(elf)],
        check=True,
    )
    command = [qemu.QEMU, "-machine", str(board.qemu_machine), "-nographic", "-monitor", "none",
               "-serial", "null", "-icount", "shift=0", "-kernel", str(elf), *board.qemu_args]
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


@pytest.mark.qemu
@pytest.mark.parametrize("board_name", MPS2_BOARDS)
def test_core_runs_fpu_and_dsp_code_its_flags_produce(board_name, tmp_path):
    result = run_board_check(board_name, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "board check passed" in result.stdout + result.stderr


@pytest.mark.qemu
@pytest.mark.parametrize("board_name", MPS2_BOARDS)
def test_fault_ends_the_run_with_a_message(board_name, tmp_path):
    result = run_board_check(board_name, tmp_path, "-DCHECK_FAULT")
    assert result.returncode == 1
    assert "TinyPersist firmware: fault" in result.stdout + result.stderr


def test_host_exe_that_exits_at_once(tmp_path):
    script = tmp_path / "crashes"
    script.write_text("#!/bin/sh\necho 'cannot start' >&2\nexit 3\n")
    script.chmod(0o755)
    with pytest.raises(TargetError, match="did not announce its port.*exited with status 3.*"
                                          "cannot start"):
        start_host_exe(script)
