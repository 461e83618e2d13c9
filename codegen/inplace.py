"""In-place depthwise and pointwise convolution: switch eligible layers to kernels whose
output shares their input's arena slot.

A depthwise layer (depth multiplier 1) can overwrite its input when nothing reads the
input afterwards; its output aliases its input in the plan. The DSP kernels do that by
themselves (each channel is copied to a plane in scratch before its outputs are
written), so the call stays as lowered. Otherwise, or where it needs less scratch than
the plane, output rows are held in a small ring in scratch until the input bytes they
cover are dead (tp_depthwise_inplace_s8*); `ring_rows` below simulates that kernel's
schedule exactly to size the ring.

A stride-1 1x1 (pointwise) convolution reads only the pixel it writes, so
tp_conv_1x1_inplace_s8 runs it in increasing pixel order, `band` pixels per call of the
ordinary 1x1 kernel (last to first when it widens), with the output `pointwise_gap`
bytes from the input's start (one buffer group in the plan, Layer.share_shift). No band
then overwrites input it has not read.

Layers are switched only where it lowers the arena, so the others keep whatever (faster)
kernel the lowering chose.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

from .ir import Graph
from .kernels import kernel, kernel_of, select
from .lowering import KernelCall, ScratchArg, TensorArg
from .memplan import ALIGN
from .model import Layer

# the pointwise in-place kernels by name (tests/codegen/test_inplace_pointwise.py reads them)
PW_FUNCTION, PW_FUNCTION_DSP, PW_FUNCTION_DSP_RS = (
    select("conv_1x1", v, in_place=True).function for v in ("portable", "dsp", "dsp_rs"))
GAP_BUDGET = 256  # bytes of input one band reads; the gap is about this (see pointwise_band)


def ring_rows(p: dict) -> int:
    """Output rows the in-place kernel holds at most (mirrors tp_depthwise_inplace.c)."""
    row_bytes = p["out_w"] * p["out_c"]
    flushed, most = 0, 1
    for j in range(p["out_h"]):
        need = max(j * p["stride_h"] - p["pad_top"], 0) * p["in_w"] * p["in_c"]
        while flushed < j and (flushed + 1) * row_bytes <= need:
            flushed += 1
        most = max(most, j - flushed + 1)
    return most


def pointwise_band(p: dict) -> int:
    """Pixels per band call: about GAP_BUDGET bytes of the thinner side (the gap the band
    costs), even so the DSP kernel's pixel pairs are full, at least one pair."""
    pixels = p["in_h"] * p["in_w"]
    band = max(2, GAP_BUDGET // min(p["in_c"], p["out_c"]) // 2 * 2)
    return min(band, pixels)


def pointwise_gap(p: dict, band: int, descending: bool) -> int:
    """Signed distance (bytes, a multiple of ALIGN) from the input's start to the output's
    start for tp_conv_1x1_inplace.c's bands [i, i + len) of N pixels.

    Bands first to last: the output starts D bytes before the input with
    D >= (i + len) * out_c - i * in_c for every band, so band i's output ends at or before
    its input starts: only pixels < i, consumed, are overwritten. With out_c <= in_c,
    D <= band * out_c.
    Bands last to first: the output starts G bytes after the input's start with
    G >= (i + len) * in_c - i * out_c, so band i's output starts at or after its input
    ends: only pixels >= i + len, consumed, are overwritten. With out_c >= in_c,
    G <= band * in_c.
    Returns -D or +G."""
    n, in_c, out_c = p["in_h"] * p["in_w"], p["in_c"], p["out_c"]
    a, b = (in_c, out_c) if descending else (out_c, in_c)
    need = max(min(i + band, n) * a - i * b for i in range(0, n, band))
    need = (need + ALIGN - 1) // ALIGN * ALIGN
    return need if descending else -need


def _pw_eligible(graph: Graph, layers: list[Layer], i: int) -> bool:
    layer = layers[i]
    if layer.stage or len(layer.calls) != 1 or layer.share_shift is not None:
        return False
    call = layer.calls[0]
    p = call.params
    k = kernel_of(call)
    if k.family != "conv_1x1" or k.inplace_form is None or p["stride_h"] != 1 or p["stride_w"] != 1 \
            or (p["in_h"], p["in_w"]) != (p["out_h"], p["out_w"]):
        return False
    args = call.args
    if (len(args) not in (2, 3) or not all(isinstance(a, TensorArg) for a in args[:2])
            or (len(args) == 3 and not isinstance(args[2], ScratchArg))):
        return False
    src, dst = graph.storage(args[0].tensor), args[1].tensor
    io = {graph.storage(t) for t in graph.inputs + graph.outputs}
    if src in io or dst in io or dst in graph.aliases or src == dst:
        return False
    later = {graph.storage(t) for other in layers[i + 1:] for t in other.inputs if t >= 0}
    return src not in later


def _pw_layer(layer: Layer, descending: bool | None = None) -> Layer:
    """The layer with its 1x1 call in place, its output pointwise_gap bytes from the
    input's start. By default the order keeps the output within one band of the input's
    start (descending when it widens), so chains of in-place layers do not drift."""
    call = layer.calls[0]
    p = call.params
    if descending is None:
        descending = p["out_c"] > p["in_c"]
    band = pointwise_band(p)
    inplace = kernel(kernel_of(call).inplace_form)
    inplace_call = KernelCall(inplace.function, inplace.params_type,
                              {**p, "band": band, "descending": int(descending)},
                              list(call.args), scratch_bytes=call.scratch_bytes,
                              comment=f"in place, {band}-pixel bands "
                                      f"{'last to first' if descending else 'first to last'}; "
                                      f"{call.comment}")
    return dataclasses.replace(layer, calls=[inplace_call],
                               share_shift=pointwise_gap(p, band, descending))


def _eligible(graph: Graph, layers: list[Layer], i: int) -> bool:
    layer = layers[i]
    if layer.stage or len(layer.calls) != 1:
        return False
    call = layer.calls[0]
    k = kernel_of(call)
    if k.family != "depthwise" or k.inplace_form is None or call.params.get("depth_mult") != 1:
        return False
    # [input, output] plus a scratch buffer for the DSP variant, whose rows the DSP
    # in-place kernel computes the same way.
    args = call.args
    if (len(args) not in (2, 3) or not all(isinstance(a, TensorArg) for a in args[:2])
            or (len(args) == 3 and not isinstance(args[2], ScratchArg))):
        return False
    src, dst = call.args[0].tensor, call.args[1].tensor
    s = graph.storage(src)
    if s in {graph.storage(t) for t in graph.inputs + graph.outputs} or dst in graph.aliases:
        return False
    if graph.tensors[dst].nbytes > graph.tensors[s].nbytes:
        return False
    later = {graph.storage(t) for other in layers[i + 1:] for t in other.inputs if t >= 0}
    return s not in later


def _ring_call(call: KernelCall) -> KernelCall:
    """The ring-row kernel: DSP rows (the generic DSP variant with the same requantisation,
    which the packed constants were made for; its plane for one output row) or portable
    rows."""
    p = call.params
    rows = ring_rows(p)
    ring = rows * p["out_w"] * p["out_c"]
    lowered = kernel_of(call)  # its in-place form runs its rows: their scratch after the ring
    inplace = kernel(lowered.inplace_form)
    return KernelCall(inplace.function, inplace.params_type,
                      {**{f"dw.{k}": v for k, v in p.items()}, "ring_rows": rows},
                      [call.args[0], ScratchArg()],
                      scratch_bytes=ring + lowered.scratch_bytes({**p, "out_h": 1}),
                      comment=f"in place, {rows} output row(s) held; {call.comment}")


def _inplace_layer(layer: Layer, ring: bool = False) -> Layer:
    """The layer with its depthwise call in place: as it is for the DSP kernels (unless
    ring), else by output rows held in a ring."""
    call = layer.calls[0]
    if kernel_of(call).output_over_input and not ring:
        return dataclasses.replace(layer, in_place=True, calls=[dataclasses.replace(
            call, comment=f"in place, channel by channel; {call.comment}")])
    return dataclasses.replace(layer, calls=[_ring_call(call)])


DESCENT_ROUNDS = 3  # rounds of per-layer improvement; converges in 2 on the shared models


def _options(original: Layer) -> list[Layer]:
    """Ways to run a switchable layer: as lowered first, then in place (depthwise: the
    kernel itself for DSP, else or also the ring; pointwise: the default band order, then
    the other)."""
    call = original.calls[0]
    if kernel_of(call).family == "depthwise":
        if kernel_of(call).output_over_input:
            return [original, _inplace_layer(original), _inplace_layer(original, ring=True)]
        return [original, _inplace_layer(original)]
    default = _pw_layer(original)
    return [original, default, _pw_layer(original, not default.calls[0].params["descending"])]


def apply_inplace(graph: Graph, layers: list[Layer], arena_of: Callable[[list[Layer]], int],
                  keep_all: bool = False) -> list[Layer]:
    """Layers with eligible depthwise and pointwise calls switched to in place
    (graph.aliases updated for depthwise, share_shift set for pointwise).

    Unless keep_all (every eligible layer in place, default variant), the variant of each
    eligible layer is chosen by coordinate descent on the arena (arena_of plans the
    layers): starting from all in place, each layer in turn takes its best option given
    the others, for a few rounds; the choices interact through fragmentation, so one
    pass is not enough. Finally a layer runs as lowered wherever that does not grow the
    arena (the lowered kernels are at least as fast).
    """
    layers = list(layers)
    options: dict[int, list] = {}  # layer index -> its options, options[i][0] as lowered
    for i in range(len(layers)):
        if _eligible(graph, layers, i) or _pw_eligible(graph, layers, i):
            options[i] = _options(layers[i])
            layers[i] = options[i][1]
            if layers[i].in_place or not is_pointwise_inplace(layers[i]):  # depthwise
                call = layers[i].calls[0]
                graph.aliases[options[i][0].calls[0].args[1].tensor] = \
                    graph.storage(call.args[0].tensor)
    if keep_all or not options:
        return layers

    def trial(i: int, layer: Layer) -> int:
        out = options[i][0].calls[0].args[1].tensor
        alias = graph.aliases.pop(out, None)
        if layer is not options[i][0] and kernel_of(options[i][0].calls[0]).family == \
                "depthwise":
            graph.aliases[out] = graph.storage(options[i][0].calls[0].args[0].tensor)
        arena = arena_of(layers[:i] + [layer] + layers[i + 1:])
        graph.aliases.pop(out, None)
        if alias is not None:
            graph.aliases[out] = alias
        return arena

    def take(i: int, layer: Layer) -> None:
        out = options[i][0].calls[0].args[1].tensor
        graph.aliases.pop(out, None)
        if layer is not options[i][0] and kernel_of(options[i][0].calls[0]).family == \
                "depthwise":
            graph.aliases[out] = graph.storage(options[i][0].calls[0].args[0].tensor)
        layers[i] = layer

    best = arena_of(layers)
    for _ in range(DESCENT_ROUNDS):
        improved = False
        for i, opts in options.items():
            for layer in opts[1:]:
                if layer is layers[i]:
                    continue
                arena = trial(i, layer)
                if arena < best:
                    take(i, layer)
                    best, improved = arena, True
        if not improved:
            break
    for i, opts in options.items():
        if layers[i] is not opts[0] and trial(i, opts[0]) <= best:
            take(i, opts[0])
    return layers


def is_pointwise_inplace(layer: Layer) -> bool:
    return any(kernel_of(c).in_place and kernel_of(c).family == "conv_1x1" for c in layer.calls)


def is_inplace(layer: Layer) -> bool:
    """Depthwise or pointwise running in place (the memory report's column)."""
    return layer.in_place or any(kernel_of(c).in_place for c in layer.calls)
