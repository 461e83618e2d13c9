"""Patch-based inference of the first stage (MCUNetV2).

The first n layers (a chain of convolution / depthwise / pooling layers) become one
layer of the generated model that runs p x p spatial patches: for each patch it copies
the input tile the patch's receptive field needs (clipped at the image border) into a
tile buffer, runs every layer of the stage on tiles with the unchanged kernels (the
per-patch parameter structs shift pad_top / pad_left and shrink in_h / in_w / out_h /
out_w), and copies the output tile into the full output tensor of layer n. Only that
output and the input stay live at full size, and the output shares the input's slot
(share_shift: it lags the rows later patches still read); the tiles are small. Halo pixels shared by
neighbouring patches are computed more than once: `extra_macs` counts them.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .errors import CompileError
from .ir import Graph
from .kernels import kernel_of, make_call, select
from .lowering import BufferArg, KernelCall, ScratchArg, TensorArg
from .memplan import ALIGN, Buffer, plan_arena
from .model import Layer

# sliding windows over NHWC maps, whose params a tile can shift and shrink
_WINDOW_FAMILIES = {"conv", "conv_1x1", "depthwise", "avgpool", "maxpool"}
LOCAL_KEY = "p0"  # the stage is layer 0; its tiles are one planned arena buffer


@dataclass(frozen=True)
class Geometry:
    """One layer's sliding window along one axis."""
    in_size: int
    out_size: int
    k: int
    stride: int
    dil: int
    pad: int

    def needs(self, a: int, b: int) -> tuple[int, int]:
        """Input range [r0, r1) (clipped to the image) that output range [a, b) reads."""
        lo = a * self.stride - self.pad
        hi = (b - 1) * self.stride - self.pad + (self.k - 1) * self.dil + 1
        r0 = min(max(lo, 0), self.in_size)
        return r0, max(min(hi, self.in_size), r0)


def _geometry(call: KernelCall) -> tuple[Geometry, Geometry]:
    p = call.params
    return (Geometry(p["in_h"], p["out_h"], p["k_h"], p["stride_h"], p.get("dil_h", 1), p["pad_top"]),
            Geometry(p["in_w"], p["out_w"], p["k_w"], p["stride_w"], p.get("dil_w", 1), p["pad_left"]))


def _channels(call: KernelCall) -> tuple[int, int]:
    p = call.params
    return p.get("in_c", p.get("c")), p.get("out_c", p.get("c"))


def chain_length(graph: Graph, layers: list[Layer]) -> int:
    """How many leading layers can form a patch stage: single windowed kernels chained
    output to input, with intermediates read by nothing else."""
    n = 0
    for i, layer in enumerate(layers):
        if len(layer.calls) != 1 or layer.stage:
            break
        call = layer.calls[0]
        args = call.args
        k = kernel_of(call)
        if (k.family not in _WINDOW_FAMILIES or k.in_place or len(args) not in (2, 3)
                or not all(isinstance(a, TensorArg) for a in args[:2])
                or (len(args) == 3 and not isinstance(args[2], ScratchArg))):
            break
        if graph.tensors[args[0].tensor].dtype != "int8" or graph.tensors[args[1].tensor].dtype != "int8":
            break
        if i > 0:
            prev = layers[i - 1].calls[0].args[1].tensor
            if graph.storage(args[0].tensor) != graph.storage(prev):
                break
        n = i + 1
        out = graph.storage(args[1].tensor)
        readers = [lay for lay in layers[i + 1:] if any(graph.storage(t) == out for t in lay.inputs if t >= 0)]
        if out in {graph.storage(t) for t in graph.outputs} or len(readers) > 1 or (
                readers and readers[0] is not layers[i + 1]):
            break  # the next layer may still end the stage here, but cannot continue it
    return n


def _bands(size: int, p: int) -> list[tuple[int, int]]:
    edges = np.linspace(0, size, p + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


@dataclass
class Tile:
    rows: tuple[int, int]
    cols: tuple[int, int]

    @property
    def pixels(self) -> int:
        return (self.rows[1] - self.rows[0]) * (self.cols[1] - self.cols[0])


def _patch_tiles(calls: list[KernelCall], rows: tuple[int, int], cols: tuple[int, int]) -> list[Tile]:
    """Tiles [input of layer 0, output of layer 0, ..., output of layer n-1] of one patch."""
    tiles = [Tile(rows, cols)]
    for call in reversed(calls):
        gh, gw = _geometry(call)
        tiles.append(Tile(gh.needs(*tiles[-1].rows), gw.needs(*tiles[-1].cols)))
    return tiles[::-1]


def _tile_call(call: KernelCall, tin: Tile, tout: Tile) -> dict:
    gh, gw = _geometry(call)
    p = dict(call.params)  # ConstArray objects shared: the emitter writes each weight once
    p.update(in_h=tin.rows[1] - tin.rows[0], in_w=tin.cols[1] - tin.cols[0],
             out_h=tout.rows[1] - tout.rows[0], out_w=tout.cols[1] - tout.cols[0],
             pad_top=tin.rows[0] - (tout.rows[0] * gh.stride - gh.pad),
             pad_left=tin.cols[0] - (tout.cols[0] * gw.stride - gw.pad))
    return p


def _tile_scratch(call: KernelCall, tiles: list[tuple[Tile, Tile]]) -> int:
    """Scratch of the call over its tiles: the DSP depthwise plane follows the tile's
    shape (smaller than the whole layer's); other kernels' scratch does not depend on it."""
    k = kernel_of(call)
    if k.scratch is None:
        return call.scratch_bytes
    return max(k.scratch(_tile_call(call, tin, tout)) for tin, tout in tiles)


def _copy(rows: int, row_bytes: int, src_stride: int, dst_stride: int, src, dst, what: str) -> KernelCall:
    return make_call(select("tile_copy", dtype="any"),
                     {"rows": rows, "row_bytes": row_bytes, "src_stride": src_stride,
                      "dst_stride": dst_stride}, [src, dst], comment=what)


def _floor_align(n: int) -> int:
    return n // ALIGN * ALIGN


def share_shift(patches: list[list[Tile]], in_w: int, in_c: int, out_w: int, out_c: int) -> int:
    """Largest shift d (bytes, multiple of ALIGN, may be < 0) of the stage output from the
    stage input's start such that no patch's output copy overwrites input bytes a later
    patch still reads, patches running in order.

    Patch k writes output bytes [ws_k, we_k) (its first to last row, NHWC) and patch j
    reads input bytes [rs_j, re_j) when its tile is copied in, before its own output is
    written. Safe when d + we_k <= rs_j for every k < j: the output lags the reads.
    """
    worst = None
    written_end = None
    for tiles in patches:
        t0, tn = tiles[0], tiles[-1]
        read_start = (t0.rows[0] * in_w + t0.cols[0]) * in_c
        if written_end is not None:
            margin = read_start - written_end
            worst = margin if worst is None else min(worst, margin)
        end = ((tn.rows[1] - 1) * out_w + tn.cols[1]) * out_c
        written_end = end if written_end is None else max(written_end, end)
    return _floor_align(worst if worst is not None else 0)


def build_stage(graph: Graph, layers: list[Layer], p: int, n: int, share: bool = True) -> list[Layer]:
    """layers with the first n replaced by one patch-stage layer (p x p patches); with
    share, the stage output goes into the input's slot (see share_shift)."""
    limit = chain_length(graph, layers)
    if n > limit:
        raise CompileError(f"patch=...@{n}: only the first {limit} layers form a chain of "
                           "convolution / depthwise / pooling layers that can run patch by patch. "
                           f"Use n <= {limit}, or patch=auto.")
    calls = [layer.calls[0] for layer in layers[:n]]
    out_h, out_w = calls[-1].params["out_h"], calls[-1].params["out_w"]
    if p > min(out_h, out_w):
        raise CompileError(f"patch={p}x{p}@{n}: layer {n - 1}'s output is {out_h}x{out_w}, smaller "
                           f"than {p}x{p} patches. Use p <= {min(out_h, out_w)}, or patch=auto.")
    patches = [_patch_tiles(calls, r, c) for r in _bands(out_h, p) for c in _bands(out_w, p)]
    chans = [_channels(calls[0])[0]] + [_channels(c)[1] for c in calls]
    # Tile j (j = 0 input, j = i + 1 output of layer i) is live in steps [j, j + 1]:
    # step 0 copies in, step i + 1 runs layer i, step n + 1 copies out.
    sizes = [max(t[j].pixels for t in patches) * chans[j] for j in range(n + 1)]
    bufs = [Buffer(f"tile{j}", sizes[j], j, j + 1) for j in range(n + 1)]
    scratch = [_tile_scratch(c, [(t[i], t[i + 1]) for t in patches]) for i, c in enumerate(calls)]
    bufs += [Buffer(f"scratch{i}", scratch[i], i + 1, i + 1)
             for i, c in enumerate(calls) if c.scratch_bytes]
    local = plan_arena(bufs)

    def at(key: str) -> BufferArg:
        return BufferArg(LOCAL_KEY, local.offset(key))

    src_key = f"t{graph.storage(calls[0].args[0].tensor)}"
    dst_key = f"t{graph.storage(calls[-1].args[1].tensor)}"
    in_w, out_c = calls[0].params["in_w"], chans[-1]
    stage_calls: list[KernelCall] = []
    macs = 0
    for k, tiles in enumerate(patches):
        t0, tn = tiles[0], tiles[-1]
        stage_calls.append(_copy(
            t0.rows[1] - t0.rows[0], (t0.cols[1] - t0.cols[0]) * chans[0], in_w * chans[0],
            (t0.cols[1] - t0.cols[0]) * chans[0],
            BufferArg(src_key, (t0.rows[0] * in_w + t0.cols[0]) * chans[0]), at("tile0"),
            f"patch {k}: input rows {t0.rows[0]}..{t0.rows[1] - 1}, cols {t0.cols[0]}..{t0.cols[1] - 1}"))
        for i, call in enumerate(calls):
            args = [at(f"tile{i}"), at(f"tile{i + 1}")] + ([at(f"scratch{i}")] if call.scratch_bytes else [])
            stage_calls.append(KernelCall(call.function, call.params_type,
                                          _tile_call(call, tiles[i], tiles[i + 1]), args,
                                          comment=f"patch {k}, layer {i}: {call.comment}"))
            macs += layers[i].macs // (call.params["out_h"] * call.params["out_w"]) * tiles[i + 1].pixels
        stage_calls.append(_copy(
            tn.rows[1] - tn.rows[0], (tn.cols[1] - tn.cols[0]) * out_c,
            (tn.cols[1] - tn.cols[0]) * out_c, out_w * out_c, at(f"tile{n}"),
            BufferArg(dst_key, (tn.rows[0] * out_w + tn.cols[0]) * out_c),
            f"patch {k}: output rows {tn.rows[0]}..{tn.rows[1] - 1}, cols {tn.cols[0]}..{tn.cols[1] - 1}"))
    base = sum(layer.macs for layer in layers[:n])
    shift = None
    if share:
        in_bytes, out_bytes = graph.tensors[graph.storage(calls[0].args[0].tensor)].nbytes, \
            graph.tensors[graph.storage(calls[-1].args[1].tensor)].nbytes
        # No gain in placing the output further right than the input's end allows.
        shift = min(share_shift(patches, in_w, chans[0], out_w, out_c),
                    _floor_align(max(0, in_bytes - out_bytes)))
    stage = dataclasses.replace(layers[n - 1], index=0, calls=stage_calls, macs=macs,
                                stage=[layer.op for layer in layers[:n]],
                                local_bytes=local.arena_bytes, extra_macs=macs - base,
                                patch_grid=p, share_shift=shift)
    return [stage] + [dataclasses.replace(layer, index=i + 1) for i, layer in enumerate(layers[n:])]
