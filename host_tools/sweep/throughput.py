"""Throughput of the host simulator against TFLite's interpreter run once per inference.

    python -m host_tools.sweep.throughput --model m.tflite [--model ...] [--batch 256] [--threads 1]
    python -m host_tools.sweep.throughput --campaign --model m.tflite [--campaign-samples 256]
                                   [--campaign-repeats 2]

Prints, per model, inferences per second (wall clock on this machine) of the simulator
over one batch and of tf.lite.Interpreter invoked once per inference, with its reference
kernels (BUILTIN_REF: the bit-exact golden the simulator matches) and with its default
resolver (XNNPACK: faster, not bit-exact), and the ratios. Both sides get the same number
of threads (BLAS threads for the simulator via threadpoolctl, num_threads for TFLite).
Every figure is best of --repeats runs, to damp other load on the machine. The first
line names the simulator engine measured (--engine; see host_tools/sim/native/).

--campaign times fault trials instead: the run_chunk calls of a sweep campaign (fault
model flip, uniform Q0..Q4 in that order, --campaign-samples random int8 samples x
--campaign-repeats repeats, the campaign's chunk size, seed 7, one BLAS thread as in
sweep workers, so --threads and --batch do not apply), once running every layer of every
trial (reuse=False) and once resuming trials from the cached fault-free run
(sweep/reuse.py; the cache is emptied before every timed campaign, so computing the
fault-free runs is counted). It prints trials/s per QL and over the campaign for both,
their ratio, and each against TFLite BUILTIN_REF inferences/s, and checks that both give
the same chunk results.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from codegen.nvm.quality import QL_NAMES  # noqa: E402

from ..sim.graph import ENGINES, Simulator, SimulatorError, engine_description  # noqa: E402


@dataclass
class Throughput:
    model: str
    batch: int
    threads: int
    sim_inf_s: float          # simulator, inferences per second (wall clock)
    tflite_ref_inf_s: float   # TFLite BUILTIN_REF, one invoke per inference
    tflite_default_inf_s: float

    @property
    def ratio_ref(self) -> float:
        return self.sim_inf_s / self.tflite_ref_inf_s

    @property
    def ratio_default(self) -> float:
        return self.sim_inf_s / self.tflite_default_inf_s


def _best_rate(fn, count: int, repeats: int) -> float:
    """count / (fastest of `repeats` timed calls of fn), in calls' units per second."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return count / best


def simulator_rate(sim: Simulator, x: np.ndarray, repeats: int) -> float:
    sim.run(x[:2])  # first-call costs (allocation, imports) are not throughput
    return _best_rate(lambda: sim.run(x), len(x), repeats)


def tflite_rate(model: Path, x: np.ndarray, reference: bool, threads: int, repeats: int) -> float:
    import tensorflow as tf
    warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
    kind = (tf.lite.experimental.OpResolverType.BUILTIN_REF if reference
            else tf.lite.experimental.OpResolverType.AUTO)
    interp = tf.lite.Interpreter(model_path=str(model), experimental_op_resolver_type=kind,
                                 num_threads=threads)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]

    def run_all() -> None:
        for sample in x:
            interp.set_tensor(inp["index"], sample.reshape(inp["shape"]))
            interp.invoke()
            interp.get_tensor(out["index"])

    run_all()
    return _best_rate(run_all, len(x), repeats)


def measure(model: Path, batch: int, tflite_samples: int, threads: int, repeats: int,
            seed: int = 0) -> Throughput:
    from threadpoolctl import threadpool_limits

    sim = Simulator(model)
    if len(sim.inputs) != 1:
        raise SimulatorError(f"{model.name}: the benchmark feeds one input; the model has "
                             f"{len(sim.inputs)}")
    shape = sim.inputs[0].shape[1:]
    x = np.random.default_rng(seed).integers(-128, 128, size=(batch, *shape), dtype=np.int8)
    with threadpool_limits(limits=threads):
        sim_rate = simulator_rate(sim, x, repeats)
    few = x[:tflite_samples]
    return Throughput(model.name, batch, threads, sim_rate,
                      tflite_rate(model, few, True, threads, repeats),
                      tflite_rate(model, few, False, threads, repeats))


CAMPAIGN_QLS = QL_NAMES  # every level
CAMPAIGN_SEED = 7


@dataclass
class CampaignThroughput:
    model: str
    samples: int
    repeats: int
    chunk: int
    full_trials_s: dict[str, float]   # per QL, every layer of every trial (reuse=False)
    reuse_trials_s: dict[str, float]  # per QL, resumed from the fault-free run
    full_overall: float               # whole campaign, trials/s
    reuse_overall: float
    tflite_ref_inf_s: float

    @property
    def speedup(self) -> float:
        return self.reuse_overall / self.full_overall


def campaign_rate(model: Path, samples: int, repeats: int, tflite_samples: int, runs: int,
                  seed: int = 0) -> CampaignThroughput:
    """Trials/s of a uniform Q0..Q4 campaign through run_chunk, without and with reuse
    (best of `runs` campaigns each, per QL and overall; see the module docstring)."""
    from codegen.nvm.quality import load_ql_table
    from . import reuse
    from .campaign import DEFAULT_CHUNK, uniform
    from .trials import Chunk, ChunkTask, FaultSetup, run_chunk, top1

    sim = Simulator(model)
    if len(sim.inputs) != 1:
        raise SimulatorError(f"{model.name}: the benchmark feeds one input; the model has "
                             f"{len(sim.inputs)}")
    x = np.random.default_rng(seed).integers(-128, 128, size=(samples, *sim.inputs[0].shape[1:]),
                                             dtype=np.int8)
    clean = top1(sim.run(x)[sim.graph.outputs[0]])
    faults, data = FaultSetup("flip", load_ql_table()), model.read_bytes()

    def tasks(ql: str, with_reuse: bool) -> list[ChunkTask]:
        c = [Chunk(ql, uniform(ql, len(sim.layers)), a, min(a + DEFAULT_CHUNK, samples), r)
             for r in range(repeats) for a in range(0, samples, DEFAULT_CHUNK)]
        return [ChunkTask(sim.model_sha, data, x[k.start:k.stop], None, clean[k.start:k.stop],
                          k, faults, CAMPAIGN_SEED, with_reuse) for k in c]

    def campaign(with_reuse: bool) -> tuple[dict[str, float], list]:
        reuse.CACHE.clear()
        seconds, results = {}, []
        for ql in CAMPAIGN_QLS:
            todo = tasks(ql, with_reuse)
            t0 = time.perf_counter()
            results += [run_chunk(t) for t in todo]
            seconds[ql] = time.perf_counter() - t0
        return seconds, results

    run_chunk(tasks("Q0", False)[0])  # builds the worker's simulator: not throughput
    best = {flag: {q: float("inf") for q in CAMPAIGN_QLS} for flag in (False, True)}
    total = {False: float("inf"), True: float("inf")}
    outcomes: dict[bool, list] = {}
    for _ in range(runs):
        for flag in (False, True):  # alternated: both see the same machine load
            seconds, outcomes[flag] = campaign(flag)
            best[flag] = {q: min(best[flag][q], seconds[q]) for q in CAMPAIGN_QLS}
            total[flag] = min(total[flag], sum(seconds.values()))
    if outcomes[False] != outcomes[True]:
        raise RuntimeError(f"{model.name}: reuse changed the chunk results")
    per_ql = samples * repeats
    return CampaignThroughput(
        model.name, samples, repeats, DEFAULT_CHUNK,
        {q: per_ql / t for q, t in best[False].items()},
        {q: per_ql / t for q, t in best[True].items()},
        per_ql * len(CAMPAIGN_QLS) / total[False], per_ql * len(CAMPAIGN_QLS) / total[True],
        tflite_rate(model, x[:tflite_samples], True, 1, runs))


def print_campaign(r: CampaignThroughput) -> None:
    print(f"{r.model}: {r.samples} samples x {r.repeats} repeats per QL, chunks of {r.chunk}; "
          f"TFLite REF {r.tflite_ref_inf_s:.1f} inferences/s")
    print(f"  {'QL':8s} {'full':>9s} {'reuse':>9s} {'speedup':>8s} {'full/REF':>9s} "
          f"{'reuse/REF':>10s}")
    rows = [(q, r.full_trials_s[q], r.reuse_trials_s[q]) for q in CAMPAIGN_QLS]
    for q, full, fast in rows + [("overall", r.full_overall, r.reuse_overall)]:
        print(f"  {q:8s} {full:9.1f} {fast:9.1f} {fast / full:7.2f}x "
              f"{full / r.tflite_ref_inf_s:8.2f}x {fast / r.tflite_ref_inf_s:9.2f}x", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m host_tools.sweep.throughput", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", required=True, type=Path)
    ap.add_argument("--batch", type=int, default=256, help="simulator batch (default 256)")
    ap.add_argument("--tflite-samples", type=int, default=64,
                    help="inferences per timed TFLite run (default 64)")
    ap.add_argument("--threads", type=int, default=1, help="threads for both sides (default 1)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs, best kept (default 3)")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--engine", choices=ENGINES, default="auto",
                    help="simulator engine (default auto: native where it builds)")
    ap.add_argument("--campaign", action="store_true",
                    help="time sweep fault trials (trials/s per QL), without and with reuse")
    ap.add_argument("--campaign-samples", type=int, default=256,
                    help="samples per QL of --campaign (default 256)")
    ap.add_argument("--campaign-repeats", type=int, default=2,
                    help="fault repeats per sample of --campaign (default 2)")
    args = ap.parse_args(argv)
    if args.engine != "auto":  # every Simulator below, the campaign's included, reads it
        os.environ["TP_SIM_ENGINE"] = args.engine
    try:
        print(f"simulator engine: {engine_description()}")
    except SimulatorError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.campaign:
        return campaign_main(args)
    rows: list[Throughput] = []
    print(f"inferences/s, wall clock on this machine, best of {args.repeats}; simulator: one "
          f"batch of {args.batch}; TFLite: one invoke per inference; {args.threads} thread(s)")
    print(f"{'model':34s} {'simulator':>10s} {'TFLite REF':>11s} {'ratio':>7s} "
          f"{'TFLite XNNPACK':>15s} {'ratio':>7s}")
    for m in args.model:
        if not m.is_file():
            print(f"error: model file {m} not found", file=sys.stderr)
            return 2
        try:
            r = measure(m, args.batch, args.tflite_samples, args.threads, args.repeats)
        except SimulatorError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        rows.append(r)
        print(f"{r.model:34s} {r.sim_inf_s:10.1f} {r.tflite_ref_inf_s:11.1f} "
              f"{r.ratio_ref:6.2f}x {r.tflite_default_inf_s:15.1f} {r.ratio_default:6.3f}x",
              flush=True)
    if args.json:
        args.json.write_text(json.dumps(
            [asdict(r) | {"ratio_ref": r.ratio_ref, "ratio_default": r.ratio_default}
             for r in rows], indent=2))
    return 0


def campaign_main(args: argparse.Namespace) -> int:
    from threadpoolctl import threadpool_limits

    print(f"fault trials per second (run_chunk), wall clock on this machine, best of "
          f"{args.repeats} campaigns each; 1 thread (as sweep workers run); full = every "
          "layer of every trial, reuse = resumed from the cached fault-free run")
    rows: list[CampaignThroughput] = []
    for m in args.model:
        if not m.is_file():
            print(f"error: model file {m} not found", file=sys.stderr)
            return 2
        try:
            with threadpool_limits(limits=1):
                r = campaign_rate(m, args.campaign_samples, args.campaign_repeats,
                                  args.tflite_samples, args.repeats)
        except SimulatorError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        rows.append(r)
        print_campaign(r)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"speedup": r.speedup} for r in rows],
                                        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
