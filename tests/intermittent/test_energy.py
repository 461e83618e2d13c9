"""Energy model, capacitor sizing, QL table / map parsing and bad nvm settings."""
from __future__ import annotations

import pytest

from host_tools.intermittent.capacitor import capacitance_for, size_capacitors, usable_energy_j
from host_tools.intermittent.energy import task_energies, totals_per_ql
from codegen.errors import CompileError
from host_tools.errors import ToolError
from codegen.nvm.options import parse_options
from host_tools.intermittent.powerfail import check_fits_charge
from codegen.nvm.quality import load_ql_map, load_ql_table, parse_ql
from tests.support.scons_build import ROOT, scons

# Two tasks: input 10 B, task 0 writes 8 B (reads the input), task 1 writes 3 B
# (reads task 0's output and the input).
PERSIST = {
    "tensors": [
        {"pid": 0, "bytes": 10, "producer": -1},
        {"pid": 1, "bytes": 8, "producer": 0},
        {"pid": 2, "bytes": 3, "producer": 1},
    ],
    "task_pid": [1, 2],
    "restore": [[0], [0, 1], [2]],
}


def test_energy_by_hand():
    table = load_ql_table()
    rows = task_energies(PERSIST, [1000, 200], ["CONV_2D", "ADD"], 10.0, table, {0: "Q2", 1: "Q4"})
    inputs, t0, t1 = rows
    # inputs: 3 words at Q0: 3 * (10 + 32 * 167) = 16062 pJ; two commits (retire, start)
    # of 8 * (10 + 32 * 167) = 42832 each
    assert inputs.persist_pj == pytest.approx(16062.0)
    assert inputs.commit_pj == pytest.approx(2 * 42832.0)
    # task 0: 1000 cycles * 10 pJ; 2 words at Q2: 2 * (10 + 32 * 74); restore 3 words * 10 pJ
    assert t0.compute_pj == pytest.approx(10000.0)
    assert t0.persist_pj == pytest.approx(2 * (10 + 32 * 74))
    assert t0.restore_pj == pytest.approx(30.0)
    assert t0.total_pj == pytest.approx(10000 + 4756 + 42832 + 30)
    # task 1: 1 word at Q4: 10 + 32 * 43 = 1386; restores 3 + 2 words
    assert t1.persist_pj == pytest.approx(1386.0)
    assert t1.restore_pj == pytest.approx(50.0)


def test_totals_are_sums_and_ordered_by_ql():
    table = load_ql_table()
    totals = totals_per_ql(PERSIST, [1000, 200], ["A", "B"], 10.0, table)
    for t in totals:
        assert t.total_pj == pytest.approx(t.compute_pj + t.persist_pj + t.commit_pj + t.restore_pj)
    energies = [t.total_pj for t in totals]
    assert energies == sorted(energies, reverse=True)   # Q0 costs most, Q4 least
    assert totals[0].saving_vs_q0 == 0.0
    assert all(0 < t.saving_vs_q0 < 1 for t in totals[1:])


def test_capacitor_sizing():
    assert usable_energy_j(100e-6, 3.3, 1.8) == pytest.approx(100e-6 * (3.3**2 - 1.8**2) / 2)
    c = capacitance_for(1e-3, 3.3, 1.8)
    assert usable_energy_j(c, 3.3, 1.8) == pytest.approx(1e-3)
    s = size_capacitors([1e-6, 2e-6, 50e-6, 3e-6], 3.3, 1.8)
    assert s.largest_task == 2 and s.min_capacitance_f == pytest.approx(capacitance_for(50e-6, 3.3, 1.8))
    small, medium, large = s.tiers
    assert large.usable_j >= 50e-6 and small.capacitance_f <= medium.capacitance_f <= large.capacitance_f
    assert sorted(sum((t.tasks for t in s.tiers), [])) == [0, 1, 2, 3]
    assert 2 in large.tasks or 2 in medium.tasks
    with pytest.raises(ToolError, match="task 3 needs .* uJ but one capacitor charge holds"):
        check_fits_charge(5_000_000_000, 1_000_000_000, 3)


def test_bad_ql_and_map(tmp_path):
    assert parse_ql("q3") == "Q3"
    with pytest.raises(CompileError, match="unknown quality level 'Q7'"):
        parse_ql("Q7")
    good = tmp_path / "good.txt"
    good.write_text("# comment\ndefault Q1\n2 Q4\n")
    assert load_ql_map(good, 3) == {0: "Q1", 1: "Q1", 2: "Q4"}
    bad = tmp_path / "bad.txt"
    bad.write_text("0 Q1\n1 Q9\n")
    with pytest.raises(CompileError, match=r"line 2 .*unknown quality level"):
        load_ql_map(bad, 2)
    missing = tmp_path / "missing.txt"
    missing.write_text("0 Q1\n")
    with pytest.raises(CompileError, match=r"no QL for layer\(s\) \[1\]"):
        load_ql_map(missing, 2)
    table = tmp_path / "t.toml"
    table.write_text("[Q0]\nwer = 2\nwrite_pj_per_bit = 1\n")
    with pytest.raises(CompileError, match="wer must be a probability"):
        load_ql_table(table)


def test_bad_capacitor_and_fault_settings():
    with pytest.raises(CompileError, match="0 < v_off < v_on"):
        parse_options("mram", "Q0", "", "", "1", "flip", "10", "1.8", "3.3")
    with pytest.raises(CompileError, match="fault=sometimes"):
        parse_options("mram", "Q0", "", "", "1", "sometimes", "0", "3.3", "1.8")
    with pytest.raises(CompileError, match="nvm=flash"):
        parse_options("flash", "Q0", "", "", "1", "flip", "0", "3.3", "1.8")


@pytest.mark.parametrize("arg,message", [("ql=Q9", "unknown quality level 'Q9'"),
                                         ("nvm=disk", "nvm=disk is not a backend"),
                                         ("seed=x", "seed=x is not an integer")])
def test_scons_rejects_bad_nvm_settings(arg, message):
    model = ROOT.parent / "shared/models/fc_autoencoder_ad_int8.tflite"
    proc = scons("board=mps2-an500", f"model={model}", "nvm=mram", arg)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
