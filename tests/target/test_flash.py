"""host_tools.target.flash with stand-in flasher tools on PATH: command lines, missing tool,
no board connected, tool failure; and the CLI's one-line errors."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from boards import REPO_ROOT, load_board
from host_tools.errors import TargetError
from host_tools.target.flash import flash, flash_command


@pytest.fixture
def elf(fake_firmware) -> Path:
    return fake_firmware("stm32h743")


def fake_tool(bin_dir: Path, name: str, output: str, status: int) -> Path:
    """A script named like the flasher that logs its argv and prints `output`."""
    bin_dir.mkdir(exist_ok=True)
    log = bin_dir / f"{name}.args"
    script = bin_dir / name
    (bin_dir / f"{name}.out").write_text(output + "\n")
    script.write_text(f"#!{sys.executable}\nimport sys, pathlib\n"
                      f"pathlib.Path({str(log)!r}).write_text(' '.join(sys.argv[1:]))\n"
                      f"print(pathlib.Path({str(bin_dir / name) + '.out'!r}).read_text())\n"
                      f"sys.exit({status})\n")
    script.chmod(0o755)
    return log


@pytest.fixture
def path_with(tmp_path, monkeypatch):
    """PATH holds only the stand-in tools (and arm-none-eabi-objcopy, for st-flash)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "arm-none-eabi-objcopy").symlink_to(shutil.which("arm-none-eabi-objcopy"))
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_command_lines_for_each_flasher(elf):
    board = load_board("stm32h743")
    openocd = flash_command(board, elf, "openocd").argv
    assert openocd[:3] == ["openocd", "-f", "board/st_nucleo_h743zi.cfg"]
    assert openocd[-1] == f"program {elf} verify reset exit"
    assert flash_command(board, elf, "pyocd").argv == [
        "pyocd", "flash", "--no-wait", "-t", "stm32h743xx", str(elf)]
    stlink = flash_command(board, elf, "stlink")
    assert stlink.argv == ["st-flash", "--reset", "write", str(elf.with_suffix(".bin")), "0x8000000"]
    with pytest.raises(TargetError, match="unknown flasher 'jlink'"):
        flash_command(board, elf, "jlink")
    with pytest.raises(TargetError, match="does not support stm32u575"):
        flash_command(load_board("stm32u575"), elf, "stlink")
    with pytest.raises(TargetError, match="not flashed"):
        flash_command(load_board("netduinoplus2"), elf, "openocd")


def test_every_real_board_names_an_installed_openocd_config():
    scripts = Path("/usr/share/openocd/scripts")
    if not scripts.is_dir():
        pytest.skip("openocd is not installed")
    for name in ("stm32h743", "stm32f746", "stm32u575", "stm32l4r5", "stm32g071"):
        configs = load_board(name).flash.openocd_configs
        for flag, value in zip(configs, configs[1:]):
            if flag == "-f":
                assert (scripts / value).is_file(), f"{name}: {value}"


def test_success_passes_the_elf_and_returns_the_output(elf, path_with):
    log = fake_tool(path_with, "openocd", "** Verified OK **", 0)
    assert "Verified OK" in flash(load_board("stm32h743"), elf)
    assert f"program {elf} verify reset exit" in log.read_text()


def test_stlink_writes_a_raw_image_of_the_elf(elf, path_with):
    fake_tool(path_with, "st-flash", "Flash written and verified", 0)
    flash(load_board("stm32h743"), elf, "stlink")
    raw = elf.with_suffix(".bin").read_bytes()
    sp, reset = int.from_bytes(raw[:4], "little"), int.from_bytes(raw[4:8], "little")
    assert sp == 0x20004000 and reset & 1  # the vector table comes first


@pytest.mark.parametrize("tool, flasher, output", [
    ("openocd", "openocd", "Error: open failed"),
    ("st-flash", "stlink", "WARN usb.c: Couldn't find any ST-Link devices"),
    ("pyocd", "pyocd", "No connected debug probes"),
])
def test_no_board_connected_is_a_clear_message(elf, path_with, tool, flasher, output):
    fake_tool(path_with, tool, output, 1)
    with pytest.raises(TargetError, match=f"{tool} found no stm32h743 board: connect it"):
        flash(load_board("stm32h743"), elf, flasher)


def test_missing_tool_and_other_failures(elf, path_with):
    with pytest.raises(TargetError, match=r"openocd is not installed; install it \(apt-get install openocd\)"):
        flash(load_board("stm32h743"), elf)
    fake_tool(path_with, "openocd", "Error: flash write algorithm aborted", 1)
    with pytest.raises(TargetError, match="failed to flash .*\\n.*aborted"):
        flash(load_board("stm32h743"), elf)
    with pytest.raises(TargetError, match="not found; build it"):
        flash(load_board("stm32h743"), elf.parent / "missing.elf")


def test_cli_reports_one_line_and_exit_2(elf, tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # no flasher at all
    proc = subprocess.run([sys.executable, "-m", "host_tools", "flash", "--board", "stm32h743",
                           "--elf", str(elf)], cwd=REPO_ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: openocd is not installed") and "Traceback" not in proc.stderr
