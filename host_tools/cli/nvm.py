"""The `energy` and `powerfail` subcommands of python -m host_tools."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from boards import load_board

from ..errors import ToolError
from codegen.cliargs import positive_int, ql_name, tflite_file, writable_file
from codegen.nvm.options import NvmOptions, parse_options


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--board", required=True)
    p.add_argument("--model", required=True, type=tflite_file, help=".tflite file")
    p.add_argument("--ql", default="Q0", type=ql_name, help="QL of every task output (Q0..Q4)")
    p.add_argument("--qlmap", default="", help="per-layer QL map file ('<layer> <QL>' lines)")
    p.add_argument("--ql-table", default="", help="QL characterisation TOML (default: 32 nm STT-MRAM)")
    p.add_argument("--v-on", default="3.3", help="capacitor turn-on voltage, V")
    p.add_argument("--v-off", default="1.8", help="capacitor turn-off voltage, V")


def add_energy_arguments(p: argparse.ArgumentParser) -> None:
    _add_common(p)
    p.add_argument("--csv", type=writable_file, help="write the per-task table as CSV here")
    p.add_argument("--json", type=writable_file, help="write per-task rows and per-QL totals as JSON here")


def add_powerfail_arguments(p: argparse.ArgumentParser) -> None:
    _add_common(p)
    p.add_argument("--schedules", type=positive_int, default=50, help="random failure schedules to run")
    p.add_argument("--mode", default="host", choices=("host", "capacitor"), help="host (QMP system_reset) or capacitor (firmware)")
    p.add_argument("--seed", default="1", help="fault PRNG seed")
    p.add_argument("--faults", action="store_true",
                   help="inject write faults (default: fault rate forced to zero)")
    p.add_argument("--schedule-seed", type=int, default=0, help="seed of the random schedules")
    p.add_argument("--exhaustive", action="store_true",
                   help="fail the power at every NVM write access of one inference (Q0, no faults)")
    for name, what in (("--depth", "failures per task, the later ones in its re-executions"),
                       ("--repeat", "each failure that many times in a row"),
                       ("--stride", "every stride-th tensor word (every record word always)")):
        p.add_argument(name, type=positive_int, default=1, help=f"--exhaustive: {what}")


def _options(args: argparse.Namespace) -> NvmOptions:
    return parse_options("mram", args.ql, args.qlmap, args.ql_table, getattr(args, "seed", "1"),
                         "flip", "0", args.v_on, args.v_off)


def cmd_energy(args: argparse.Namespace) -> int:
    from ..measure.energy import energy_report

    print(energy_report(load_board(args.board), args.model, _options(args), args.csv, args.json))
    return 0


def cmd_powerfail(args: argparse.Namespace) -> int:
    from ..measure.nvm_firmware import build_nvm
    from ..intermittent.powerfail import campaign, format_schedules
    from ..reference.golden import default_inputs

    board = load_board(args.board)
    if board.run_method != "qemu":
        raise ToolError(f"powerfail runs under QEMU; board {board.name} does not.")
    opts = _options(args)
    if args.exhaustive and (args.ql != "Q0" or args.qlmap or args.faults):
        raise ToolError("--exhaustive runs at Q0 without write faults (outputs must be bit-exact).")
    elf, meta = build_nvm(board, args.model, opts)
    if args.exhaustive:
        return _exhaustive(args, board, elf, meta)
    print(f"powerfail: {meta['name']} on {board.name}, {args.schedules} schedules, mode "
          f"{args.mode}, faults {'on' if args.faults else 'off (rate forced to zero)'}",
          file=sys.stderr, flush=True)
    results, note = campaign(board, elf, meta, default_inputs(meta["inputs"]), args.schedules,
                             args.mode, args.schedule_seed, opts.seed, args.faults)
    print(format_schedules(results, note))
    return 0 if all(r.bit_exact for r in results) else 1


def _exhaustive(args: argparse.Namespace, board, elf: Path, meta: dict) -> int:
    from ..intermittent.exhaustive import exhaustive, format_result, write_segments
    from ..reference.golden import default_inputs

    segments = write_segments(meta["persist"])
    print(f"powerfail --exhaustive: {meta['name']} on {board.name}, {sum(segments)} NVM write "
          f"accesses, depth {args.depth}, repeat {args.repeat}, stride {args.stride}",
          file=sys.stderr, flush=True)

    def progress(done: int, total: int, ok: int) -> None:
        if done % 100 == 0 or done == total:
            print(f"  {done}/{total} schedules, {ok} bit-exact", file=sys.stderr, flush=True)

    r = exhaustive(board, elf, meta, default_inputs(meta["inputs"]), args.depth, args.repeat,
                   args.stride, progress)
    print(format_result(r, segments, args.depth, args.repeat, args.stride))
    return 0 if r.bit_exact == r.schedules else 1
