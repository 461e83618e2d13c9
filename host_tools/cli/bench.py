"""`python -m host_tools bench`: build, run and check models on a board; one table row each."""
from __future__ import annotations

import argparse

from boards import load_board
from codegen.cliargs import serial_port, tflite_file, writable_file

from ..measure.bench import bench_model, format_table, progress, write_json


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--board", required=True)
    p.add_argument("models", nargs="+", type=tflite_file, help=".tflite files")
    p.add_argument("--json", type=writable_file, help="write the results as JSON here")
    p.add_argument("--port", type=serial_port, help="serial port of a real board, or auto")


def run(args: argparse.Namespace) -> int:
    board = load_board(args.board)
    rows = []
    for model in args.models:
        progress(f"bench: {model.name} on {board.name} ...")
        rows.append(bench_model(board, model, args.port))
    print(format_table(rows))
    if args.json:
        write_json(rows, args.json)
        print(f"wrote {args.json}")
    return 0 if all(r.bit_exact for r in rows) else 1
