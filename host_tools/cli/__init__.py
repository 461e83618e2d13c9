"""Subcommands of `python -m host_tools`: argument parsing and printing only.

Each module adds its arguments and runs its command; the work itself lives in the
packages below (measure/, intermittent/, sweep/, target/, reference/, artifacts/).
"""
from __future__ import annotations

import sys

from boards import BoardError
from codegen.cliargs import ArgumentParser
from codegen.errors import CompileError

from ..errors import ToolError
from . import bench, flash, nvm, run, sweep


def main(argv: list[str] | None = None) -> int:
    ap = ArgumentParser(prog="python -m host_tools")
    sub = ap.add_subparsers(dest="command", required=True)
    run.add_arguments(sub.add_parser("run", help="run one inference on a built firmware"))
    bench.add_arguments(sub.add_parser("bench", help="build, run and check models; print a table"))
    flash.add_arguments(sub.add_parser("flash", help="program a built firmware into a real board"))
    sweep.add_arguments(sub.add_parser("sweep", help="accuracy loss vs energy saving across NVM QLs"))
    nvm.add_energy_arguments(sub.add_parser("energy", help="energy per task and per NVM QL (modelled)"))
    nvm.add_powerfail_arguments(sub.add_parser("powerfail", help="random power failures under QEMU"))
    args = ap.parse_args(argv)
    commands = {"run": run.run, "bench": bench.run, "flash": flash.run, "sweep": sweep.run,
                "energy": nvm.cmd_energy, "powerfail": nvm.cmd_powerfail}
    try:
        return commands[args.command](args)
    except (ToolError, BoardError, CompileError) as exc:  # CompileError: bad build options
        print(f"error: {exc}", file=sys.stderr)
        return 2
