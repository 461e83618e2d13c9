"""Every row of README.md's bad-input table: the command fails (exit status not 0) with
exactly the documented `error:` line on stderr and no traceback.

Commands run from the repository root; `python -m codegen` and `python -m host_tools`
rows run in-process (they fail while parsing, before any work), `scons` rows as the
shell command.
"""
from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys

import pytest

from tests.support.paths import REPO_ROOT

SECTION = "## Bad input"
ROW = re.compile(r"^\| (?P<what>[^|]+?) \| `(?P<command>[^`]+)` \| `(?P<message>error: [^`]+)` \|$")


def table_rows() -> list[tuple[str, str, str]]:
    text = (REPO_ROOT / "README.md").read_text()
    section = text[text.index(SECTION):].split("\n## ", 1)[0]
    return [(m["what"], m["command"], m["message"])
            for m in map(ROW.match, section.splitlines()) if m]


def run_row(command: str) -> tuple[int, str]:
    """(exit status, stderr) of one table command, run from the repository root."""
    argv = shlex.split(command)
    if argv[0] == "scons":
        proc = subprocess.run([sys.executable, "-m", "SCons", "-Q", *argv[1:]], cwd=REPO_ROOT,
                              capture_output=True, text=True)
        return proc.returncode, proc.stderr
    assert argv[:2] == ["python", "-m"], command
    if argv[2] == "codegen":
        from codegen.__main__ import main
    else:
        from host_tools.cli import main
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(argv[3:])
        except SystemExit as exc:
            status = exc.code
    return status, err.getvalue()


ROWS = table_rows()


def test_the_table_is_there():
    assert len(ROWS) >= 25


@pytest.mark.parametrize("what, command, message", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_gives_the_documented_error(what, command, message, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    status, stderr = run_row(command)
    assert status not in (0, None), (command, stderr)
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert errors == [message], stderr
