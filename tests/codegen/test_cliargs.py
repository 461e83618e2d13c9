"""The shared argparse types accept what the commands can use (the bad-input table in
README.md, tests/target/test_cli_errors.py, covers what they refuse)."""
from __future__ import annotations

import argparse

import pytest

from codegen.cliargs import positive_int, serial_port, writable_dir, writable_file


def test_good_values_pass(tmp_path):
    assert positive_int("3") == 3
    assert serial_port("auto") == "auto" and serial_port("socket://127.0.0.1:1") == "socket://127.0.0.1:1"
    assert writable_dir(str(tmp_path / "new" / "gen")) == tmp_path / "new" / "gen"


def test_writable_file_creates_its_folders(tmp_path):
    path = writable_file(str(tmp_path / "a" / "b" / "out.json"))
    assert path.parent.is_dir() and not path.exists()


@pytest.mark.parametrize("text", ["0", "-1", "2.5", ""])
def test_counts_below_one_or_not_whole_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        positive_int(text)
