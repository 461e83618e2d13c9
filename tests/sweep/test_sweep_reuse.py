"""Fault trials resumed from the cached fault-free run (host_tools/sweep/reuse.py) give
exactly the outputs of running every layer of every trial: whole output arrays, on
models with residual ADDs (ResNet-8), depthwise stacks (DS-CNN) and the digit models."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from boards import load_board
from codegen.nvm.faultmodel import RateThresholds
from host_tools.intermittent.faults import byte_flips
from codegen.nvm.quality import load_ql_table
from host_tools.sim import Simulator
from host_tools.intermittent.nvm_image import NvmLayout
from host_tools.sweep import reuse
from host_tools.sweep.campaign import uniform
from host_tools.sweep.cost import persistence_plan
from host_tools.sweep.datasets import load_digits_set
from host_tools.sweep.trials import (STREAM_STRIDE, Chunk, ChunkTask, FaultSetup, run_chunk,
                                     simulate, top1)
from tests.support.paths import OWN_MODELS_DIR, SHARED_MODELS_DIR

OWN = OWN_MODELS_DIR
SHARED = SHARED_MODELS_DIR
MODELS = [OWN / "digits_cnn_int8.tflite", OWN / "digits_mobilenet_int8.tflite",
          SHARED / "resnet8_cifar10_int8.tflite", SHARED / "dscnn_kws_int8.tflite"]
QLS = ("Q0", "Q1", "Q2", "Q3", "Q4")
SEEDS = (1, 7, 40503)
BATCH, FIRST = 24, 5  # rows are inferences FIRST.. (their fault streams)
TABLE = load_ql_table()


def _setup(model: Path) -> tuple[Simulator, np.ndarray]:
    if not model.is_file():
        pytest.skip(f"{model} not present")
    sim = Simulator(model)
    if model.parent == OWN:
        return sim, load_digits_set(sim.inputs[0]).x[:BATCH]
    x = np.random.default_rng(3).integers(-128, 128, (BATCH, *sim.inputs[0].shape[1:]),
                                          dtype=np.int8)
    return sim, x


def _config(name: str, layers: int, seed: int) -> tuple[str, ...]:
    if name != "map":
        return uniform(name, layers)
    # per-layer mix: low QLs on some layers, Q3/Q4 on others, different for every seed
    return tuple(np.random.default_rng(seed).choice(QLS, layers).tolist())


@pytest.fixture(autouse=True)
def empty_cache():
    reuse.CACHE.clear()
    yield
    reuse.CACHE.clear()


@pytest.mark.parametrize("config", ["Q2", "Q3", "map"])
@pytest.mark.parametrize("input_ql", ["Q0", "Q3"], ids=["inputs-Q0", "inputs-Q3"])
@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_resumed_trials_equal_full_trials(model, input_ql, config, monkeypatch):
    sim, x = _setup(model)
    faults = FaultSetup("flip", TABLE, input_ql)
    clean = sim.run(x)[sim.graph.outputs[0]]
    wants = {}
    for seed in SEEDS:
        qls = _config(config, len(sim.layers), seed)
        wants[seed] = qls, simulate(sim, x, qls, faults, seed, FIRST, reuse=False)
    reuse.CACHE.put(reuse.clean_key(sim, [x]), reuse.clean_activations(sim, [x]))

    def no_full_run(*args, **kwargs):
        raise AssertionError("the reuse path ran every layer")
    monkeypatch.setattr(sim, "run", no_full_run)
    monkeypatch.setattr(reuse, "MAX_WORK_FRACTION", 1.0)  # resume whatever the work saved
    resumed = 0
    for seed, (qls, want) in wants.items():
        got = simulate(sim, x, qls, faults, seed, FIRST)
        assert got.dtype == want.dtype and np.array_equal(got, want), (seed, qls)
        plan = _plan(sim, qls, faults, seed)
        resumed += int(np.count_nonzero((plan.first > 0) & (plan.first < len(sim.layers))))
    assert resumed > 0 or config == "Q3", "no trial restarted mid-network: the test is moot"
    assert any((w != clean).any() for _, w in wants.values()), "faults changed nothing"


def _plan(sim: Simulator, qls: tuple[str, ...], faults: FaultSetup, seed: int) -> reuse.FlipPlan:
    streams = np.arange(FIRST, FIRST + BATCH, dtype=np.uint64) * STREAM_STRIDE
    rates = [faults.rates(faults.input_ql)] * len(sim.inputs) + [faults.rates(q) for q in qls]
    return reuse.FlipPlan.build(sim, rates, seed, streams)


def test_plan_first_flip_matches_the_flipped_tensors():
    sim, _ = _setup(MODELS[2])
    faults = FaultSetup("flip", TABLE, "Q2")
    qls = ("Q0",) * 6 + ("Q2",) * (len(sim.layers) - 6)
    plan = _plan(sim, qls, faults, 7)
    for row in range(BATCH):
        pids = [p for p, h in enumerate(plan.hit) if h[row]]
        stage = max(pids[0] - len(sim.inputs), -1) if pids else len(sim.layers)
        assert plan.first[row] == stage
    assert np.array_equal(plan.order[plan.rank], np.arange(BATCH))
    assert set(plan.first.tolist()) - {-1, len(sim.layers)}, "want rows resumed mid-network"


def test_cache_miss_fills_only_when_it_pays(monkeypatch):
    sim, x = _setup(MODELS[1])
    faults = FaultSetup("flip", TABLE)
    q4 = uniform("Q4", len(sim.layers))
    want = simulate(sim, x, q4, faults, 7, FIRST, reuse=False)
    assert np.array_equal(simulate(sim, x, q4, faults, 7, FIRST), want)
    assert len(reuse.CACHE) == 0  # nearly every trial flips early: ran in full, no fill
    q0 = uniform("Q0", len(sim.layers))
    assert np.array_equal(simulate(sim, x, q0, faults, 7, FIRST),
                          simulate(sim, x, q0, faults, 7, FIRST, reuse=False))
    assert len(reuse.CACHE) == 1
    other = x[::-1].copy()  # other samples: another cache key
    simulate(sim, other, q0, faults, 7, FIRST)
    assert len(reuse.CACHE) == 2


def test_recorder_and_switch_model_take_the_full_path():
    sim, x = _setup(MODELS[1])
    q3 = uniform("Q3", len(sim.layers))
    flip = FaultSetup("flip", TABLE)
    simulate(sim, x, uniform("Q0", len(sim.layers)), flip, 7, FIRST)  # warm cache
    seen: list[int] = []
    out = simulate(sim, x, q3, flip, 7, FIRST, record=lambda pid, w, s: seen.append(pid))
    assert seen == list(range(len(sim.inputs) + len(sim.layers)))  # every tensor, in order
    assert np.array_equal(out, simulate(sim, x, q3, flip, 7, FIRST, reuse=False))
    layout = NvmLayout.from_plan(persistence_plan(load_board("mps2-an500"), sim.model_path)[0])
    switch = FaultSetup("switch", TABLE, nvm=layout)
    assert np.array_equal(simulate(sim, x, q3, switch, 7, FIRST),
                          simulate(sim, x, q3, switch, 7, FIRST, reuse=False))


def test_run_chunk_same_result_with_and_without_reuse():
    sim, x = _setup(MODELS[0])
    faults = FaultSetup("flip", TABLE)
    clean = top1(simulate(sim, x, None, faults, 0, 0))
    data = sim.model_path.read_bytes()
    for ql in QLS:
        chunk = Chunk(ql, uniform(ql, len(sim.layers)), FIRST, FIRST + BATCH, 1)
        a, b = (run_chunk(ChunkTask(sim.model_sha, data, x, None, clean, chunk, faults, 9, flag))
                for flag in (False, True))
        assert a == b, ql


def test_clean_cache_is_bounded_lru():
    cache = reuse.CleanCache(max_bytes=300)
    entry = {0: np.zeros((1, 100), np.int8)}
    for k in "abc":
        cache.put(("m", k), dict(entry))
    cache.get(("m", "a"))  # a is now the most recent
    cache.put(("m", "d"), dict(entry))
    assert cache.get(("m", "b")) is None and cache.get(("m", "a")) is not None
    assert len(cache) == 3 and cache.nbytes == 300
    cache.put(("m", "huge"), {0: np.zeros((1, 301), np.int8)})  # never fits: not kept
    assert cache.get(("m", "huge")) is None and cache.nbytes == 300


def test_clean_activations_are_read_only():
    sim, x = _setup(MODELS[1])
    acts = reuse.clean_activations(sim, [x])
    assert set(acts) == set(sim.activations)
    assert np.array_equal(acts[sim.layers[-1].storage], sim.run(x)[sim.graph.outputs[0]])
    with pytest.raises(ValueError):
        acts[sim.layers[0].storage][0, 0] = 1


def test_byte_flips_cover_every_row_and_partial_words():
    r = RateThresholds.for_rate(0.05)
    f = byte_flips(7, r, 3, np.arange(50, dtype=np.uint64))
    assert f.offsets.max() < 7 and np.all(f.masks != 0)
    assert set(f.rows.tolist()) <= set(range(50)) and len(set(f.rows.tolist())) > 5


@pytest.mark.parametrize("model, patch", [(MODELS[1], "auto"), (MODELS[1], "2x2@3"),
                                          (MODELS[0], "auto")],
                         ids=["mobilenet-auto", "mobilenet-2x2@3", "cnn-auto"])
def test_patch_build_resumed_trials_equal_full_trials(model, patch):
    """With a patch build's tasks (tasks.py) only each task's last output is persisted:
    the reuse path and the full path still give the same outputs, chunks the same totals."""
    from host_tools.sweep.cost import compile_for
    from host_tools.sweep.tasks import PatchOption, task_map
    sim, x = _setup(model)
    option = PatchOption(patch)
    tasks = task_map(compile_for(load_board("mps2-an500"), model, option.memory()), sim,
                     option.key)
    assert tasks.tasks < len(sim.layers)
    faults = FaultSetup("flip", TABLE, tasks=tasks)
    clean = top1(simulate(sim, x, None, faults, 0, 0))
    reuse.CACHE.put(reuse.clean_key(sim, [x]), reuse.clean_activations(sim, [x]))
    for seed in SEEDS:
        for name in ("Q1", "Q2", "Q3", "map"):
            qls = _config(name, tasks.tasks, seed)
            want = simulate(sim, x, qls, faults, seed, FIRST, reuse=False)
            assert np.array_equal(simulate(sim, x, qls, faults, seed, FIRST), want), (seed, qls)
    data = sim.model_path.read_bytes()
    for ql in QLS:
        chunk = Chunk(ql, uniform(ql, tasks.tasks), FIRST, FIRST + BATCH, 1)
        a, b = (run_chunk(ChunkTask(sim.model_sha, data, x, None, clean, chunk, faults, 9, flag))
                for flag in (False, True))
        assert a == b, ql
    # the grouped ops are not persisted: the same seed and QLs flip other bits than the
    # default build's one-task-per-layer run
    q3 = uniform("Q3", tasks.tasks)
    default = simulate(sim, x, uniform("Q3", len(sim.layers)), FaultSetup("flip", TABLE), 7,
                       FIRST)
    assert not np.array_equal(simulate(sim, x, q3, faults, 7, FIRST), default)


@pytest.mark.parametrize("ql", ["Q1", "Q2", "Q3"])
def test_expected_work_fraction_predicts_the_plans(ql):
    """The closed-form estimate that decides resume-or-run-in-full matches the mean work
    of real plans (2,048 trials) on ResNet-8, where residual reads make it non-trivial."""
    sim = Simulator(MODELS[2])
    faults = FaultSetup("flip", TABLE, "Q2")
    qls = uniform(ql, len(sim.layers))
    rates = [faults.rates(faults.input_ql)] * len(sim.inputs) + [faults.rates(q) for q in qls]
    streams = np.arange(2048, dtype=np.uint64) * STREAM_STRIDE
    measured = reuse.FlipPlan.build(sim, rates, 7, streams).work_fraction(sim)
    assert abs(reuse.expected_work_fraction(sim, rates) - measured) < 0.03, measured
