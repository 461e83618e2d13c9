"""The architecture's rules, checked on the source: imports run one way with no cycle,
each table lives once, every C build takes its flags from boards/toolchain.py, and the
two compiler front ends (scons, python -m codegen) take the same options and agree."""
from __future__ import annotations

import ast
import filecmp
import subprocess
import sys
from pathlib import Path

from codegen.option_table import BUILD_OPTIONS
from tests.support.import_graph import ROOT, cycles, graph, upward_imports

MODEL = ROOT.parent / "shared" / "models" / "dscnn_kws_int8.tflite"
QL_NAMES = {"Q0", "Q1", "Q2", "Q3", "Q4"}
FAULT_MODELS = {"none", "flip", "switch"}
# compiler flags that say how C is built (extras such as -Werror or -I may be added anywhere)
FLAG_PREFIXES = ("-std=", "-mcpu=", "-mfpu=", "-mfloat-abi=", "-march=", "-fsanitize", "-ffunction-sections")


def _sources(*packages: str) -> list[Path]:
    files = [p for pkg in packages for p in (ROOT / pkg).rglob("*.py") if p != Path(__file__)]
    return files + [ROOT / "SConstruct"]


def _string_sets(path: Path) -> list[set[str]]:
    """The string constants of every tuple, list, set and dict literal in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)) and items:
            found.append({k.value for k in items if isinstance(k, ast.Constant) and isinstance(k.value, str)})
    return found


def test_imports_have_no_cycle_and_run_one_way():
    edges = graph()
    assert len(edges) > 100  # the scan found the packages
    assert cycles(edges) == []
    assert upward_imports(edges) == []


def test_import_graph_check_finds_a_cycle():
    edges = {"codegen.a": {"codegen.b"}, "codegen.b": {"codegen.a"}, "host_tools.cli": {"codegen.a"},
             "codegen.c": {"host_tools.sim"}}
    assert cycles(edges) == [["codegen.a", "codegen.b"]]
    assert upward_imports(edges) == [("codegen.c", "host_tools.sim")]


def test_ql_names_and_fault_models_are_written_once():
    home = {ROOT / "codegen" / "nvm" / "quality.py", ROOT / "codegen" / "nvm" / "faultmodel.py"}
    for table in (QL_NAMES, FAULT_MODELS):
        where = [p.relative_to(ROOT) for p in _sources("boards", "codegen", "host_tools")
                 for s in _string_sets(p) if table <= s]
        assert {ROOT / p for p in where} <= home and where, (table, where)


def test_compile_flags_come_from_boards_toolchain():
    allowed = {*(ROOT / "boards").rglob("*.py"),  # board data and toolchain.py
               ROOT / "host_tools" / "sim" / "native" / "loader.py"}  # its -march override
    for path in _sources("boards", "codegen", "host_tools", "tests"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not node.value.startswith(FLAG_PREFIXES), f"{path.relative_to(ROOT)}: {node.value}"


def test_both_front_ends_take_every_build_option():
    helps = [subprocess.run([sys.executable, "-m", "codegen", "--help"], capture_output=True,
                            text=True, cwd=ROOT, check=True).stdout,
             subprocess.run([sys.executable, "-m", "SCons", "-h", "-Q"], capture_output=True,
                            text=True, cwd=ROOT, check=True).stdout]
    for option in BUILD_OPTIONS:
        assert f"--{option.name.replace('_', '-')}" in helps[0], option.name
        assert f"\n{option.name}:" in helps[1], option.name


def test_python_m_codegen_reproduces_a_scons_build(tmp_path):
    """The same options give the same generated files through either front end."""
    options = ["patch=auto", "inplace=0", "nvm=mram", "ql=Q2", "fault=switch", "seed=5"]
    gen = ROOT / "build" / "mps2-an386" / f"{MODEL.stem}.mram-Q2-switch-s5" / "gen"
    subprocess.run([sys.executable, "-m", "SCons", "-Q", "board=mps2-an386", f"model={MODEL}",
                    *options, str(gen / "model.c")], cwd=ROOT, check=True, capture_output=True)
    flags = [f"--{o.replace('=', ' ', 1).replace('_', '-')}".split() for o in options]
    subprocess.run([sys.executable, "-m", "codegen", str(MODEL), "--out", str(tmp_path),
                    "--board", "mps2-an386", *[w for f in flags for w in f]],
                   cwd=ROOT, check=True, capture_output=True)
    for name in ("model.c", "model.h", "model.json"):
        assert filecmp.cmp(gen / name, tmp_path / name, shallow=False), name
