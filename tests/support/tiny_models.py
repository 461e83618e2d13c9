"""Small test models: tf.function graphs through the TFLite converter, and hand-built
flatbuffers for cases the converter never emits (exact quantization parameters,
uint8 edges, int8 -> int8 QUANTIZE).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import flatbuffers
import numpy as np
import tflite

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def convert_fn(fn: Callable, shapes: Sequence[tuple[int, ...]], path: Path, *,
               ranges: Sequence[tuple[float, float]] | None = None, seed: int = 0,
               input_type=None, output_type=None, samples: int = 16) -> Path:
    """Full-integer quantization of `fn` (float32 inputs of `shapes`); writes `path`.

    Input k of the representative dataset is uniform in ranges[k], so inputs get
    different scales and zero points. input_type / output_type default to tf.int8.
    """
    import tensorflow as tf

    from tests.support.models import full_int8

    rng = np.random.default_rng(seed)
    ranges = list(ranges) if ranges else [(-1.0, 1.0)] * len(shapes)
    spec = [tf.TensorSpec(s, tf.float32) for s in shapes]
    concrete = tf.function(fn, input_signature=spec).get_concrete_function()

    def representative():
        for _ in range(samples):
            yield [rng.uniform(lo, hi, size=s).astype(np.float32)
                   for s, (lo, hi) in zip(shapes, ranges)]

    conv = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    full_int8(conv, representative, input_type, output_type)
    path = Path(path)
    path.write_bytes(conv.convert())
    return path


# ---- hand-built flatbuffers ----

_TYPES = {"float32": tflite.TensorType.FLOAT32, "int32": tflite.TensorType.INT32,
          "uint8": tflite.TensorType.UINT8, "int8": tflite.TensorType.INT8}
_ACT = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}


@dataclass
class T:
    """A tensor: shape, dtype, optional per-tensor (scale, zero_point), optional constant data."""
    shape: tuple[int, ...]
    dtype: str = "int8"
    quant: tuple[float, int] | None = None
    data: np.ndarray | None = None


@dataclass
class O:
    """An operator: TFLite builtin name, tensor indices, options
    (fused_activation_function, beta)."""
    kind: str
    inputs: list[int]
    outputs: list[int]
    options: dict = field(default_factory=dict)


def _vector(b: flatbuffers.Builder, offsets: list[int]) -> int:
    b.StartVector(4, len(offsets), 4)
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def _options(b: flatbuffers.Builder, op: O) -> tuple[int, int] | None:
    act = _ACT[op.options.get("fused_activation_function", "NONE")]
    if op.kind == "ADD":
        tflite.AddOptionsStart(b)
        tflite.AddOptionsAddFusedActivationFunction(b, act)
        return tflite.BuiltinOptions.AddOptions, tflite.AddOptionsEnd(b)
    if op.kind == "MUL":
        tflite.MulOptionsStart(b)
        tflite.MulOptionsAddFusedActivationFunction(b, act)
        return tflite.BuiltinOptions.MulOptions, tflite.MulOptionsEnd(b)
    if op.kind == "SOFTMAX":
        tflite.SoftmaxOptionsStart(b)
        tflite.SoftmaxOptionsAddBeta(b, float(op.options.get("beta", 1.0)))
        return tflite.BuiltinOptions.SoftmaxOptions, tflite.SoftmaxOptionsEnd(b)
    return None


def build_model(path: Path, tensors: list[T], ops: list[O], inputs: list[int],
                outputs: list[int]) -> Path:
    """Write a one-subgraph .tflite file that the TFLite interpreter runs as is."""
    b = flatbuffers.Builder(1024)
    buffers = []
    tflite.BufferStart(b)
    buffers.append(tflite.BufferEnd(b))  # buffer 0: empty, by convention
    t_offsets = []
    for i, t in enumerate(tensors):
        buf_index = 0
        if t.data is not None:
            raw = np.ascontiguousarray(t.data, dtype=t.dtype).view(np.uint8).reshape(-1)
            data = b.CreateNumpyVector(raw)
            tflite.BufferStart(b)
            tflite.BufferAddData(b, data)
            buffers.append(tflite.BufferEnd(b))
            buf_index = len(buffers) - 1
        q = None
        if t.quant is not None:
            scale = b.CreateNumpyVector(np.array([t.quant[0]], dtype=np.float32))
            zp = b.CreateNumpyVector(np.array([t.quant[1]], dtype=np.int64))
            tflite.QuantizationParametersStart(b)
            tflite.QuantizationParametersAddScale(b, scale)
            tflite.QuantizationParametersAddZeroPoint(b, zp)
            q = tflite.QuantizationParametersEnd(b)
        name = b.CreateString(f"t{i}")
        shape = b.CreateNumpyVector(np.array(t.shape, dtype=np.int32))
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, shape)
        tflite.TensorAddType(b, _TYPES[t.dtype])
        tflite.TensorAddBuffer(b, buf_index)
        tflite.TensorAddName(b, name)
        if q is not None:
            tflite.TensorAddQuantization(b, q)
        t_offsets.append(tflite.TensorEnd(b))
    kinds = sorted({op.kind for op in ops})
    codes = []
    for kind in kinds:
        code = getattr(tflite.BuiltinOperator, kind)
        tflite.OperatorCodeStart(b)
        tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
        tflite.OperatorCodeAddBuiltinCode(b, code)
        tflite.OperatorCodeAddVersion(b, 1)
        codes.append(tflite.OperatorCodeEnd(b))
    op_offsets = []
    for op in ops:
        opts = _options(b, op)
        ins = b.CreateNumpyVector(np.array(op.inputs, dtype=np.int32))
        outs = b.CreateNumpyVector(np.array(op.outputs, dtype=np.int32))
        tflite.OperatorStart(b)
        tflite.OperatorAddOpcodeIndex(b, kinds.index(op.kind))
        tflite.OperatorAddInputs(b, ins)
        tflite.OperatorAddOutputs(b, outs)
        if opts is not None:
            tflite.OperatorAddBuiltinOptionsType(b, opts[0])
            tflite.OperatorAddBuiltinOptions(b, opts[1])
        op_offsets.append(tflite.OperatorEnd(b))
    tens_vec, ops_vec = _vector(b, t_offsets), _vector(b, op_offsets)
    in_vec = b.CreateNumpyVector(np.array(inputs, dtype=np.int32))
    out_vec = b.CreateNumpyVector(np.array(outputs, dtype=np.int32))
    sg_name = b.CreateString("main")
    tflite.SubGraphStart(b)
    tflite.SubGraphAddTensors(b, tens_vec)
    tflite.SubGraphAddInputs(b, in_vec)
    tflite.SubGraphAddOutputs(b, out_vec)
    tflite.SubGraphAddOperators(b, ops_vec)
    tflite.SubGraphAddName(b, sg_name)
    subgraph = tflite.SubGraphEnd(b)
    sg_vec, codes_vec, buf_vec = _vector(b, [subgraph]), _vector(b, codes), _vector(b, buffers)
    desc = b.CreateString("tinypersist test model")
    tflite.ModelStart(b)
    tflite.ModelAddVersion(b, 3)
    tflite.ModelAddOperatorCodes(b, codes_vec)
    tflite.ModelAddSubgraphs(b, sg_vec)
    tflite.ModelAddDescription(b, desc)
    tflite.ModelAddBuffers(b, buf_vec)
    b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
    path = Path(path)
    path.write_bytes(bytes(b.Output()))
    return path


def op_kinds(path: Path) -> list[str]:
    """Operator names of a .tflite file, in order."""
    from codegen.reader import read_model
    return [op.kind for op in read_model(path).ops]


# ---- random binary-op graphs (ADD, MUL) ----

FUSED_ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]  # for random ADD / MUL cases


def random_broadcast_shapes(rng: np.random.Generator) -> tuple[tuple, tuple, tuple]:
    """(out, in1, in2): right-aligned shapes of rank <= 4 where either input may broadcast."""
    rank = int(rng.integers(1, 5))
    out = tuple(int(d) for d in rng.integers(1, 6, rank))
    if rank == 4:
        out = (1,) + out[1:]  # batch 1

    def operand() -> tuple:
        dims = tuple(d if rng.random() < 0.6 else 1 for d in out)
        return dims[int(rng.integers(0, rank + 1)) if rng.random() < 0.3 else 0:]

    a, b = operand(), operand()
    # the output shape is the broadcast of the inputs: make sure each output dim is reached
    full = np.broadcast_shapes(a, b)
    return tuple(full), a, b


def binary_cases(kind: str, rng: np.random.Generator, n: int,
                 fixed: list[dict]) -> tuple[list[T], list[O], list[int]]:
    """n random independent binary ops plus fixed edge cases, all in one graph."""
    tensors: list[T] = []
    ops: list[O] = []
    inputs: list[int] = []

    def add(t: T, is_input: bool = False) -> int:
        tensors.append(t)
        if is_input:
            inputs.append(len(tensors) - 1)
        return len(tensors) - 1

    cases = list(fixed)
    for _ in range(n):
        out, a, b = random_broadcast_shapes(rng)
        cases.append({"shapes": (out, a, b),
                      "scales": tuple(float(10 ** rng.uniform(-3, 0.5)) for _ in range(3)),
                      "zps": tuple(int(z) for z in rng.integers(-128, 128, 3)),
                      "act": FUSED_ACTS[int(rng.integers(0, 4))],
                      "const": int(rng.integers(0, 2)) if rng.random() < 0.3 else -1})
    for c in cases:
        out, a, b = c["shapes"]
        ids = []
        for k, shape in enumerate((a, b)):
            q = (c["scales"][k], c["zps"][k])
            if c.get("const", -1) == k:
                data = rng.integers(-128, 128, size=shape, dtype=np.int8)
                ids.append(add(T(shape, "int8", q, data)))
            else:
                ids.append(add(T(shape, "int8", q), is_input=True))
        o = add(T(out, "int8", (c["scales"][2], c["zps"][2])))
        ops.append(O(kind, ids, [o], {"fused_activation_function": c.get("act", "NONE")}))
    return tensors, ops, inputs
