"""TFLite flatbuffer -> IR. Uses the `tflite` schema package only (no TensorFlow)."""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import tflite
from tflite.utils import BUILTIN_OPCODE2NAME

from .errors import CompileError
from .ir import Graph, Op, Quant, Tensor
from .wellformed import check_const_data, check_graph, check_tensor

_TENSOR_TYPES = {0: "float32", 2: "int32", 3: "uint8", 4: "int64", 6: "bool",
                 7: "int16", 9: "int8"}
_ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH",
                5: "SIGN_BIT", 6: "SIGMOID"}
_PADDING = {0: "SAME", 1: "VALID"}

# op kind -> (options class, [(getter, key, value map or None)])
_OPTION_FIELDS: dict[str, tuple[type, list[tuple[str, str, dict | None]]]] = {
    "CONV_2D": (tflite.Conv2DOptions, [
        ("Padding", "padding", _PADDING), ("StrideH", "stride_h", None),
        ("StrideW", "stride_w", None), ("DilationHFactor", "dilation_h", None),
        ("DilationWFactor", "dilation_w", None),
        ("FusedActivationFunction", "fused_activation_function", _ACTIVATIONS)]),
    "DEPTHWISE_CONV_2D": (tflite.DepthwiseConv2DOptions, [
        ("Padding", "padding", _PADDING), ("StrideH", "stride_h", None),
        ("StrideW", "stride_w", None), ("DilationHFactor", "dilation_h", None),
        ("DilationWFactor", "dilation_w", None), ("DepthMultiplier", "depth_multiplier", None),
        ("FusedActivationFunction", "fused_activation_function", _ACTIVATIONS)]),
    "FULLY_CONNECTED": (tflite.FullyConnectedOptions, [
        ("KeepNumDims", "keep_num_dims", None), ("WeightsFormat", "weights_format", None),
        ("FusedActivationFunction", "fused_activation_function", _ACTIVATIONS)]),
    "AVERAGE_POOL_2D": (tflite.Pool2DOptions, [
        ("Padding", "padding", _PADDING), ("StrideH", "stride_h", None),
        ("StrideW", "stride_w", None), ("FilterHeight", "filter_h", None),
        ("FilterWidth", "filter_w", None),
        ("FusedActivationFunction", "fused_activation_function", _ACTIVATIONS)]),
    "ADD": (tflite.AddOptions, [
        ("FusedActivationFunction", "fused_activation_function", _ACTIVATIONS)]),
    "MUL": (tflite.MulOptions, [
        ("FusedActivationFunction", "fused_activation_function", _ACTIVATIONS)]),
    "SOFTMAX": (tflite.SoftmaxOptions, [("Beta", "beta", None)]),
    "CONCATENATION": (tflite.ConcatenationOptions, [
        ("Axis", "axis", None),
        ("FusedActivationFunction", "fused_activation_function", _ACTIVATIONS)]),
    "MEAN": (tflite.ReducerOptions, [("KeepDims", "keep_dims", None)]),
    "REDUCE_MAX": (tflite.ReducerOptions, [("KeepDims", "keep_dims", None)]),
    "SUM": (tflite.ReducerOptions, [("KeepDims", "keep_dims", None)]),
    "RESIZE_NEAREST_NEIGHBOR": (tflite.ResizeNearestNeighborOptions, [
        ("AlignCorners", "align_corners", None), ("HalfPixelCenters", "half_pixel_centers", None)]),
    "STRIDED_SLICE": (tflite.StridedSliceOptions, [
        ("BeginMask", "begin_mask", None), ("EndMask", "end_mask", None),
        ("EllipsisMask", "ellipsis_mask", None), ("NewAxisMask", "new_axis_mask", None),
        ("ShrinkAxisMask", "shrink_axis_mask", None), ("Offset", "offset", None)]),
    "PACK": (tflite.PackOptions, [("Axis", "axis", None), ("ValuesCount", "values_count", None)]),
    "GATHER": (tflite.GatherOptions, [("Axis", "axis", None), ("BatchDims", "batch_dims", None)]),
}
_OPTION_FIELDS["MAX_POOL_2D"] = _OPTION_FIELDS["AVERAGE_POOL_2D"]


TFLITE_IDENTIFIER = b"TFL3"  # the flatbuffer file identifier, bytes 4..8 of a .tflite file


def is_tflite(head: bytes) -> bool:
    """Whether a file starting with `head` (at least its first 8 bytes) is a TFLite flatbuffer."""
    return len(head) >= 8 and head[4:8] == TFLITE_IDENTIFIER


def read_model(path: str | Path) -> Graph:
    """Parse a .tflite file into a Graph; CompileError for anything that is not a usable model."""
    path = Path(path)
    if not path.is_file():
        raise CompileError(f"model file '{path}' does not exist. Pass model=<path to a .tflite file>.")
    buf = path.read_bytes()
    if not is_tflite(buf):
        raise CompileError(f"'{path}' is not a TFLite model (no TFL3 flatbuffer identifier). "
                           "Pass a .tflite file written by the TFLite converter.")
    try:
        graph = _parse(buf, path.stem)
    except CompileError:
        raise
    except (struct.error, IndexError, TypeError, ValueError, UnicodeDecodeError) as exc:
        # what flatbuffers raises on offsets pointing past the end or into garbage
        raise CompileError(f"'{path}' is truncated or corrupt ({type(exc).__name__}: {exc}). "
                           "Re-export the model with the TFLite converter.") from None
    check_graph(graph)
    return graph


def _parse(buf: bytes, name: str) -> Graph:
    model = tflite.Model.GetRootAsModel(buf, 0)
    if model.SubgraphsLength() < 1:
        raise CompileError(f"model '{name}' has no subgraph.")
    sg = model.Subgraphs(0)
    tensors = {i: _tensor(model, sg.Tensors(i), i, buf) for i in range(sg.TensorsLength())}
    ops = []
    for i in range(sg.OperatorsLength()):
        fop = sg.Operators(i)
        if not 0 <= fop.OpcodeIndex() < model.OperatorCodesLength():
            raise CompileError(f"layer {i} uses operator code {fop.OpcodeIndex()}, but the model "
                               f"has {model.OperatorCodesLength()} operator codes. The model file "
                               "is corrupt; re-export it with the TFLite converter.")
        code = model.OperatorCodes(fop.OpcodeIndex())
        opcode = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        kind = BUILTIN_OPCODE2NAME.get(opcode, f"opcode {opcode}")
        if opcode == 32:  # CUSTOM
            kind = f"CUSTOM ({_text(code.CustomCode())})"
        inputs = [int(x) for x in fop.InputsAsNumpy()] if fop.InputsLength() else []
        outputs = [int(x) for x in fop.OutputsAsNumpy()] if fop.OutputsLength() else []
        ops.append(Op(i, kind, inputs, outputs, _options(i, kind, fop)))
    inputs = [int(x) for x in sg.InputsAsNumpy()]
    outputs = [int(x) for x in sg.OutputsAsNumpy()]
    return Graph(name, tensors, ops, inputs, outputs)


def _text(raw: bytes | None) -> str:
    """A name from the file, printable on one line (it ends up in messages and C comments);
    names are optional in the schema."""
    text = (raw or b"").decode(errors="replace")
    return text if text.isprintable() else "".join(c if c.isprintable() else "?" for c in text)


def _tensor(model: tflite.Model, t: tflite.Tensor, index: int, buf: bytes) -> Tensor:
    ttype = t.Type()
    name = _text(t.Name())
    if ttype not in _TENSOR_TYPES:
        raise CompileError(f"tensor {index} ('{name}') has an "
                           f"unsupported element type (TFLite type {ttype}).")
    dtype = _TENSOR_TYPES[ttype]
    shape = tuple(int(x) for x in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    # -1 beyond the batch dimension in the signature: the stored shape is a placeholder,
    # inferred later (a -1 batch alone is stored as 1, which is what we compile for)
    dynamic = t.ShapeSignatureLength() > 1 and bool((t.ShapeSignatureAsNumpy()[1:] < 0).any())
    quant = None
    q = t.Quantization()
    if q is not None and q.ScaleLength() > 0:
        quant = Quant(scale=q.ScaleAsNumpy().astype(np.float32),
                      zero_point=q.ZeroPointAsNumpy().astype(np.int64),
                      axis=q.QuantizedDimension())
    tensor = Tensor(index, name, shape, dtype, quant, None, dynamic)
    check_tensor(tensor)
    if not 0 <= t.Buffer() < model.BuffersLength():
        raise CompileError(f"tensor {index} ('{name}') refers to buffer {t.Buffer()}, but the model "
                           f"has {model.BuffersLength()} buffers. The model file is corrupt; "
                           "re-export it with the TFLite converter.")
    b = model.Buffers(t.Buffer())
    raw = None
    if b is not None:
        if b.Offset() > 1:  # large models keep buffers after the flatbuffer
            if b.Offset() + b.Size() > len(buf):
                raise CompileError(f"tensor {index} ('{name}'): its data (buffer {t.Buffer()}) "
                                   "lies past the end of the file. The model file is truncated; "
                                   "re-export it with the TFLite converter.")
            raw = bytes(buf[b.Offset(): b.Offset() + b.Size()])
        elif b.DataLength() > 0:
            raw = b.DataAsNumpy().tobytes()
    if raw is not None:
        check_const_data(tensor, len(raw))
        data = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype)
        tensor.data = data.reshape(shape) if shape else data.reshape(())
    return tensor


def _options(index: int, kind: str, fop: tflite.Operator) -> dict:
    spec = _OPTION_FIELDS.get(kind)
    table = fop.BuiltinOptions()
    if spec is None or table is None:
        return {}
    cls, fields = spec
    opt = cls()
    opt.Init(table.Bytes, table.Pos)
    out: dict = {}
    for getter, key, mapping in fields:
        value = getattr(opt, getter)()
        if mapping is not None and value not in mapping:
            raise CompileError(f"layer {index} ({kind}) has an unknown {key} ({value}). The model "
                               "file is corrupt or was not written by the TFLite converter; "
                               "re-export it.")
        out[key] = mapping[value] if mapping is not None else value
    return out
