"""The sweep on patch builds (--patch): a patch stage runs several ops as one task, so only
its last op's output is persisted (pid inputs + task, one QL per task). The task map must
match the compiler's layers, default builds must keep the identity map (and their
campaign ids), and the simulator must flip exactly the bits an nvm=mram patch build does."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from boards import load_board
from codegen.errors import CompileError
from codegen.memoptions import MemoryOptions
from host_tools.measure.nvm_firmware import build_nvm
from codegen.nvm.options import NvmOptions
from codegen.nvm.quality import load_ql_table
from host_tools.sim import Simulator
from host_tools.intermittent.nvm_image import NvmLayout
from host_tools.cli import sweep as cli
from host_tools.sweep.campaign import Campaign
from host_tools.sweep.cost import compile_for, persistence_plan
from host_tools.sweep.datasets import load_digits_set
from host_tools.sweep.store import Store
from host_tools.sweep.tasks import PatchOption, TaskMap, task_map
from host_tools.sweep.trials import FaultSetup, check_layout, model_sha, simulate
from tests.support.flip_compare import check_same_flips
from tests.support.paths import OWN_MODELS_DIR

BOARD = load_board("mps2-an500")
OWN = OWN_MODELS_DIR
MOBILE = OWN / "digits_mobilenet_int8.tflite"
CNN = OWN / "digits_cnn_int8.tflite"
TABLE = load_ql_table()


def _tasks(model: Path, patch: str) -> tuple[Simulator, TaskMap, object]:
    option = PatchOption(patch)
    compiled = compile_for(BOARD, model, option.memory())
    sim = Simulator(model)
    return sim, task_map(compiled, sim, option.key), compiled


def _assert_matches(sim: Simulator, tasks: TaskMap, compiled) -> None:
    """Task t ends at the simulator layer writing compiled layer t's output; the ops of
    its stage are exactly the layers since the previous task; the plan persists those."""
    assert tasks.tasks == len(compiled.layers)
    start = 0
    for layer, end in zip(compiled.layers, tasks.ends):
        ops = layer.stage or [layer.op]
        assert [sim.layers[i].output for i in range(start, end + 1)] == \
            [op.outputs[0] for op in ops]
        assert sim.layers[end].output == layer.output
        start = end + 1
    assert start == len(sim.layers)
    persist, _ = persistence_plan(BOARD, sim.model_path, compiled=compiled)
    assert len(persist["task_pid"]) == tasks.tasks
    check_layout(sim, NvmLayout.from_plan(persist), tasks)


@pytest.mark.parametrize("model", [MOBILE, CNN, pytest.param(None, marks=pytest.mark.tf)],
                         ids=["mobilenet", "cnn", "v1"])  # v1: mobilenet_v1_model may build it with Keras
def test_default_build_maps_every_layer_to_its_own_task(model, request):
    model = model or request.getfixturevalue("mobilenet_v1_model")
    sim, tasks, compiled = _tasks(model, "off")
    assert tasks == TaskMap.identity(len(sim.layers)) and tasks.patch == ""
    _assert_matches(sim, tasks, compiled)


@pytest.mark.tf
def test_patch_auto_mobilenet_v1_groups_its_first_stage(mobilenet_v1_model):
    sim, tasks, compiled = _tasks(mobilenet_v1_model, "auto")
    stage = compiled.layers[0].stage
    assert len(stage) > 1, "patch=auto should form a stage on MobileNetV1"
    assert tasks.ends[0] == len(stage) - 1 and tasks.tasks == len(sim.layers) - len(stage) + 1
    _assert_matches(sim, tasks, compiled)


def test_explicit_patch_spec_task_map():
    sim, tasks, compiled = _tasks(MOBILE, "2x2@3")
    assert tasks.ends == tuple(range(2, len(sim.layers)))  # ops 0..2 are task 0
    assert tasks.task_at(len(sim.layers))[:4] == (None, None, 0, 1)
    _assert_matches(sim, tasks, compiled)


def test_patch_trials_persist_only_task_outputs():
    sim, tasks, _ = _tasks(MOBILE, "2x2@3")
    x = load_digits_set(sim.inputs[0]).x[:16]
    seen: list[int] = []
    faults = FaultSetup("flip", TABLE, tasks=tasks)
    simulate(sim, x, ("Q3",) * tasks.tasks, faults, 7, 0,
             record=lambda pid, w, s: seen.append(pid) or None)
    assert seen == list(range(len(sim.inputs) + tasks.tasks))
    with pytest.raises(ValueError, match="QLs for 10 tasks"):
        simulate(sim, x, ("Q3",) * len(sim.layers), faults, 7, 0)


def test_default_campaign_id_unchanged_patch_id_differs(tmp_path):
    sim = Simulator(MOBILE)
    data = load_digits_set(sim.inputs[0])
    store = Store(tmp_path / "c.sqlite")
    ids = [Campaign.open(MOBILE, sim, data, FaultSetup("flip", TABLE, tasks=t), 7, store).id
           for t in (None, TaskMap.identity(len(sim.layers)), _tasks(MOBILE, "2x2@3")[1])]
    assert ids[0] == ids[1] != ids[2]


@pytest.mark.parametrize("args", [["--patch", "3x4@2"], ["--patch", "bogus"],
                                  ["--patch", "auto", "--patch-overhead", "lots"]])
def test_bad_patch_option_gives_the_scons_error(tmp_path, capsys, args):
    with pytest.raises(CompileError) as scons:  # what SConstruct reports
        mem = MemoryOptions(patch=args[1])
        mem.patch_spec()
        if len(args) > 2:
            from codegen.memoptions import parse_overhead
            parse_overhead(args[3])
    rc = cli.main(["--model", str(MOBILE), "--board", "mps2-an500", "--db",
                   str(tmp_path / "c.sqlite"), *args])
    err = capsys.readouterr().err
    assert rc == 2 and err == f"error: {scons.value}\n"


def test_cli_patch_sweep_uses_task_counts(tmp_path, capsys):
    sim, tasks, _ = _tasks(MOBILE, "2x2@3")
    db = tmp_path / "c.sqlite"
    # counts of the patch build, one per task (normally one QEMU run); the default build's
    # cache entry has another length, so a mix-up fails loudly
    store = Store(db)
    sha = model_sha(MOBILE.read_bytes())
    store.set_layer_counts(sha, f"mps2-an500 {PatchOption('2x2@3').key}", "instructions",
                           [1000] * tasks.tasks)
    store.set_layer_counts(sha, "mps2-an500", "instructions", [1000] * len(sim.layers))
    store.close()
    rc = cli.main(["--model", str(MOBILE), "--board", "mps2-an500", "--db", str(db),
                   "--out", str(tmp_path / "out"), "--dataset", "digits", "--samples", "32",
                   "--repeats", "1", "--ql", "Q1", "--patch", "2x2@3", "--assign",
                   "--probe-samples", "8", "--budget", "100"])
    out = capsys.readouterr().out
    assert rc == 0 and "patch=2x2@3 (10 tasks for 12 layers)" in out
    qlmap = [ln for ln in (tmp_path / "out" / "ql_map.txt").read_text().splitlines()
             if not ln.startswith("#")]
    assert [int(ln.split()[0]) for ln in qlmap] == list(range(tasks.tasks))


SEED, QL, INFERENCES = 7, "Q3", 3


@pytest.mark.qemu
def test_simulator_flips_the_same_bits_as_a_patch_build(tmp_path):
    # a model file of its own: the build folder is named by the model, so this patch build
    # never replaces the default nvm=mram build other tests run at the same time
    model = tmp_path / "digits_mobilenet_patch_auto.tflite"
    shutil.copyfile(MOBILE, model)
    elf, meta = build_nvm(BOARD, model, NvmOptions(nvm="mram", ql=QL, seed=SEED),
                          PatchOption("auto").scons_args())
    sim, tasks, _ = _tasks(model, "auto")
    assert tasks.tasks == len(meta["layers"]) < len(sim.layers)
    assert NvmLayout.from_plan(meta["persist"]) == NvmLayout.from_plan(
        persistence_plan(BOARD, model, PatchOption("auto").memory())[0])
    check_same_flips(BOARD, elf, meta, sim, FaultSetup("flip", TABLE, tasks=tasks),
                     (QL,) * tasks.tasks, SEED, INFERENCES)
