"""Power-failure campaigns under QEMU: random failure schedules, each checked bit-exact.

Two ways to fail the power:
- host: the host resets the machine through QMP `system_reset` at random moments
  while the inference runs (independent of the firmware's own energy model);
- capacitor: the firmware spends modelled energy against a capacitor's charge and
  resets itself when the charge runs out; each schedule draws a capacitor between
  1.2x and 3x the largest task's modelled energy and a random initial charge.
After every reset the firmware restores the last committed task's state and resumes.
A schedule is bit-exact when its outputs equal the uninterrupted run's (itself checked
against the volatile run of the same firmware when write faults are off).
"""
from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from boards import Board

from ..target.device import Device
from .energy import task_energies
from ..errors import ToolError
from ..reference.inputs import np_dtype
from ..target.link import SerialLink
from ..target.nvm_device import NvmDevice, NvmStatus
from codegen.nvm.quality import load_ql_table
from ..target.qmp import Qmp
from ..target.qemu import start_qemu

LONG_WAIT_S = 300.0   # an inference that does not finish in this long is reported stuck
POLL_S = 0.5


@dataclass
class Outcome:
    status: NvmStatus
    outputs: list[bytes]
    host_resets: int


@dataclass
class Schedule:
    index: int
    mode: str
    host_resets: int       # resets the host sent
    boots: int             # resets the firmware saw during the inference
    charges: int           # capacitor charges used (capacitor mode)
    tasks_run: int         # task executions, re-executions included
    tasks: int
    energy_uj: float       # modelled, re-execution and restores included
    bit_exact: bool
    note: str = ""


@contextmanager
def nvm_session(board: Board, elf: Path) -> Iterator[tuple[Device, NvmDevice, Qmp]]:
    """QEMU with a QMP socket, the serial link and the device, cleaned up afterwards."""
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="tp-qmp-"))
        sock = str(Path(tmp) / "qmp.sock")
        proc = stack.enter_context(start_qemu(board, elf, qmp_socket=sock))
        link = stack.enter_context(SerialLink(proc.url))
        dev = Device(link)
        dev.ping(timeout=5.0)
        qmp = Qmp(sock)
        stack.callback(qmp.close)
        yield dev, NvmDevice(dev), qmp


def write_inputs(dev: Device, meta: dict, inputs: list) -> None:
    for i, (m, x) in enumerate(zip(meta["inputs"], inputs)):
        dev.write_input(i, x.astype(np_dtype(m["dtype"])).tobytes())


def infer(dev: Device, nd: NvmDevice, qmp: Qmp, meta: dict, inputs: list, *, inference: int = 0,
          seed: int = 1, faults: bool = False, budget_fj: int = 0,
          first_charge_fj: int | None = None, inject: list[int] | None = None,
          reset_after_s: list[float] | None = None) -> Outcome:
    """One intermittent inference. reset_after_s: host resets, each that many seconds
    after the previous event (the RUN request, or the previous reset)."""
    write_inputs(dev, meta, inputs)
    nd.start(inference, seed, faults, budget_fj, first_charge_fj, inject)
    resets = 0
    if reset_after_s:
        # Host-driven failures: RUN is sent without waiting for its reply, and QMP resets
        # the machine after each delay (wall clock), wherever the firmware then is.
        nd.run(0.0)
        for delay in reset_after_s:
            time.sleep(delay)
            qmp.system_reset()
            resets += 1
    st = nd.run(POLL_S) if not reset_after_s else nd.poll_status(POLL_S)
    deadline = time.monotonic() + LONG_WAIT_S
    while st is None or (st.state == "running" and not st.error):
        if time.monotonic() > deadline:
            raise ToolError(f"the inference did not finish within {LONG_WAIT_S:g} s of resets "
                            f"and resumes; last status: {st}")
        # idle firmware with a running record (a RUN lost in a reset): resume it; else poll
        st = nd.run(POLL_S) if st is not None else nd.poll_status(POLL_S)
    outputs = [dev.read_output(i) for i in range(len(meta["outputs"]))] if st.state == "done" else []
    return Outcome(st, outputs, resets)


def check_fits_charge(need_fj: int, budget_fj: int, task: int) -> None:
    if need_fj > budget_fj:
        raise ToolError(f"task {task} needs {need_fj / 1e9:.3f} uJ but one capacitor charge holds "
                        f"{budget_fj / 1e9:.3f} uJ; use a larger capacitor (cap_uf) or a higher "
                        f"V_on / lower V_off.")


def campaign(board: Board, elf: Path, meta: dict, inputs: list, schedules: int, mode: str,
             rng_seed: int = 0, fault_seed: int = 1, faults: bool = False,
             progress=None) -> tuple[list[Schedule], str]:
    """Runs `schedules` random failure schedules; returns them and a note on the baseline."""
    if "persist" not in meta:
        raise ToolError("this firmware was built with nvm=none; build it with nvm=mram "
                        "(python -m host_tools powerfail does).")
    if mode not in ("host", "capacitor"):
        raise ToolError(f"unknown mode '{mode}'; use --mode host or --mode capacitor.")
    rng = random.Random(rng_seed)
    n = len(meta["layers"])
    persist = meta["persist"]
    with nvm_session(board, elf) as (dev, nd, qmp):
        write_inputs(dev, meta, inputs)
        dev.run(0, n)                       # volatile run: per-layer counts and outputs
        counts = dev.read_profile()
        volatile = [dev.read_output(i) for i in range(len(meta["outputs"]))]
        t0 = time.monotonic()
        nd.status()
        latency = time.monotonic() - t0          # one request/reply round trip
        base = infer(dev, nd, qmp, meta, inputs, seed=fault_seed, faults=faults)
        # the inference itself (RUN to its reply), not the inputs' transfer over the UART:
        # host resets are drawn within it
        write_inputs(dev, meta, inputs)
        nd.start(0, fault_seed, faults)
        t0 = time.monotonic()
        nd.run(LONG_WAIT_S)
        wall = max(time.monotonic() - t0 - latency, 0.002)
        if base.status.state != "done":
            raise ToolError(f"the uninterrupted intermittent run did not finish: {base.status}")
        if not faults and base.outputs != volatile:
            raise ToolError("the uninterrupted intermittent run differs from the volatile run "
                            "at zero fault rate: persistence is broken.")
        cycle_pj = persist["energy_fj"]["cycle"] / 1000
        table = load_ql_table()
        # Firmware energy constants are integers in fJ; use the plan's QLs as built.
        ql = {i: persist["tensors"][persist["task_pid"][i]]["ql"] for i in range(n)}
        need = [int(r.total_pj * 1000) for r in task_energies(
            persist, counts, [lay["op"] for lay in meta["layers"]], cycle_pj, table, ql)[1:]]
        results = []
        for k in range(schedules):
            if mode == "host":
                delays = [rng.uniform(0.0, wall) for _ in range(rng.randint(1, 3))]
                out = infer(dev, nd, qmp, meta, inputs, seed=fault_seed, faults=faults,
                            reset_after_s=delays)
            else:
                budget = int(max(need) * rng.uniform(1.2, 3.0))
                out = infer(dev, nd, qmp, meta, inputs, seed=fault_seed, faults=faults,
                            budget_fj=budget, first_charge_fj=int(budget * rng.random()))
            st = out.status
            ok = st.state == "done" and out.outputs == base.outputs
            results.append(Schedule(k, mode, out.host_resets, st.boots, st.charges, st.tasks_run, n,
                                    st.total_fj / 1e9, ok,
                                    st.error and f"task {st.error_task}: {st.error}"))
            if progress:
                progress(results[-1])
    note = (f"uninterrupted: {n} tasks, {base.status.total_fj / 1e9:.3f} uJ modelled, "
            f"{wall:.2f} s wall on QEMU; outputs {'equal' if base.outputs == volatile else 'differ from'} "
            f"the volatile run")
    return results, note


def format_schedules(results: list[Schedule], note: str) -> str:
    head = (f"{'#':>3} {'mode':<9} {'host resets':>11} {'reboots':>7} {'charges':>7} "
            f"{'tasks run':>9} {'energy uJ':>10} {'bit-exact':>9}")
    lines = [note, head, "-" * len(head)]
    for r in results:
        lines.append(f"{r.index:>3} {r.mode:<9} {r.host_resets:>11} {r.boots:>7} {r.charges:>7} "
                     f"{f'{r.tasks_run}/{r.tasks}':>9} {r.energy_uj:>10.3f} "
                     f"{'yes' if r.bit_exact else 'NO':>9}" + (f"  {r.note}" if r.note else ""))
    lines.append("energy: modelled (Eq. 1-2: QEMU instruction counts as cycles x E_cycle, NVM "
                 "accesses x (E_cycle + E_write(QL))), re-executions and restores included; "
                 "tasks run: executions incl. re-executions / tasks")
    ok = sum(r.bit_exact for r in results)
    lines.append(f"{ok}/{len(results)} schedules bit-exact")
    return "\n".join(lines)
