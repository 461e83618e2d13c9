"""`python -m host_tools flash`: program a built firmware into a real board."""
from __future__ import annotations

import argparse

from boards import FLASHERS, load_board
from codegen.cliargs import existing_file

from ..target.flash import flash


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--board", required=True)
    p.add_argument("--elf", required=True, type=existing_file, help="firmware built by scons")
    p.add_argument("--flasher", default="openocd", choices=FLASHERS, help="openocd (default), stlink or pyocd")


def run(args: argparse.Namespace) -> int:
    board = load_board(args.board)
    print(f"flash: {args.elf} -> {board.name} with {args.flasher} ...", flush=True)
    flash(board, args.elf, args.flasher)
    print(f"flash: done; {board.name} is running the new firmware")
    return 0
