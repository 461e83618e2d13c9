"""Memory report: per layer, the bytes live in the arena while it runs, whether it runs
in place or as a patch stage, and the peak; as text and as a PNG bar chart (like
MCUNetV2's per-block memory figure). All figures are modelled from the memory plan."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from .inplace import is_inplace
from .model import CompiledModel


@dataclass
class LayerMemory:
    index: int
    op: str            # op kind, or "PATCH STAGE (k ops)"
    live_bytes: int    # arena bytes live while the layer runs (tensors + scratch + tiles)
    inplace: bool
    patch: str         # "" or "<p>x<p>, layers <ops>"


@dataclass
class MemoryReport:
    model: str
    layers: list[LayerMemory]
    arena_bytes: int
    lower_bound: int
    extra_macs: int
    macs: int

    @property
    def peak_bytes(self) -> int:
        return max((la.live_bytes for la in self.layers), default=0)


def memory_report(model: CompiledModel) -> MemoryReport:
    rows = []
    for layer in model.layers:
        op = f"PATCH STAGE ({len(layer.stage)} ops)" if layer.stage else layer.op.kind
        patch = (f"{layer.patch_grid}x{layer.patch_grid} over "
                 + "+".join(o.kind.replace("_2D", "").lower() for o in layer.stage)) if layer.stage else ""
        rows.append(LayerMemory(layer.index, op, model.plan.live_bytes(layer.index),
                                is_inplace(layer), patch))
    extra = sum(layer.extra_macs for layer in model.layers)
    return MemoryReport(model.graph.name, rows, model.plan.arena_bytes, model.plan.lower_bound,
                        extra, sum(layer.macs for layer in model.layers) - extra)


def format_report(r: MemoryReport, image_ram: int | None = None, stack_measured: bool = False) -> str:
    """Text report; image_ram (whole image's RAM from the ELF) is the peak when given,
    with the measured stack high-water mark in it when stack_measured, else the reserved stack."""
    lines = [f"memory report: {r.model} (modelled from the memory plan, bytes)",
             f"{'layer':>5} {'op':<24} {'live B':>9} {'in place':>8}  patch stage"]
    for la in r.layers:
        mark = " <- peak" if la.live_bytes == r.peak_bytes else ""
        lines.append(f"{la.index:>5} {la.op:<24} {la.live_bytes:>9} {'yes' if la.inplace else '-':>8}  "
                     f"{la.patch or '-'}{mark}")
    if r.extra_macs:
        lines.append(f"patch halo recompute: {r.extra_macs} MACs "
                     f"(+{100.0 * r.extra_macs / max(r.macs, 1):.1f}% of {r.macs} MACs, counted from the plan)")
    gap = 100.0 * (r.arena_bytes - r.lower_bound) / r.lower_bound if r.lower_bound else 0.0
    lines.append(f"arena lower bound (largest live set): {r.lower_bound} B; arena is {gap:.2f}% above it")
    lines.append(f"largest live set: {r.peak_bytes} B at layer "
                 f"{max(r.layers, key=lambda la: la.live_bytes).index if r.layers else 0} (modelled)")
    if image_ram is None:
        lines.append(f"peak SRAM: {r.arena_bytes} B (arena {r.arena_bytes} B)")
    else:
        lines.append("peak SRAM = .data + .bss (arena included, from the ELF) + "
                     + ("stack high-water (measured on the device, painted stack)" if stack_measured
                        else "reserved stack (from the ELF; run=qemu measures the high-water mark)"))
        lines.append(f"peak SRAM: {image_ram} B (arena {r.arena_bytes} B)")
    return "\n".join(lines)


def plot_report(r: MemoryReport, path: Path) -> None:
    """Bar chart of live bytes per layer; patch stage and in-place layers coloured."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = ["tab:green" if la.patch else "tab:orange" if la.inplace else "tab:blue"
               for la in r.layers]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.22 * len(r.layers)), 3.6))
    ax.bar([la.index for la in r.layers], [la.live_bytes / 1024 for la in r.layers], color=colours)
    ax.axhline(r.arena_bytes / 1024, color="tab:red", ls="--", lw=1,
               label=f"arena {r.arena_bytes} B")
    for c, label in (("tab:blue", "per-layer"), ("tab:orange", "in place (depthwise / 1x1)"),
                     ("tab:green", "patch stage")):
        ax.bar([0], [0], color=c, label=label)
    ax.set_xlabel("layer")
    ax.set_ylabel("live activations + scratch (KiB)")
    ax.set_title(f"{r.model}: peak {r.peak_bytes} B (modelled from the memory plan)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
