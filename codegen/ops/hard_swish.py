"""HARD_SWISH (int8) -> tp_hard_swish_s8, parameters derived as TFLite's
activations.cc HardSwishPrepare does (float arithmetic, int16 multipliers)."""
from __future__ import annotations

import numpy as np

from ..errors import CompileError
from ..ir import Graph, Op
from ..kernels import make_call, select
from ..lowering import KernelCall, Target, TensorArg
from ..quant import quantize_multiplier
from .add import require_per_tensor
from .common import require_int8, tensor


def downscale_to_int16(multiplier: int) -> int:
    """TFLite DownScaleInt32ToInt16Multiplier: Q31 -> Q15 with rounding, saturating."""
    if multiplier >= (1 << 31) - 1 - (1 << 15):
        return (1 << 15) - 1
    return (multiplier + (1 << 15)) >> 16


def hard_swish_params(op: Op, input_scale: float, output_scale: float) -> dict[str, int]:
    f32 = np.float32
    hires_input_scale = f32(1.0 / 128.0) * f32(input_scale)
    reluish_scale = f32(3.0) / f32(32768.0)
    out_mult, out_exp = quantize_multiplier(float(f32(hires_input_scale / f32(output_scale))))
    if out_exp > 0:  # TF_LITE_ENSURE(output_multiplier_exponent <= 0) in TFLite
        raise CompileError(f"layer {op.index} ({op.kind}): output scale {output_scale:.6g} is too "
                           f"small for input scale {input_scale:.6g} (TFLite's int8 hard-swish "
                           "rejects it); re-convert the model.")
    relu_mult, relu_exp = quantize_multiplier(float(f32(hires_input_scale / reluish_scale)))
    return {"reluish_multiplier": downscale_to_int16(relu_mult), "reluish_exponent": relu_exp,
            "output_multiplier": downscale_to_int16(out_mult), "output_exponent": out_exp}


def lower(op: Op, graph: Graph, target: Target) -> list[KernelCall]:
    x, y = tensor(graph, op, 0), tensor(graph, op, 0, output=True)
    require_int8(op, x, y)
    require_per_tensor(op, x, y)
    params = {"size": x.size, "input_zero_point": x.zero_point,
              "output_zero_point": y.zero_point, **hard_swish_params(op, x.scale, y.scale)}
    return [make_call(select("hard_swish"), params,
                      [TensorArg(op.inputs[0]), TensorArg(op.outputs[0])])]
