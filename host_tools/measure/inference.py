"""One inference on a device (QEMU, host build or real board): outputs, counts, per-layer check."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from boards import Board

from ..target.connect import open_device
from ..errors import ToolError
from ..reference.inputs import np_dtype
from ..artifacts.stackuse import StackMeasure, save_measure


@dataclass
class LayerResult:
    index: int
    op: str
    macs: int
    count: int                      # instructions / cycles / ns, see RunResult.unit


@dataclass
class RunResult:
    outputs: list[np.ndarray]
    total: int                      # count of the whole inference
    unit: str                       # "instructions" (QEMU icount), "cycles" (DWT), "ns" (host)
    layers: list[LayerResult]
    bit_exact: bool | None = None   # None: not checked
    checked_layers: int = 0
    mismatch: str = ""
    layer_outputs: dict[int, np.ndarray] = field(default_factory=dict)
    stack_high_water: int = 0      # bytes, painted stack (0: not measured, e.g. host)
    stack_reserved: int = 0        # bytes, TP_STACK_BYTES of the linker script


META_KEYS = ("inputs", "outputs", "layers", "hash")  # what a run reads from model.json


def load_meta(path: str | Path) -> dict:
    p = Path(path)
    if not p.is_file():
        raise ToolError(f"model metadata '{p}' not found; build the firmware with scons first "
                        "(it writes build/<board>/<model>/gen/model.json).")
    try:
        meta = json.loads(p.read_text())
        missing = [k for k in META_KEYS if k not in meta]
    except (ValueError, UnicodeDecodeError, TypeError):
        missing = None
    if missing != []:
        why = f"no {', '.join(missing)}" if missing else "not JSON"
        raise ToolError(f"'{p}' is not a model.json written by scons ({why}); "
                        "pass --meta build/<board>/<model>/gen/model.json.")
    return meta


def _as_array(raw: bytes, meta: dict) -> np.ndarray:
    return np.frombuffer(raw, dtype=np_dtype(meta["dtype"])).reshape(meta["shape"])


def run_inference(board: Board, elf: str | Path, meta: dict, inputs: list[np.ndarray],
                  reference: dict[int, np.ndarray] | None = None,
                  port: str | None = None) -> RunResult:
    """Run once for timing and outputs; with a reference, then layer by layer to compare each."""
    n = len(meta["layers"])
    with open_device(board, elf, port) as dev:
        info = dev.info()
        if info.model_hash != meta["hash"]:
            raise ToolError(f"the firmware runs a different model build (hash {info.model_hash:#010x}) "
                            f"than {meta['name']}'s model.json ({meta['hash']:#010x}); rebuild with scons.")
        _write_inputs(dev, meta, inputs)
        total = dev.run(0, n)
        counts = dev.read_profile()
        outputs = [_as_array(dev.read_output(i), o) for i, o in enumerate(meta["outputs"])]
        layers = [LayerResult(m["index"], m["op"], m["macs"], int(c))
                  for m, c in zip(meta["layers"], counts)]
        result = RunResult(outputs, int(total), info.counter_unit, layers)
        if reference is not None:
            _check_layers(dev, meta, inputs, reference, result)
        # After the per-layer check too: the deepest use over every command run so far.
        stack = dev.read_stack()
        result.stack_high_water, result.stack_reserved = stack.high_water, stack.reserved
        save_measure(elf, StackMeasure(stack.high_water, stack.reserved))
    return result


def _write_inputs(dev, meta: dict, inputs: list[np.ndarray]) -> None:
    for i, (m, x) in enumerate(zip(meta["inputs"], inputs)):
        dev.write_input(i, np.ascontiguousarray(x, dtype=np_dtype(m["dtype"])).tobytes())


def _check_layers(dev, meta: dict, inputs: list[np.ndarray], reference: dict[int, np.ndarray],
                  result: RunResult) -> None:
    """Layer i's output is read right after layer i runs, before later layers reuse its memory."""
    _write_inputs(dev, meta, inputs)
    result.bit_exact = True
    for layer in meta["layers"]:
        i, out = layer["index"], layer["output"]
        dev.run(i, i + 1)
        got = _as_array(dev.read_layer(i).data, out)
        result.layer_outputs[out["tensor"]] = got
        result.checked_layers += 1
        want = reference[out["tensor"]].reshape(got.shape)
        if want.tobytes() != got.tobytes():
            diff = np.abs(want.astype(np.float64) - got.astype(np.float64))
            result.bit_exact = False
            result.mismatch = (f"layer {i} ({layer['op']}, TFLite op {layer['tflite_op']}, tensor "
                               f"{out['tensor']} '{out['name']}'): {int((diff > 0).sum())}/{diff.size} "
                               f"values differ, max |diff| {diff.max():g}")
            return
    for o, got in zip(meta["outputs"], result.outputs):
        if reference[o["tensor"]].reshape(got.shape).tobytes() != got.tobytes():
            result.bit_exact = False
            result.mismatch = f"model output tensor {o['tensor']} '{o['name']}' differs"
            return


def format_result(meta: dict, result: RunResult, source: str) -> str:
    """Human-readable report; every figure says its unit and where it came from."""
    lines = []
    for o, x in zip(meta["outputs"], result.outputs):
        lines.append(f"output '{o['name']}' {list(x.shape)} {o['dtype']}:")
        lines.append(np.array2string(x.reshape(-1), max_line_width=100, threshold=64))
    lines.append(f"per-layer {result.unit} ({source}):")
    lines.append(f"  {'layer':>5}  {'op':<24} {'MACs':>10} {result.unit:>14} {'per MAC':>8}")
    for layer in result.layers:
        per = f"{layer.count / layer.macs:8.2f}" if layer.macs else f"{'-':>8}"
        lines.append(f"  {layer.index:>5}  {layer.op:<24} {layer.macs:>10} {layer.count:>14} {per}")
    lines.append(f"{result.unit}: {result.total}")
    if result.stack_reserved:
        where = "QEMU" if "QEMU" in source else "the board"
        lines.append(f"stack high-water: {result.stack_high_water} B (measured on {where}, painted "
                     f"stack; {result.stack_reserved} B reserved)")
    if result.bit_exact is not None:
        if result.bit_exact:
            lines.append(f"bit-exact: yes ({result.checked_layers} layers)")
        else:
            lines.append(f"bit-exact: NO, first mismatch at {result.mismatch}")
    return "\n".join(lines)
