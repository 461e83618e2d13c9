"""Sweep campaigns: paper's qualitative findings on the project's digit models, identical
results across runs / chunkings / a local Dask cluster, resume, and clear errors."""
from __future__ import annotations

import numpy as np
import pytest

from codegen.nvm.quality import load_ql_table
from host_tools.sim import Simulator
from host_tools.sweep import runner
from host_tools.cli import sweep as cli
from host_tools.sweep.campaign import Campaign, uniform
from host_tools.sweep.datasets import load_digits_set
from host_tools.sweep.stats import wilson
from host_tools.sweep.store import Store
from host_tools.sweep.trials import FaultSetup, model_sha
from tests.support.paths import OWN_MODELS_DIR

MODELS = OWN_MODELS_DIR
CNN, MOBILE = MODELS / "digits_cnn_int8.tflite", MODELS / "digits_mobilenet_int8.tflite"
QLS = ["Q0", "Q1", "Q2", "Q3", "Q4"]


def campaign(tmp_path, model=MOBILE, chunk=64, client=None, db="c.sqlite"):
    sim = Simulator(model)
    return Campaign.open(model, sim, load_digits_set(sim.inputs[0]),
                         FaultSetup("flip", load_ql_table()), 7, Store(tmp_path / db),
                         client, chunk)


def losses(c, samples, repeats=1):
    return {ql: c.measure(ql, uniform(ql, c.layers), samples, repeats) for ql in QLS}


def test_wilson_interval_holds_the_rate_at_the_ends():
    # k = 0 or n rounded the bound past the rate and sweep.png's error bars failed
    for n in range(1, 700):
        for k in (0, n // 2, n):
            lo, hi = wilson(k, n)
            assert 0.0 <= lo <= k / n <= hi <= 1.0, (k, n)


@pytest.mark.parametrize("model", [CNN, MOBILE], ids=["cnn", "mobilenet"])
def test_loss_grows_with_ql(tmp_path, model):
    out = losses(campaign(tmp_path, model), 120)
    loss = [out[q].accuracy_loss_pp for q in QLS]
    disagree = [out[q].agreement_loss_pp for q in QLS]
    assert out["Q0"].clean_accuracy_pct > 90          # the shipped models really classify
    assert loss[0] == 0 and loss[1] <= 1.0             # Q0, Q1 lose (almost) nothing
    assert all(a <= b + 2.0 for a, b in zip(loss, loss[1:]))  # grows with QL (noise 2 pp)
    assert disagree[4] > disagree[1] and disagree[4] > 0      # Q4 changes predictions
    if model == MOBILE:
        assert loss[4] >= 5                            # and breaks the MobileNet-style model
        # (the max-pooled CNN is not broken at Q4 on digits: measured, see the report)


def test_same_seed_same_results_any_chunking(tmp_path):
    a = campaign(tmp_path, chunk=64, db="a.sqlite").measure("Q3", uniform("Q3", 12), 100, 2)
    b = campaign(tmp_path, chunk=64, db="b.sqlite").measure("Q3", uniform("Q3", 12), 100, 2)
    c = campaign(tmp_path, chunk=17, db="c.sqlite").measure("Q3", uniform("Q3", 12), 100, 2)
    assert a == b == c and a.agreement_loss_pp > 0


def test_resume_skips_stored_chunks(tmp_path, monkeypatch):
    c = campaign(tmp_path)
    first = c.measure("Q4", uniform("Q4", c.layers), 100, 1)
    ran = []
    real = runner.run_chunk
    monkeypatch.setattr(runner, "run_chunk", lambda t: ran.append(t) or real(t))
    again = campaign(tmp_path).measure("Q4", uniform("Q4", c.layers), 100, 1)
    assert again == first and ran == []
    more = campaign(tmp_path).measure("Q4", uniform("Q4", c.layers), 100, 2)  # one more repeat
    assert len(ran) == 2 and more.trials == 200


def test_local_dask_cluster_matches_single_process(tmp_path):
    here = campaign(tmp_path, db="here.sqlite").measure("Q3", uniform("Q3", 12), 96, 2)
    with runner.dask_client("local:2") as client:
        there = campaign(tmp_path, client=client, db="there.sqlite").measure(
            "Q3", uniform("Q3", 12), 96, 2)
    assert here == there


def _cli(tmp_path, *extra, model=MOBILE):
    db = tmp_path / "c.sqlite"
    sim = Simulator(model)
    # per-layer counts normally come from one QEMU run; stored here to keep the test fast
    Store(db).set_layer_counts(model_sha(model.read_bytes()), "mps2-an500", "instructions",
                               [1000] * len(sim.layers))
    return cli.main(["--model", str(model), "--board", "mps2-an500", "--db", str(db),
                     "--out", str(tmp_path / "out"), *extra])


def test_cli_prints_sweet_spot_and_writes_files(tmp_path, capsys):
    rc = _cli(tmp_path, "--dataset", "digits", "--samples", "64", "--repeats", "1",
              "--ql", "Q1,Q4", "--budget", "2")
    out = capsys.readouterr().out
    assert rc == 0 and out.strip().splitlines()[-1].startswith("sweet spot: Q1 saving ")
    for f in ("sweep.csv", "sweep.json", "sweep.png"):
        assert (tmp_path / "out" / f).stat().st_size > 0


@pytest.mark.parametrize("args, message", [
    (["--budget", "0"], "--budget 0.0 is out of range"),
    (["--budget", "150"], "out of range"),
    (["--inputs", "EMPTY"], "holds no samples"),
    (["--inputs", "WRONG"], "but the model input"),
    (["--dataset", "synthetic", "--samples", "8", "--cluster", "tcp://127.0.0.1:9"],
     "cannot reach the Dask scheduler"),
])
def test_bad_inputs_give_one_clear_error(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 2)
    np.savez(tmp_path / "empty.npz", x=np.zeros((0, 32, 32, 1), np.float32))
    np.savez(tmp_path / "wrong.npz", x=np.zeros((4, 28, 28, 1), np.float32))
    args = [str(tmp_path / "empty.npz") if a == "EMPTY" else
            str(tmp_path / "wrong.npz") if a == "WRONG" else a for a in args]
    assert _cli(tmp_path, *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.qemu
def test_persistence_dominated_model_saves_more(tmp_path, capsys):
    """Energy from measured QEMU instruction counts: the MobileNet-style model saves more
    at Q4 than the compute-heavy CNN."""
    savings = {}
    for model in (CNN, MOBILE):
        rc = cli.main(["--model", str(model), "--board", "mps2-an500", "--dataset", "digits",
                       "--samples", "32", "--repeats", "1", "--db", str(tmp_path / "c.sqlite"),
                       "--out", str(tmp_path / model.stem), "--budget", "100"])
        assert rc == 0
        line = capsys.readouterr().out.strip().splitlines()[-1]
        savings[model] = float(line.split("saving ")[1].split("%")[0])
    # with issue 5's model (restore and commit included, QL-independent) measured
    # 17.9% vs 9.2% at Q4 on mps2-an500; 1.5x keeps the finding, not the exact figures
    assert savings[MOBILE] > 1.5 * savings[CNN]


@pytest.mark.parametrize("model", [CNN, MOBILE], ids=lambda p: p.stem)
def test_energy_is_issue5_model_on_the_firmware_persistence_plan(model):
    """The sweep's energy equals host_tools.intermittent.energy's totals for every uniform QL, on the
    persistence plan an nvm=mram build uses, and the simulator corrupts exactly the
    tensors that plan persists (same tensor, size and stream id)."""
    from boards import load_board
    from host_tools.intermittent import energy as eq
    from host_tools.sweep.cost import LayerCosts, energy, persistence_plan
    board, table = load_board("mps2-an500"), load_ql_table()
    persist, ops = persistence_plan(board, model)
    counts = tuple(997 * (i + 3) for i in range(len(ops)))  # any counts: same on both sides
    costs = LayerCosts(counts, "instructions", persist, ops, board.power_uw_per_mhz, "test")
    for total in eq.totals_per_ql(persist, list(counts), list(ops), board.power_uw_per_mhz, table):
        got = energy(costs, table, (total.ql,) * len(ops)).total_uj
        assert got == pytest.approx(total.total_pj * 1e-6, rel=1e-12), total.ql
    sim = Simulator(model)
    tensors = {t["pid"]: t for t in persist["tensors"]}
    assert [tensors[p]["tensor"] for p in persist["task_pid"]] == [l.output for l in sim.layers]
    assert [tensors[p]["bytes"] for p in persist["task_pid"]] == [l.nbytes for l in sim.layers]
    assert persist["task_pid"] == [len(sim.inputs) + l.index for l in sim.layers]


@pytest.mark.tf
def test_train_digits_mobilenet_v1_on_demand(tmp_path):
    """--only mobilenet_v1 trains MobileNetV1 0.25 @96 on digits into --out (one epoch
    here: the file's shape and the simulator's acceptance, not its accuracy)."""
    from host_tools.sweep import train_digits
    assert train_digits.main(["--only", "mobilenet_v1", "--epochs", "1",
                              "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["digits_mobilenet_v1_025_96_int8.tflite"]
    sim = Simulator(tmp_path / "digits_mobilenet_v1_025_96_int8.tflite")
    assert list(sim.inputs[0].shape) == [1, 96, 96, 3] and sim.outputs[0].size == 10
    data = load_digits_set(sim.inputs[0])
    out = sim.run(data.x[:8])[sim.graph.outputs[0]]
    assert out.shape == (8, 10)
