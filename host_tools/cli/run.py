"""`python -m host_tools run`: one inference on a built firmware, optionally checked per layer."""
from __future__ import annotations

import argparse

from boards import load_board
from codegen.cliargs import existing_file, serial_port, tflite_file

from ..errors import ToolError
from ..measure.inference import format_result, load_meta, run_inference
from ..reference.inputs import load_inputs

COUNTER_SOURCE = {"instructions": "measured on QEMU by instruction count (-icount shift=0, SysTick)",
                  "cycles": "measured by DWT cycle counter on the board",
                  "ns": "host wall clock"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--board", required=True)
    p.add_argument("--elf", required=True, type=existing_file, help="firmware built by scons")
    p.add_argument("--meta", type=existing_file, help="model.json (default: gen/model.json beside the ELF)")
    p.add_argument("--input", type=existing_file, help=".npy (or .npz for several inputs); default: fixed input")
    p.add_argument("--check", action="store_true", help="compare every layer with TFLite")
    p.add_argument("--model", type=tflite_file, help=".tflite file, needed by --check")
    p.add_argument("--port", type=serial_port, help="serial port of a real board (e.g. /dev/ttyACM0), "
                   "or auto to find its ST-LINK port")


def run(args: argparse.Namespace) -> int:
    from ..reference.golden import reference_tensors  # imports TensorFlow: only with --check

    board = load_board(args.board)
    elf = args.elf
    meta = load_meta(args.meta or elf.parent / "gen" / "model.json")
    inputs = load_inputs(args.input, meta["inputs"])
    reference = None
    if args.check:
        if args.model is None:
            raise ToolError("--check needs --model <the .tflite file the firmware was built from>.")
        reference = reference_tensors(args.model, inputs)
    result = run_inference(board, elf, meta, inputs, reference, args.port)
    print(format_result(meta, result, COUNTER_SOURCE.get(result.unit, result.unit)))
    return 0 if result.bit_exact in (None, True) else 1
