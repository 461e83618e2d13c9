"""python -m codegen MODEL.tflite --out DIR [--board NAME]: generate model.c/model.h/model.json."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .compile import compile_model, write_outputs
from .errors import CompileError
from .lowering import Target


def target_for_board(name: str) -> Target:
    from boards import BoardError, load_board  # boards/ sits beside codegen/ at the top level
    try:
        board = load_board(name)
    except BoardError as exc:
        raise CompileError(str(exc)) from None
    return Target.for_board(board)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    ap.add_argument("model", help="int8 .tflite file")
    ap.add_argument("--out", required=True, type=Path, help="directory for the generated files")
    ap.add_argument("--board", default="host", help="board name (decides the kernel variants)")
    args = ap.parse_args(argv)
    try:
        target = target_for_board(args.board)
        model = compile_model(args.model, target)
        emitted = write_outputs(model, args.model, args.out)
    except CompileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{model.graph.name}: {len(model.layers)} layers, "
          f"{sum(layer.macs for layer in model.layers)} MACs, arena {model.plan.arena_bytes} B "
          f"(lower bound {model.plan.lower_bound} B), constants {emitted.const_bytes} B "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
