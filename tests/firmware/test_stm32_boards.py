"""STM32 board descriptions: C constants agree with board.toml, compiler flags give
the claimed core features, and every real board has what flashing, --port auto and
the energy model need."""
from __future__ import annotations

import re
import subprocess

import pytest

from boards import REPO_ROOT, list_boards, load_board, toolchain

REAL = ["stm32f746", "stm32g071", "stm32h743", "stm32l4r5", "stm32u575"]


def header_value(name: str, macro: str) -> str:
    text = (REPO_ROOT / "boards" / name / "board_config.h").read_text()
    return re.search(rf"#define {macro} (\S+)", text).group(1)


def test_the_boards_are_listed():
    assert set(REAL) | {"netduinoplus2"} <= set(list_boards())


@pytest.mark.parametrize("name", REAL + ["netduinoplus2"])
def test_header_agrees_with_toml(name):
    board = load_board(name)
    assert header_value(name, "TP_BOARD_NAME") == f'"{name}"'
    if board.run_method == "serial":
        assert int(header_value(name, "TP_CPU_HZ").rstrip("u")) == board.clock_hz
        assert board.counter_unit == "cycles"
    else:  # QEMU: the counter converts SysTick ticks at clock_hz into instructions
        assert int(header_value(name, "TP_SYSTICK_HZ").rstrip("u")) == board.clock_hz
        assert board.counter_unit == "instructions"


@pytest.mark.parametrize("name", REAL + ["netduinoplus2"])
def test_arch_flags_give_the_claimed_features(name):
    board = load_board(name)
    out = subprocess.run([toolchain.compiler(board), *board.arch_flags, "-dM", "-E", "-x", "c",
                          "/dev/null"], capture_output=True, text=True, check=True).stdout
    macros = dict(line.split(" ", 2)[1:] for line in out.splitlines() if line.count(" ") >= 2)
    assert ("__ARM_FP" in macros) == board.fpu
    assert ("__ARM_FEATURE_DSP" in macros) == board.dsp
    profile = {"cortex-m0plus": "6M", "cortex-m33": "8M_MAIN"}.get(board.cpu, "7EM")
    assert macros["__ARM_ARCH_PROFILE"] == "77" and f"__ARM_ARCH_{profile}__" in macros


@pytest.mark.parametrize("name", REAL)
def test_real_boards_can_be_flashed_found_and_costed(name):
    board = load_board(name)
    assert board.run_method == "serial" and board.flash is not None
    assert board.usb_vid == 0x0483 and board.usb_pids  # STMicroelectronics ST-LINK
    assert board.power_uw_per_mhz and re.match(r"DS\d{5} ", board.power_source)
    assert board.arena_regions[0] in board.memory and board.stack_region in board.memory
    assert header_value(name, "TP_UART_BASE").startswith("0x4")
