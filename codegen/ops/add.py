"""ADD (int8) -> tp_add_s8, parameters derived exactly as TFLite's add.cc Prepare does.

On DSP targets an ADD whose inputs both have the output's shape becomes tp_add_s8_lut:
each input's rescaled value depends on its int8 value alone, so the compiler tabulates
both (2 x 256 int32 in flash) and the kernel does two lookups and one SMMLAR per element.
"""
from __future__ import annotations

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op, Tensor
from ..kernels import make_call, select
from ..lowering import ConstArray, KernelCall, Target, TensorArg
from ..quant import quantize_multiplier, requantize
from .broadcast import broadcast_fields
from .common import clamp_range, require_int8, tensor

LEFT_SHIFT = 20  # TFLite's headroom for int8 (15 for int16)
# Fewest elements for tp_add_s8_lut: its two tables cost 2 KB of flash, which smaller
# layers (a small share of any inference) do not repay
LUT_MIN_ELEMENTS = 512
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def require_per_tensor(op: Op, *tensors: Tensor) -> None:
    for t in tensors:
        if t.quant is not None and t.quant.per_channel:
            raise CompileError(f"layer {op.index} ({op.kind}): tensor '{t.name}' is quantized per "
                               "channel; this op needs per-tensor quantization. Re-convert the "
                               "model with the TFLite converter's default int8 quantization.")


def smaller_than_one(op: Op, real: float, what: str) -> tuple[int, int]:
    """TFLite QuantizeMultiplierSmallerThanOneExp, which aborts outside (0, 1)."""
    if not 0.0 < real < 1.0:
        raise CompileError(f"layer {op.index} ({op.kind}): the {what} rescale factor {real:.6g} is "
                           "outside (0, 1), which TFLite's int8 kernel rejects; check the "
                           "tensors' quantization scales (re-convert the model).")
    return quantize_multiplier(real)


def rescaled_table(offset: int, multiplier: int, shift: int) -> np.ndarray:
    """TFLite's scaled input for every int8 value x at [x + 128]: (x + offset) << left_shift,
    then MultiplyByQuantizedMultiplierSmallerThanOneExp (int64 values)."""
    return np.array([requantize((x + offset) * (1 << LEFT_SHIFT), multiplier, shift)
                     for x in range(-128, 128)], dtype=np.int64)


def smmulr(a: int, b: int) -> int:
    """SMMULR: (a * b + 2^31) >> 32."""
    return (a * b + (1 << 31)) >> 32


def lut_fields(table1: np.ndarray, table2: np.ndarray, multiplier: int, shift: int,
               zero_point: int) -> dict[str, int | ConstArray] | None:
    """tp_add_s8_lut's tables and output fields, or None where its arithmetic is not proven
    exact (kernels_c/tp_add.c): a right shift e = -shift >= 1, |table1 + table2| < 2^30 so
    the doubled sum fits int32, and bias + SMMULR(doubled sum, multiplier) (minus 1 for a
    negative sum) in int32 for every sum, so SMMLAR and the sign correction do not wrap."""
    e = -shift
    if not 1 <= e <= 31 or multiplier < (1 << 30):
        return None
    lo = int(table1.min() + table2.min())
    hi = int(table1.max() + table2.max())
    if max(-lo, hi) >= 1 << 30:
        return None
    bias = (1 << (e - 1)) + zero_point * (1 << e)
    # SMMULR is monotonic in the sum (multiplier > 0): the extremes bound every element
    low = min(bias, bias + smmulr(2 * lo, multiplier) - 1)
    high = max(bias, bias + smmulr(2 * hi, multiplier))
    if low < INT32_MIN or high > INT32_MAX:
        return None
    return {"table1": ConstArray((2 * table1).astype(np.int32)),
            "table2": ConstArray((2 * table2).astype(np.int32)),
            "output_multiplier": multiplier, "output_rshift": e, "output_bias": bias}


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    a, b = tensor(graph, op, 0), tensor(graph, op, 1)
    out = tensor(graph, op, 0, output=True)
    require_int8(op, a, b, out)
    require_per_tensor(op, a, b, out)
    s1, s2, so = np.float32(a.scale), np.float32(b.scale), np.float32(out.scale)
    # add.cc: twice_max_input_scale = 2 * max(float, float) (exact), the rest in double
    twice_max = float(np.float32(2) * max(s1, s2))
    m1, sh1 = smaller_than_one(op, float(s1) / twice_max, "input 1")
    m2, sh2 = smaller_than_one(op, float(s2) / twice_max, "input 2")
    # (1 << left_shift) * output scale is a float product in TFLite: exact (power of two)
    mo, sho = smaller_than_one(op, twice_max / float(np.float32(1 << LEFT_SHIFT) * so), "output")
    act_min, act_max = clamp_range(op, out)
    loops = broadcast_fields(op, a, b, out)  # also rejects shapes that do not broadcast
    args: list = [TensorArg(op.inputs[0]), TensorArg(op.inputs[1]), TensorArg(op.outputs[0])]
    comment = f"{list(a.shape)} + {list(b.shape)} -> {list(out.shape)}"
    # an input that broadcasts to the output with as many elements has its shape (up to
    # leading 1s): one flat elementwise loop
    if target.dsp and a.size == b.size == out.size >= LUT_MIN_ELEMENTS:
        lut = lut_fields(rescaled_table(-a.zero_point, m1, sh1),
                         rescaled_table(-b.zero_point, m2, sh2), mo, sho, out.zero_point)
        if lut is not None:
            return [make_call(select("add", "lut"),
                              {"size": out.size, **lut, "act_min": act_min, "act_max": act_max},
                              args, comment=f"{comment} (tables, SMMLAR requant)")]
    params = {
        **loops,
        "input1_offset": -a.zero_point, "input1_multiplier": m1, "input1_shift": sh1,
        "input2_offset": -b.zero_point, "input2_multiplier": m2, "input2_shift": sh2,
        "left_shift": LEFT_SHIFT,
        "output_multiplier": mo, "output_shift": sho, "output_offset": out.zero_point,
        "act_min": act_min, "act_max": act_max,
    }
    return [make_call(select("add"), params, args, comment=comment)]
