"""C emission: renders the compiled model into model.c / model.h with Jinja, plus model.json."""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np

from .ir import C_TYPES
from .lowering import BufferArg, ConstArray, IntArg, ScratchArg, TensorArg
from .model import CompiledModel
from .nvm.plan import template_context as persist_context

TEMPLATES = Path(__file__).parent / "templates"
_DTYPE_ENUM = {"int8": "TP_INT8", "uint8": "TP_UINT8", "int16": "TP_INT16", "int32": "TP_INT32",
               "float32": "TP_FLOAT32"}
_NP_CTYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "uint16": "uint16_t",
              "int32": "int32_t", "uint32": "uint32_t", "float32": "float"}


@dataclass
class EmittedModel:
    model_c: str
    model_h: str
    metadata: dict
    const_bytes: int


def c_literal(value: int | float) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        v = int(value)
        return "(-2147483647 - 1)" if v == -2**31 else str(v)
    return f"{float(np.float32(value)):.9g}f"


def c_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _array_body(values: np.ndarray) -> str:
    flat = values.reshape(-1)
    if flat.dtype == np.float32:
        items = [c_literal(float(v)) for v in flat]
    else:
        items = [c_literal(int(v)) for v in flat.tolist()]
    per_line = 20
    return "\n".join("    " + ", ".join(items[i:i + per_line]) + ","
                     for i in range(0, len(items), per_line))


class _Arrays:
    """Collects flash arrays, each emitted once."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.bytes = 0

    def add(self, name: str, values: np.ndarray) -> str:
        dtype = str(values.dtype)
        if dtype not in _NP_CTYPES:
            raise ValueError(f"no C type for constant array of {dtype}")
        self.items.append({"name": name, "ctype": _NP_CTYPES[dtype], "count": max(values.size, 1),
                           "body": _array_body(values) if values.size else "    0,"})
        self.bytes += values.nbytes
        return name


def emit_model(model: CompiledModel, model_file: str) -> EmittedModel:
    graph, plan = model.graph, model.plan
    arrays = _Arrays()
    const_tensors: dict[int, str] = {}

    def tensor_ptr(index: int) -> str:
        s = graph.storage(index)
        t = graph.tensors[s]
        if t.is_const:
            if s not in const_tensors:
                const_tensors[s] = arrays.add(f"tp_const_t{s}", np.ascontiguousarray(t.data))
            return const_tensors[s]
        return f"({C_TYPES[t.dtype]} *)(tp_arena + {plan.offset(f't{s}')})"

    shared: dict[int, str] = {}  # id(ConstArray) -> name: patch stages reuse one array per weight
    layers = []
    for layer in model.layers:
        calls = []
        for k, call in enumerate(layer.calls):
            var = f"l{layer.index}_{k}"
            fields = []
            for key, value in call.params.items():
                if isinstance(value, ConstArray):
                    if id(value) not in shared:
                        # nested fields ("dw.filter") are not C identifiers
                        name = f"{var}_{key.replace('.', '_')}"
                        shared[id(value)] = arrays.add(name, np.ascontiguousarray(value.values))
                    value.name = shared[id(value)]
                    fields.append((key, value.name))
                else:
                    fields.append((key, c_literal(value)))
            args = []
            for a in call.args:
                if isinstance(a, TensorArg):
                    args.append(tensor_ptr(a.tensor))
                elif isinstance(a, ScratchArg):
                    args.append(f"(void *)(tp_arena + {plan.offset(f's{layer.index}_{k}')})")
                elif isinstance(a, BufferArg):
                    args.append(f"(void *)(tp_arena + {plan.offset(a.key) + a.offset})")
                elif isinstance(a, IntArg):
                    args.append(str(a.value))
            calls.append({"var": var, "function": call.function, "params_type": call.params_type,
                          "fields": fields, "args": args, "comment": call.comment})
        layers.append({"index": layer.index, "calls": calls,
                       "title": f"{layer.op.kind} (TFLite op {layer.op.index}) -> "
                                f"{c_string(graph.tensors[layer.output].name)}"})

    def desc(index: int) -> dict:
        t = graph.tensors[index]
        s = graph.storage(index)
        return {"name": c_string(t.name), "ptr": f"tp_arena + {plan.offset(f't{s}')}",
                "bytes": t.nbytes, "tensor": index, "dtype": _DTYPE_ENUM[t.dtype]}

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    macs = sum(layer.macs for layer in model.layers)
    ctx = {"model_file": model_file, "name": c_string(graph.name), "layers": layers,
           "arrays": arrays.items, "arena_bytes": plan.arena_bytes,
           "lower_bound": plan.lower_bound, "macs": macs,
           "inputs": [desc(i) for i in graph.inputs], "outputs": [desc(i) for i in graph.outputs],
           "layer_outputs": [desc(layer.output) for layer in model.layers],
           "persist": persist_context(model)}
    ctx["const_bytes"] = arrays.bytes
    model_c = env.get_template("model.c.j2").render(ctx)
    ctx["hash"] = zlib.crc32(model_c.encode())
    model_h = env.get_template("model.h.j2").render(ctx)
    metadata = _metadata(model, ctx)
    if model.persist is not None:
        metadata["persist"] = model.persist.metadata()
    return EmittedModel(model_c, model_h, metadata, arrays.bytes)


def _tensor_meta(model: CompiledModel, index: int) -> dict:
    t = model.graph.tensors[index]
    meta = {"tensor": index, "name": t.name, "shape": list(t.shape), "dtype": t.dtype,
            "bytes": t.nbytes}
    if t.quant is not None and t.quant.scale.size == 1:
        meta["scale"] = float(t.quant.scale[0])
        meta["zero_point"] = int(t.quant.zero_point[0])
    return meta


def _metadata(model: CompiledModel, ctx: dict) -> dict:
    """What the host tools need to talk to the firmware and check it against TFLite."""
    return {
        "name": model.graph.name,
        "model_file": ctx["model_file"],
        "hash": ctx["hash"],
        "target": {"cpu": model.target.cpu, "dsp": model.target.dsp, "fpu": model.target.fpu},
        "macs": ctx["macs"],
        "arena_bytes": model.plan.arena_bytes,
        "arena_lower_bound": model.plan.lower_bound,
        "weight_bytes": ctx["const_bytes"],
        "inputs": [_tensor_meta(model, i) for i in model.graph.inputs],
        "outputs": [_tensor_meta(model, i) for i in model.graph.outputs],
        "layers": [{"index": layer.index, "op": layer.op.kind, "tflite_op": layer.op.index,
                    "macs": layer.macs, "output": _tensor_meta(model, layer.output),
                    "kernels": [c.function for c in layer.calls]}
                   for layer in model.layers],
    }
