"""Board descriptions: loading, errors, and agreement with the C side."""
from __future__ import annotations

import re
import subprocess

import pytest

import boards
from boards import BoardError, list_boards, load_board, toolchain

MPS2_BOARDS = ["mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505"]


def test_all_boards_listed_and_loadable():
    assert set(list_boards()) >= {"host", *MPS2_BOARDS}
    for name in list_boards():
        board = load_board(name)
        assert board.name == name
        assert {"flash", "ram"} <= board.memory.keys()


def test_unknown_board_message_lists_known_boards():
    with pytest.raises(BoardError) as e:
        load_board("stm32-nonexistent")
    assert "unknown board 'stm32-nonexistent'" in str(e.value)
    for name in list_boards():
        assert name in str(e.value)
    with pytest.raises(BoardError):
        load_board("../boards")


def test_malformed_board_toml_is_a_board_error(tmp_path, monkeypatch):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "board.toml").write_text('description = "x"\ncpu = "z80"\n')
    monkeypatch.setattr(boards, "BOARDS_DIR", tmp_path)
    with pytest.raises(BoardError, match="broken.*malformed"):
        load_board("broken")


def test_power_figures_cite_the_paper():
    expected = {"mps2-an500": 58.5, "mps2-an386": 32.82, "mps2-an505": 12.0}
    for name, figure in expected.items():
        board = load_board(name)
        assert board.power_uw_per_mhz == figure
        assert "Barjami et al., Table II" in board.power_source


@pytest.mark.parametrize("name", MPS2_BOARDS)
def test_board_config_header_agrees_with_toml(name):
    board = load_board(name)
    header = (boards.REPO_ROOT / "boards" / name / "board_config.h").read_text()
    assert f'#define TP_BOARD_NAME "{name}"' in header
    hz = int(re.search(r"#define TP_SYSTICK_HZ (\d+)u", header).group(1))
    assert hz == board.clock_hz


@pytest.mark.parametrize("name", MPS2_BOARDS)
def test_arch_flags_match_fpu_and_dsp(name):
    """The compiler flags give the core the features board.toml claims."""
    board = load_board(name)
    out = subprocess.run(
        [toolchain.compiler(board), *board.arch_flags, "-dM", "-E", "-x", "c", "/dev/null"],
        capture_output=True, text=True, check=True,
    ).stdout
    macros = dict(line.split(" ", 2)[1:] for line in out.splitlines() if line.count(" ") >= 2)
    assert ("__ARM_FP" in macros) == board.fpu
    assert ("__ARM_FEATURE_DSP" in macros) == board.dsp
    if name == "mps2-an500":
        assert int(macros["__ARM_FP"], 0) & 0x8  # double precision
