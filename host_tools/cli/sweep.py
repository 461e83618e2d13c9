"""python -m host_tools sweep: accuracy loss vs energy saving across STT-MRAM QLs."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from boards import load_board
from codegen.cliargs import (ArgumentParser, existing_file, positive_int, ql_names, tflite_file,
                             writable_dir, writable_file)
from codegen.errors import CompileError

from ..errors import ToolError
from codegen.nvm.quality import QL_NAMES, load_ql_table
from ..sim import Simulator, SimulatorError
from ..sim.graph import engine_description
from ..intermittent.nvm_image import NvmLayout
from ..sweep.campaign import Campaign, map_config, uniform
from ..sweep.cost import (LayerCosts, board_pj_per_cycle, compile_for, energy, measure_counts,
                   persistence_plan)
from ..sweep.datasets import load_digits_set, load_npz, synthetic
from ..sweep.report import Row, sweet_spot, table, write_files
from ..sweep.store import Store
from ..sweep.tasks import PatchOption, task_map
from ..sweep.trials import FaultSetup, model_sha

ROOT = Path(__file__).resolve().parents[2]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, type=tflite_file, help="int8 .tflite model")
    p.add_argument("--board", required=True, help="board whose power figure and measured "
                   "instruction counts give the energy (e.g. mps2-an500)")
    p.add_argument("--ql", default=",".join(QL_NAMES), type=ql_names, help="QLs to sweep (default Q0..Q4)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--inputs", type=existing_file, help=".npz with x (and optional integer labels y)")
    src.add_argument("--dataset", choices=["digits", "synthetic"], default=None,
                     help="digits: scikit-learn digits test split (labelled); synthetic: "
                          "uniform random int8, agreement only (default when no --inputs)")
    p.add_argument("--samples", type=positive_int, default=200, help="inputs per QL (default 200)")
    p.add_argument("--repeats", type=positive_int, default=3, help="fault seeds per input (default 3)")
    p.add_argument("--budget", type=float, default=1.0,
                   help="accuracy loss budget in percentage points (default 1.0)")
    p.add_argument("--seed", type=int, default=1, help="fault PRNG seed (default 1)")
    p.add_argument("--fault", choices=["flip", "switch"], default="flip",
                   help="flip: every written bit fails with WER(QL) (the paper); switch: only "
                        "bits that change relative to NVM's previous content fail "
                        "(host_tools/intermittent/faults.py); each trial is then the first inference after "
                        "power-on (NVM all zeros), bit-exact with an nvm=mram fault=switch build")
    p.add_argument("--ql-table", type=existing_file, help="QL table TOML (default: 32 nm STT-MRAM, DESIGN.md)")
    p.add_argument("--patch", default="off",
                   help="simulate and cost the build with scons patch=<this>: off (default), "
                        "auto or <p>x<p>@<n>; a patch stage is one task, persisted once")
    p.add_argument("--patch-overhead", default=PatchOption().overhead,
                   help="as scons patch_overhead= for --patch auto (default "
                        f"{PatchOption().overhead})")
    p.add_argument("--assign", action="store_true",
                   help="also search a per-task QL assignment (per layer unless --patch) "
                        "and verify it")
    p.add_argument("--probe-samples", type=positive_int, default=100,
                   help="inputs per sensitivity probe of --assign (default 100)")
    p.add_argument("--cluster", help="run chunks on Dask: 'local[:N]' or a scheduler address")
    p.add_argument("--db", type=writable_file, default=str(ROOT / "build" / "sweep" / "campaigns.sqlite"),
                   help="campaign database (resumable; default build/sweep/campaigns.sqlite)")
    p.add_argument("--out", type=writable_dir, help="directory for sweep.csv, sweep.json, sweep.png "
                   "(default build/sweep/<model>/)")


def _check(args: argparse.Namespace) -> list[str]:
    if not 0.0 < args.budget <= 100.0:
        raise ToolError(f"--budget {args.budget} is out of range; give the accepted accuracy "
                        "loss in percentage points, in (0, 100].")
    qls = sorted(set(args.ql), key=QL_NAMES.index)
    if "Q0" not in qls:
        qls.insert(0, "Q0")  # savings are relative to Q0
    PatchOption(args.patch, args.patch_overhead).memory()  # scons' checks and messages
    return qls


def run(args: argparse.Namespace) -> int:
    qls = _check(args)
    model = Path(args.model)
    board = load_board(args.board)
    pj, power_source = board_pj_per_cycle(board)
    try:
        sim = Simulator(model)
    except SimulatorError as e:
        raise ToolError(str(e)) from None
    if len(sim.inputs) != 1:
        raise ToolError(f"the sweep runs single-input models; {model.name} has "
                        f"{len(sim.inputs)} inputs.")
    t_in = sim.inputs[0]
    if args.inputs:
        data = load_npz(args.inputs, t_in)
    elif args.dataset == "digits":
        data = load_digits_set(t_in)
    else:
        data = synthetic(t_in, args.samples, args.seed)
    store = Store(args.db)
    sha = model_sha(model.read_bytes())
    patch = PatchOption(args.patch, args.patch_overhead)
    compiled = compile_for(board, model, patch.memory())
    tasks = task_map(compiled, sim, patch.key)  # identity unless a patch stage groups ops
    unit, counts = measure_counts(board, model, store, sha, patch)
    if len(counts) != tasks.tasks:
        raise ToolError(f"the firmware reports {len(counts)} layers, the compiler "
                        f"{tasks.tasks}; rebuild the firmware for {model.name}.")
    persist, ops = persistence_plan(board, model, compiled=compiled)
    if len(persist["task_pid"]) != tasks.tasks:
        raise ToolError(f"the persistence plan has {len(persist['task_pid'])} tasks, the "
                        f"task map {tasks.tasks}; they must agree.")
    # the simulator corrupts what the firmware persists: inputs as pids 0.., then task
    # t's output (its last layer's) as pid inputs + t (trials.simulate's streams rely on this)
    tensors = {t["pid"]: t for t in persist["tensors"]}
    n_in = len(sim.inputs)
    for task, (end, pid) in enumerate(zip(tasks.ends, persist["task_pid"])):
        t, layer = tensors[pid], sim.layers[end]
        if pid != n_in + task or t["tensor"] != layer.output or t["bytes"] != layer.nbytes:
            raise ToolError(f"task {task}: the firmware persists tensor {t['tensor']} "
                            f"({t['bytes']} B) as pid {pid}; the simulator expects tensor "
                            f"{layer.output} ({layer.nbytes} B) as pid {n_in + task}.")
    costs = LayerCosts(tuple(counts), unit, persist, ops, pj, power_source)
    # switch trials write into an image of the firmware's NVM region laid out by this plan
    faults = FaultSetup(args.fault, load_ql_table(args.ql_table),
                        nvm=NvmLayout.from_plan(persist), tasks=tasks)
    out = Path(args.out) if args.out else ROOT / "build" / "sweep" / model.stem
    samples = min(args.samples, len(data.x))

    from contextlib import nullcontext
    from ..sweep.runner import dask_client
    with (dask_client(args.cluster) if args.cluster else nullcontext()) as client:
        c = Campaign.open(model, sim, data, faults, args.seed, store, client)
        rows = []
        e0 = energy(costs, faults.table, uniform("Q0", c.layers), faults.input_ql).total_uj
        for ql in qls:
            q = uniform(ql, c.layers)
            outcome = c.measure(ql, q, samples, args.repeats)
            e = energy(costs, faults.table, q, faults.input_ql)
            rows.append(Row(ql, q, e, 100 * (1 - e.total_uj / e0), outcome))
        best = sweet_spot(rows, args.budget)
        assigned = None
        if args.assign and best is not None:
            from ..sweep.assign import search, write_ql_map
            a = search(c, costs, best.config, best.outcome, args.budget, samples, args.repeats,
                       min(args.probe_samples, samples), qls)
            assigned = Row("per-layer", a.qls, a.energy, 100 * (1 - a.energy.total_uj / e0),
                           a.outcome)
            out.mkdir(parents=True, exist_ok=True)
            write_ql_map(a.qls, out / "ql_map.txt")
        store.close()

    print(f"sweep: {model.name} on {board.name}, inputs: {data.name}, {samples} samples x "
          f"{args.repeats} repeats per QL, fault model {args.fault}, seed {args.seed}"
          + (f", patch={args.patch} ({tasks.tasks} tasks for {len(sim.layers)} layers)"
             if patch.key else ""))
    print(f"simulator: {engine_description(sim.engine)}")
    print(f"energy per inference (uJ): {costs.source}; NVM = persist + commit + restore")
    print(f"loss: {rows[0].outcome.metric} loss vs the fault-free run in percentage points "
          "(simulated, bit-exact int8 host simulator); 95% confidence intervals")
    if rows[0].outcome.labelled:
        print(f"fault-free accuracy: {rows[0].outcome.clean_accuracy_pct:.2f}% "
              f"({samples} labelled samples)")
    shown = rows + ([assigned] if assigned else [])
    print(table(shown))
    from ..sweep.plot import plot
    png = out / "sweep.png"
    written = write_files(shown, {"model": model.name, "board": board.name, "inputs": data.name,
                                  "samples": samples, "repeats": args.repeats,
                                  "seed": args.seed, "fault_model": args.fault,
                                  "patch": args.patch, "tasks": tasks.tasks,
                                  "budget_pp": args.budget, "energy_source": costs.source,
                                  "sweet_spot": best.config if best else None}, out)
    plot(shown, args.budget, best.config if best else None,
         f"{model.name} on {board.name}, {data.name.split(' (')[0]}", png)
    print("wrote " + ", ".join(str(p) for p in [*written, png])
          + (f", {out / 'ql_map.txt'}" if assigned else ""))
    if assigned:
        print(f"per-layer assignment: {' '.join(assigned.qls)} - saving "
              f"{assigned.saving_pct:.1f}% loss {assigned.outcome.loss_pp:.2f} pp vs best "
              f"uniform {best.config} saving {best.saving_pct:.1f}% (+"
              f"{assigned.saving_pct - best.saving_pct:.1f} points)")
    if best is None:
        print(f"sweet spot: none (every QL loses more than {args.budget:g} pp)")
        return 1
    print(f"sweet spot: {best.config} saving {best.saving_pct:.1f}% loss "
          f"{best.outcome.loss_pp:.2f} pp")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = ArgumentParser(prog="python -m host_tools sweep", description=__doc__)
    add_arguments(ap)
    args = ap.parse_args(argv)
    try:
        return run(args)
    except (ToolError, CompileError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


__all__ = ["add_arguments", "run", "main", "map_config"]
