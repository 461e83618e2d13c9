"""Per-layer specialisation: calls whose kernel body is available inline are switched to it
with the layer's shape constants as literals, so the C compiler unrolls and folds them
for that layer alone (TinyEngine's main speed source) instead of reading them at run time.

Runs last, on the scheduled layers: patch stages keep the exported kernels (their tiles
have other shapes), and in-place ring schedules call their row kernel themselves.
"""
from __future__ import annotations

import dataclasses

from .kernels import kernel_of
from .lowering import IntArg, KernelCall
from .model import Layer


def _depthwise(call: KernelCall) -> KernelCall:
    """A DSP depthwise call -> its inline form (..., filter, strides and dilations in the
    plane's orientation, x2: the _rs requantisation)."""
    k = kernel_of(call)
    p = call.params
    geometry = (p["k_h"], p["k_w"], p["stride_h"], p["stride_w"], p["dil_h"], p["dil_w"])
    if p["transposed"]:
        kh, kw, sh, sw, dh, dw = geometry
        geometry = (kw, kh, sw, sh, dw, dh)
    x2 = int(k.variant == "dsp_rs")
    return dataclasses.replace(call, function=k.inline_form,
                               args=[*call.args, *(IntArg(v) for v in (*geometry, x2))],
                               comment=f"{call.comment}, inlined with its constants")


def bake_layers(layers: list[Layer]) -> list[Layer]:
    """The layers with every call that has an inline form switched to it."""
    out = []
    for layer in layers:
        if not layer.stage and any(kernel_of(c).inline_form for c in layer.calls):
            layer = dataclasses.replace(layer, calls=[
                _depthwise(c) if kernel_of(c).inline_form else c for c in layer.calls])
        out.append(layer)
    return out
