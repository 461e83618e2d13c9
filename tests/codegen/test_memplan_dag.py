"""Planner properties on random graphs: branching and residual DAGs turned into buffer
lifetimes by layer_buffers (as plan_memory does), checked against lifetimes computed
here independently from the graph."""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from codegen.lifetimes import layer_buffers
from codegen.memplan import plan_arena


@dataclass
class _Tensor:
    nbytes: int
    is_const: bool = False


@dataclass
class _Call:
    scratch_bytes: int


@dataclass
class _Layer:
    index: int
    inputs: list[int]
    output: int
    calls: list[_Call]
    local_bytes: int = 0
    share_shift: int | None = None  # codegen.model.Layer's: no in-place sharing here


@dataclass
class _Graph:
    tensors: dict[int, _Tensor]
    inputs: list[int]
    outputs: list[int]
    aliases: dict[int, int] = field(default_factory=dict)

    def storage(self, tensor: int) -> int:
        return tensor


@st.composite
def dags(draw):
    """Tensor 0 is the graph input; layer i writes tensor i + 1 from one to three earlier
    tensors (a chain, a branch or a residual join); one in five reads a constant."""
    n = draw(st.integers(1, 14))
    tensors = {0: _Tensor(draw(st.integers(1, 4096)))}
    layers = []
    const = 1000
    for i in range(n):
        tensors[i + 1] = _Tensor(draw(st.integers(1, 4096)))
        reads = draw(st.lists(st.integers(0, i), min_size=1, max_size=3, unique=True))
        if draw(st.integers(0, 4)) == 0:
            tensors[const] = _Tensor(64, is_const=True)
            reads.append(const)
            const += 1
        scratch = [_Call(draw(st.sampled_from([0, 0, 16, 300, 1500])))]
        layers.append(_Layer(i, reads, i + 1, scratch))
    readers = {t for la in layers for t in la.inputs}
    outputs = [t for t in range(1, n + 1) if t not in readers] or [n]
    return _Graph(tensors, [0], outputs), layers


def _expected_lifetimes(graph: _Graph, layers: list[_Layer]) -> dict[str, tuple[int, int, int]]:
    """key -> (size, first, last): written to last read; input from -1, outputs to the end."""
    span: dict[int, list[int]] = {0: [-1, -1]}
    for la in layers:
        span[la.output] = [la.index, la.index]
        for t in la.inputs:
            if not graph.tensors[t].is_const:
                span[t][1] = max(span[t][1], la.index)
    for t in graph.outputs:
        span[t][1] = len(layers)
    life = {f"t{t}": (graph.tensors[t].nbytes, a, b) for t, (a, b) in span.items()}
    for la in layers:
        if la.calls[0].scratch_bytes:
            life[f"s{la.index}_0"] = (la.calls[0].scratch_bytes, la.index, la.index)
    return life


@settings(max_examples=150, deadline=None)
@given(dags())
def test_plan_of_random_dag_is_valid(dag):
    graph, layers = dag
    plan = plan_arena(layer_buffers(graph, layers))
    life = _expected_lifetimes(graph, layers)
    assert {k: (b.size, b.first, b.last) for k, b in plan.buffers.items()} == life
    bufs = list(plan.buffers.values())
    for b in bufs:
        assert 0 <= b.offset and b.offset + b.size <= plan.arena_bytes, b
    for i, a in enumerate(bufs):
        for b in bufs[i + 1:]:
            if a.first <= b.last and b.first <= a.last:  # live at the same layer
                assert a.offset + a.size <= b.offset or b.offset + b.size <= a.offset, (a, b)
    bound = max(sum(s for s, f, last in life.values() if f <= t <= last)
                for t in range(-1, len(layers) + 1))
    assert plan.lower_bound == bound
    assert plan.arena_bytes >= bound
