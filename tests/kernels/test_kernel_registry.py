"""The kernel registry (codegen/kernels.py) against the C sources and the compiler.

Every record's function is declared in its header with its params type, every scratch
formula equals the C expression it mirrors over a grid of shapes, every call the compiler
emits resolves to a record with the same params type, and no other codegen module spells
a kernel name.
"""
from __future__ import annotations

import ast
import itertools
import random
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from codegen.kernels import KERNELS, Kernel, kernel, kernel_of
from tests.support.harness import CFLAGS
from tests.support.paths import REPO_ROOT, SHARED_MODELS

ROOT = REPO_ROOT
KERNELS_C = ROOT / "kernels_c"
CODEGEN = ROOT / "codegen"
MODELS = SHARED_MODELS


@lru_cache(maxsize=None)
def _header_text(header: str) -> str:
    """The preprocessed text that comes from `header` itself (macros such as
    TP_CONV_PK_DECLARE expanded, the headers it includes left out), one line."""
    out = subprocess.run(["cc", "-E", "-I", str(KERNELS_C), str(KERNELS_C / header)],
                         capture_output=True, text=True, check=True).stdout
    own, current = [], None
    for line in out.splitlines():
        marker = re.match(r'# \d+ "([^"]+)"', line)
        if marker:
            current = Path(marker.group(1)).name
        elif current == header:
            own.append(line)
    return " ".join(" ".join(own).split())


@pytest.mark.parametrize("k", KERNELS, ids=lambda k: k.function)
def test_declared_in_its_header(k: Kernel):
    text = _header_text(k.header)
    for name in k.names():
        assert re.search(rf"\b{name} ?\( ?const {k.params_type} ?\*", text), \
            f"{name}(const {k.params_type} *, ...) is not declared in kernels_c/{k.header}"


def test_headers_reach_generated_code():
    """model.c includes tp_kernels.h only: every record's header must be behind it."""
    out = subprocess.run(["cc", "-E", "-I", str(KERNELS_C), str(KERNELS_C / "tp_kernels.h")],
                         capture_output=True, text=True, check=True).stdout
    included = {Path(f).name for f in re.findall(r'# \d+ "([^"]+)"', out)}
    assert {k.header for k in KERNELS} <= included


def _grid(params_type: str) -> list[dict[str, int]]:
    """Shapes to size scratch for, per params struct (fields as the emitter names them)."""
    if params_type in ("tp_conv_params", "tp_conv_1x1_inplace_params"):
        return [{"k_h": kh, "k_w": kw, "in_c": c}
                for kh, kw, c in itertools.product((1, 2, 3, 5, 7), (1, 2, 3, 4, 5),
                                                  (1, 2, 3, 4, 5, 7, 8, 16, 31, 32, 33, 64))]
    if params_type == "tp_fully_connected_params":
        return [{"depth": d} for d in (*range(1, 40), 63, 64, 65, 255, 256, 1000, 1001)]
    if params_type == "tp_depthwise_params":
        rng = random.Random(0)
        return [{"out_h": rng.choice((1, 2, 3, 5, 8, 13, 49)),
                 "out_w": rng.choice((1, 2, 3, 5, 8, 13, 49)),
                 "k_h": rng.choice((1, 2, 3, 5, 7)), "k_w": rng.choice((1, 2, 3, 5, 7)),
                 "stride_h": rng.choice((1, 2, 3)), "stride_w": rng.choice((1, 2, 3)),
                 "dil_h": rng.choice((1, 2)), "dil_w": rng.choice((1, 2)),
                 "transposed": rng.choice((0, 1)), "in_c": 8} for _ in range(300)]
    raise AssertionError(f"no shape grid for {params_type}: add one to size its scratch")


def test_scratch_formulas_match_c(tmp_path):
    """Each record's scratch function against its scratch_c expression, compiled with
    the kernels (a formula that drifts from its macro fails here)."""
    sized = [k for k in KERNELS if k.scratch is not None]
    assert all((k.scratch is None) == (k.scratch_c is None) for k in KERNELS)
    cases = [(k, p) for k in sized for p in _grid(k.params_type)]
    lines = [f'#include "{h}"' for h in sorted({k.header for k in KERNELS})]
    lines += ["#include <stdio.h>", "#include <string.h>", "int main(void)", "{"]
    for k, p in cases:
        fields = " ".join(f"q.{f} = {v};" for f, v in p.items())
        lines.append(f"    {{ {k.params_type} q; const {k.params_type} *p = &q; "
                     f"memset(&q, 0, sizeof q); {fields} "
                     f'printf("%lu\\n", (unsigned long)({k.scratch_c})); }}')
    lines += ["    return 0;", "}"]
    src, exe = tmp_path / "scratch.c", tmp_path / "scratch"
    src.write_text("\n".join(lines) + "\n")
    subprocess.run(["gcc", *CFLAGS, "-I", str(KERNELS_C), str(src),
                    *map(str, sorted(KERNELS_C.glob("*.c"))), "-o", str(exe)], check=True)
    c_values = subprocess.run([str(exe)], capture_output=True, text=True,
                              check=True).stdout.split()
    assert len(c_values) == len(cases)
    wrong = [(k.function, p, int(c), k.scratch(p))
             for (k, p), c in zip(cases, c_values) if int(c) != k.scratch(p)]
    assert not wrong, f"{len(wrong)} scratch sizes differ from C, first: {wrong[0]}"


BOARDS = ("mps2-an500", "mps2-an386", "mps2-an385", "host")


@pytest.mark.skipif(not MODELS, reason="no shared models")
@pytest.mark.parametrize("board", BOARDS)
def test_every_emitted_call_resolves(board):
    """Every call of every shared model, with and without in-place layers and with a patch
    stage where the model has one, names a registered kernel with its params type."""
    from boards import load_board
    from codegen.compile import compile_model
    from codegen.errors import CompileError
    from codegen.lowering import Target
    from codegen.memoptions import MemoryOptions
    target = Target.for_board(load_board(board))
    for path in MODELS:
        for options in (MemoryOptions(), MemoryOptions(inplace=False),
                        MemoryOptions(patch="2x2@2")):
            try:
                model = compile_model(path, target, options)
            except CompileError:
                assert options.patch != "off"  # the model has no 2-layer stage for 2x2 tiles
                continue
            for layer in model.layers:
                for call in layer.calls:
                    k = kernel_of(call)  # KeyError names an unregistered kernel
                    assert call.params_type == k.params_type, call.function
                    assert call.scratch_bytes >= k.scratch_bytes(call.params) or layer.stage


def _kernel_name_literals(path: Path) -> list[str]:
    """String constants (not docstrings / bare strings) starting with tp_, as written."""
    tree = ast.parse(path.read_text())
    bare = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and n.value.startswith("tp_") and id(n) not in bare]


def test_no_kernel_names_outside_the_registry():
    """C kernel names and params types are written in codegen/kernels.py only: a literal
    elsewhere that is (the start of) one would bypass the registry."""
    registered = [name for k in KERNELS for name in (*k.names(), k.params_type)]
    found = {}
    for path in sorted(CODEGEN.rglob("*.py")):
        if path.name == "kernels.py" and path.parent == CODEGEN:
            continue
        for text in _kernel_name_literals(path):
            word = re.match(r"tp_\w*", text).group(0)
            if any(name.startswith(word) for name in registered):
                found.setdefault(str(path.relative_to(ROOT)), []).append(text)
    assert not found


def test_lookup():
    assert kernel("tp_conv_pk_s8_dsp_k28").family == "conv"
    assert kernel("tp_depthwise_s8_dsp_rs_k3s1").variant == "dsp_rs"
    with pytest.raises(KeyError):
        kernel("tp_conv_pk_s8_dsp_k30")
    assert all(kernel(k.inplace_form).in_place for k in KERNELS if k.inplace_form)
    assert all(kernel(k.inline_form).variant == "inline" for k in KERNELS if k.inline_form)
