"""python -m codegen MODEL.tflite --out DIR [--board NAME] [build options]: generate
model.c / model.h / model.json exactly as `scons board=NAME model=MODEL ...` does."""
from __future__ import annotations

import sys

from boards import BoardError, load_board

from .option_table import BUILD_OPTIONS, parse_build_options
from .cliargs import ArgumentParser, tflite_file, writable_dir
from .errors import CompileError
from .generate import generate


def main(argv: list[str] | None = None) -> int:
    ap = ArgumentParser(prog="python -m codegen", description=__doc__)
    ap.add_argument("model", type=tflite_file, help="int8 .tflite file")
    ap.add_argument("--out", required=True, type=writable_dir, help="directory for the generated files")
    ap.add_argument("--board", default="host", help="board name (decides the kernel variants)")
    for option in BUILD_OPTIONS:
        ap.add_argument(f"--{option.name.replace('_', '-')}", dest=option.name,
                        default=option.default, help=f"{option.help} (default: {option.default or '-'})")
    args = ap.parse_args(argv)
    try:
        board = load_board(args.board)
        memory, nvm = parse_build_options({o.name: getattr(args, o.name) for o in BUILD_OPTIONS})
        built = generate(args.model, board, memory, nvm, args.out)
    except (CompileError, BoardError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug, not bad input: still one line, no files
        print(f"error: internal compiler error ({type(exc).__name__}: {exc}) on '{args.model}'; "
              "please report it with the model file.", file=sys.stderr)
        return 2
    model, emitted = built.model, built.emitted
    nvm_note = f", NVM {model.persist.nvm_bytes} B" if model.persist else ""
    print(f"{model.graph.name}: {len(model.layers)} layers, "
          f"{sum(layer.macs for layer in model.layers)} MACs, arena {model.plan.arena_bytes} B "
          f"(lower bound {model.plan.lower_bound} B){nvm_note}, constants {emitted.const_bytes} B "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
