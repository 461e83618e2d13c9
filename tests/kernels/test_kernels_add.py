"""ADD (int8, broadcasting, fused activations, constant operands) is bit-exact with TFLite.

Portable targets and broadcasts run tp_add_s8; DSP targets run same-shape ADDs of at least
LUT_MIN_ELEMENTS through tp_add_s8_lut (compile-time tables, SMMLAR requantisation).
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from codegen.compile import compile_model
from codegen.errors import CompileError
from codegen.lowering import Target
from codegen.ops.add import LUT_MIN_ELEMENTS, lut_fields, rescaled_table, smmulr
from host_tools.sim import fixedpoint as fx
from tests.support.harness import CFLAGS, HOST, HOST_DSP, KERNELS, ROOT, _kernel_lib, assert_bit_exact
from tests.support.tiny_models import O, T, binary_cases, build_model, convert_fn, op_kinds


@pytest.mark.tf
def test_add_converted_model(tmp_path: Path) -> None:
    """Shapes and broadcasts as the TFLite converter produces them, with fused activations."""
    import tensorflow as tf

    rng = np.random.default_rng(7)
    h, w, c = (int(v) for v in rng.integers(2, 9, 3))
    const = rng.uniform(-1, 1, size=(c,)).astype(np.float32)

    def fn(x, y, z, u, v):
        return [tf.nn.relu(x + y), x + z, tf.nn.relu6(u + v), y + const, x + 0.75]

    shapes = [(1, h, w, c), (1, h, w, c), (1, 1, 1, c), (1, h, 1, c), (1, 1, w, 1)]
    ranges = [(-2, 3), (-0.5, 0.25), (0, 8), (-1, 1), (-4, 2)]
    path = convert_fn(fn, shapes, tmp_path / "add.tflite", ranges=ranges)
    assert op_kinds(path).count("ADD") == 5
    assert assert_bit_exact(path, None, tmp_path / "run") >= 5


@pytest.mark.tf
def test_add_random_quantization_and_broadcasts(tmp_path: Path) -> None:
    """Random shapes, scales, zero points, activations and constant operands, plus edges."""
    rng = np.random.default_rng(2024)
    same = ((1, 3, 4, 5), (1, 3, 4, 5), (1, 3, 4, 5))
    fixed = [
        # equal input scales: both input multipliers are exactly 1/2
        {"shapes": same, "scales": (0.05, 0.05, 0.1), "zps": (-128, 127, 0)},
        # very different input scales, output scale far below the inputs (saturation)
        {"shapes": same, "scales": (1e-3, 2.0, 1e-3), "zps": (5, -9, 3), "act": "RELU"},
        # scalar constant, RELU_N1_TO_1 clamp
        {"shapes": ((2, 7), (2, 7), ()), "scales": (0.02, 0.3, 0.01), "zps": (0, 1, -1),
         "act": "RELU_N1_TO_1", "const": 1},
        # the constant is the first operand and broadcasts over every dimension but one
        {"shapes": ((1, 4, 6, 3), (3,), (1, 4, 6, 3)), "scales": (0.1, 0.07, 0.2),
         "zps": (-3, 4, -20), "const": 0, "act": "RELU6"},
        # three alternating broadcast dims, 4 loops
        {"shapes": ((1, 3, 4, 5), (1, 3, 1, 5), (1, 1, 4, 1)), "scales": (0.4, 0.2, 0.3),
         "zps": (10, -10, 0)},
        # >= 512 outputs: the kernel's per-input lookup tables (same shape, saturating;
        # then broadcast over loops)
        {"shapes": ((1, 12, 12, 6),) * 3, "scales": (3e-3, 0.9, 2e-3), "zps": (-128, 127, 9)},
        {"shapes": ((1, 8, 9, 8), (1, 1, 9, 8), (1, 8, 1, 1)), "scales": (0.06, 0.05, 0.08),
         "zps": (7, -5, -2), "act": "RELU"},
        # same shapes, >= LUT_MIN_ELEMENTS: tp_add_s8_lut on DSP targets; 693 = 8 * 86 + 5
        # elements (the kernel's tail), a narrow ReLU6 clamp, a leading 1 on one input
        {"shapes": ((1, 9, 11, 7), (9, 11, 7), (1, 9, 11, 7)), "scales": (0.05, 0.02, 0.03),
         "zps": (-20, 100, -100), "act": "RELU6"},
        {"shapes": ((1, 8, 8, 9),) * 3, "scales": (0.2, 0.2, 0.3), "zps": (0, -1, 2),
         "act": "RELU", "const": 0},
    ]
    tensors, ops, inputs = binary_cases("ADD", rng, 30, fixed)
    path = build_model(tmp_path / "adds.tflite", tensors, ops, inputs,
                       [op.outputs[0] for op in ops])
    assert assert_bit_exact(path, None, tmp_path / "run") == len(ops)
    assert assert_bit_exact(path, None, tmp_path / "run_dsp", target=HOST_DSP) == len(ops)
    assert len(called(tmp_path / "run_dsp", "tp_add_s8_lut")) == 3


def test_add_broadcast_beyond_four_loops_is_a_clear_error(tmp_path: Path) -> None:
    tensors = [T((2, 1, 2, 1, 2), "int8", (0.1, 0)), T((1, 2, 1, 2, 1), "int8", (0.1, 0)),
               T((2, 2, 2, 2, 2), "int8", (0.2, 0))]
    path = build_model(tmp_path / "add5.tflite", tensors, [O("ADD", [0, 1], [2])], [0, 1], [2])
    with pytest.raises(CompileError, match=r"layer 0 \(ADD\).*at most 4"):
        compile_model(path, Target(cpu="host", dsp=False, fpu=True))


def called(run_dir: Path, function: str) -> list[str]:
    """Calls of `function` in a host run's generated model.c."""
    return re.findall(rf"\b{function}\(&", (run_dir / "gen" / "model.c").read_text())


# every (a, b) int8 pair once: a = byte 1 of the element index, b = byte 0
PAIR_A = np.repeat(np.arange(-128, 128), 256).astype(np.int8)
PAIR_B = np.tile(np.arange(-128, 128), 256).astype(np.int8)


@pytest.mark.tf
def test_add_lut_every_input_pair(tmp_path: Path) -> None:
    """tp_add_s8_lut on every (a, b) pair, bit-exact with TFLite (and tp_add_s8 on the
    portable target): output rounding ties of both signs, extreme zero points, large and
    small output shifts, saturation, full-range and narrow clamps, a constant operand. An
    output multiplier of 2/3 (no right shift, outside the kernel's proof) keeps tp_add_s8
    on the DSP target."""
    shape = (1, 256, 256)
    cases = [  # (scales in1, in2, out), (zero points), fused activation, in2 constant
        # equal power-of-two input scales, output scale twice theirs: the output rounding
        # halves an exact integer, a tie for every odd sum, negative ones included
        ((2**-5, 2**-5, 2**-4), (-128, 127, 0), "NONE", False),
        ((2**-5, 2**-5, 2**-4), (3, -7, -128), "RELU", False),  # ReLU at zp -128: full range
        ((0.02, 0.03, 0.04), (0, 0, -5), "RELU", False),  # lower clamp -5
        ((0.05, 0.07, 0.03), (10, -20, -100), "RELU6", True),  # clamp [-100, 100]
        ((0.01, 0.013, 0.02), (-1, 2, 1), "RELU_N1_TO_1", False),  # clamp [-49, 51]
        ((1e-3, 2.0, 1e-3), (5, -9, 3), "NONE", False),  # saturates both ways
        ((0.9, 0.002, 5.0), (127, -128, 127), "NONE", False),  # output shift -21
        ((1.0, 0.5, 3 * 2**-20), (0, 0, 0), "NONE", False),  # output multiplier 2/3
    ]
    tensors: list[T] = []
    ops: list[O] = []
    inputs: list[int] = []
    values: list[np.ndarray] = []
    for scales, zps, act, const in cases:
        tensors.append(T(shape, "int8", (scales[0], zps[0])))
        inputs.append(len(tensors) - 1)
        values.append(PAIR_A.reshape(shape))
        if const:
            tensors.append(T(shape, "int8", (scales[1], zps[1]), PAIR_B.reshape(shape)))
        else:
            tensors.append(T(shape, "int8", (scales[1], zps[1])))
            inputs.append(len(tensors) - 1)
            values.append(PAIR_B.reshape(shape))
        tensors.append(T(shape, "int8", (scales[2], zps[2])))
        n = len(tensors)
        ops.append(O("ADD", [n - 3, n - 2], [n - 1], {"fused_activation_function": act}))
    path = build_model(tmp_path / "pairs.tflite", tensors, ops, inputs,
                       [op.outputs[0] for op in ops])
    assert assert_bit_exact(path, values, tmp_path / "run_dsp", target=HOST_DSP) == len(ops)
    assert len(called(tmp_path / "run_dsp", "tp_add_s8_lut")) == len(cases) - 1
    assert len(called(tmp_path / "run_dsp", "tp_add_s8")) == 1
    assert assert_bit_exact(path, values, tmp_path / "run", target=HOST) == len(ops)
    assert len(called(tmp_path / "run", "tp_add_s8")) == len(cases)

    # the first case does put negative pre-rounding values on ties, where the kernel's sign
    # correction decides the result
    p = compile_model(path, HOST_DSP).layers[0].calls[0].params
    acc2 = (p["table1"].values[PAIR_A.astype(np.int64) + 128].astype(np.int64)
            + p["table2"].values[PAIR_B.astype(np.int64) + 128])
    h = (acc2 * p["output_multiplier"] + (1 << 31)) >> 32
    e = p["output_rshift"]
    assert np.count_nonzero((h < 0) & (h % (1 << e) == 1 << (e - 1))) > 1000


LUT_DRIVER = r"""
#include <stdio.h>
#include <string.h>

#include "tp_add.h"

/* stdin: records of int32 {size, output_multiplier, output_rshift, output_bias, act_min,
 * act_max, table1[256], table2[256]}. For each, tp_add_s8_lut over in1[i] = byte 1 and
 * in2[i] = byte 0 of i (every pair, then a tail), written to stdout; the same call in
 * place on in1 and on in2 must give the same bytes (exit status 1 otherwise). */
#define N_MAX (65536 + 8)

int main(void)
{
    static int8_t in1[N_MAX], in2[N_MAX], out[N_MAX], io[N_MAX];
    static int32_t rec[6 + 512];
    while (fread(rec, sizeof rec, 1, stdin) == 1) {
        const tp_add_lut_params p = {rec[0], rec + 6, rec + 6 + 256, rec[1], rec[2], rec[3],
                                     rec[4], rec[5]};
        const size_t n = (size_t)p.size;
        for (size_t i = 0; i < n; i++) {
            in1[i] = (int8_t)(uint8_t)(i >> 8);
            in2[i] = (int8_t)(uint8_t)i;
        }
        tp_add_s8_lut(&p, in1, in2, out);
        memcpy(io, in1, n);
        tp_add_s8_lut(&p, io, in2, io);
        if (memcmp(io, out, n) != 0) {
            return 1;
        }
        memcpy(io, in2, n);
        tp_add_s8_lut(&p, in1, io, io);
        if (memcmp(io, out, n) != 0) {
            return 1;
        }
        fwrite(out, 1, n, stdout);
    }
    return 0;
}
"""


def test_add_lut_kernel_random_quantization(tmp_path: Path) -> None:
    """The C kernel against TFLite's arithmetic (host_tools/sim/fixedpoint.py) on every
    (a, b) pair for random multipliers, output shifts -1 .. -23, zero points and clamps, the
    extremes of each, every tail length; in place on either input too."""
    rng = np.random.default_rng(5)
    cases = []
    for k in range(64):
        # TFLite: the input with the larger scale has multiplier exactly 1/2, the other <= 1/2
        m_small, sh_small = int(rng.integers(1 << 30, 1 << 31)), -int(rng.integers(1, 12))
        q1, q2 = ((1 << 30, 0), (m_small, sh_small))[::1 if k % 2 else -1]
        mo = [1 << 30, (1 << 31) - 1][k] if k < 2 else int(rng.integers(1 << 30, 1 << 31))
        e = [1, 23, 23, 2][k] if k < 4 else int(rng.integers(12, 24))
        zps = [int(z) for z in rng.integers(-128, 128, 3)]
        if k < 4:
            zps = [[-128, 127, -128], [127, -128, 127]][k % 2]
        lo, hi = sorted(int(v) for v in rng.integers(-128, 128, 2))
        if k % 3 == 0:
            lo, hi = -128, 127
        cases.append((q1, q2, mo, e, zps, lo, hi, 65536 + k % 8))

    records, expected = [], []
    for (m1, sh1), (m2, sh2), mo, e, (z1, z2, zo), lo, hi, size in cases:
        fields = lut_fields(rescaled_table(-z1, m1, sh1), rescaled_table(-z2, m2, sh2),
                            mo, -e, zo)
        assert fields is not None
        records.append(np.concatenate([
            [size, mo, e, fields["output_bias"], lo, hi],
            fields["table1"].values, fields["table2"].values]).astype(np.int32))
        i = np.arange(size)
        a = (i >> 8).astype(np.uint8).astype(np.int8).astype(np.int64)
        b = i.astype(np.uint8).astype(np.int8).astype(np.int64)
        raw = (fx.requantize((a - z1) << 20, m1, sh1) + fx.requantize((b - z2) << 20, m2, sh2))
        expected.append(np.clip(fx.requantize(raw, mo, -e) + zo, lo, hi).astype(np.int8))

    src = tmp_path / "add_lut_check.c"
    src.write_text(LUT_DRIVER)
    exe = tmp_path / "add_lut_check"
    subprocess.run(["gcc", *CFLAGS, "-I", str(KERNELS), str(src), str(KERNELS / "tp_add.c"),
                    "-o", str(exe)], check=True)
    run = subprocess.run([str(exe)], input=b"".join(r.tobytes() for r in records),
                         capture_output=True, check=True)
    got = np.frombuffer(run.stdout, dtype=np.int8)
    pos = 0
    for case, want in zip(cases, expected):
        assert np.array_equal(got[pos:pos + want.size], want), case
        pos += want.size
    assert pos == got.size


@pytest.mark.tf
def test_add_lut_selection_at_compile_time(tmp_path: Path) -> None:
    """DSP targets: same-shape ADDs of at least LUT_MIN_ELEMENTS get tp_add_s8_lut with
    both doubled tables in flash; broadcasts and smaller ADDs keep tp_add_s8, as does every
    ADD on a portable target. All bit-exact on the DSP target."""
    big, small = (1, 8, 8, 8), (1, 7, 8, 9)
    assert np.prod(big) == LUT_MIN_ELEMENTS and np.prod(small) < LUT_MIN_ELEMENTS
    shapes = [(big, big), ((8, 8, 8), big), (big, (8,)), ((1, 8, 1, 8), big), (small, small)]
    tensors: list[T] = []
    ops: list[O] = []
    for k, (sa, sb) in enumerate(shapes):
        tensors += [T(sa, "int8", (0.05, 3)), T(sb, "int8", (0.07, -4)),
                    T(big if k < 4 else small, "int8", (0.1, -2))]
        ops.append(O("ADD", [3 * k, 3 * k + 1], [3 * k + 2]))
    inputs = [i for k in range(len(shapes)) for i in (3 * k, 3 * k + 1)]
    path = build_model(tmp_path / "sel.tflite", tensors, ops, inputs,
                       [op.outputs[0] for op in ops])
    calls = [layer.calls for layer in compile_model(path, HOST_DSP).layers]
    assert [c.function for layer in calls for c in layer] == \
        ["tp_add_s8_lut", "tp_add_s8_lut", "tp_add_s8", "tp_add_s8", "tp_add_s8"]
    lut = calls[0][0].params
    assert lut["size"] == LUT_MIN_ELEMENTS and lut["output_rshift"] >= 1
    for key in ("table1", "table2"):
        assert lut[key].values.dtype == np.int32 and lut[key].values.shape == (256,)
    # input 2 has the larger scale: TFLite's multiplier 1/2, so (x + 4) * 2^19, doubled
    assert np.array_equal(lut["table2"].values, 2 * rescaled_table(4, 1 << 30, 0))
    assert {c.function for layer in compile_model(path, HOST).layers for c in layer.calls} == \
        {"tp_add_s8"}
    assert assert_bit_exact(path, None, tmp_path / "run", target=HOST_DSP) == len(ops)


def test_add_lut_fields_bounds() -> None:
    """The compile-time proof for tp_add_s8_lut, each bound at its edge: a right shift,
    |table1 + table2| < 2^30, and bias + SMMULR(2 * sum, multiplier) (minus 1 when
    negative) inside int32."""
    t = rescaled_table(0, 1 << 30, 0)  # x * 2^19
    ok = lut_fields(t, t, 1 << 30, -19, 5)
    assert ok is not None and ok["output_bias"] == (1 << 18) + 5 * (1 << 19)
    assert np.array_equal(ok["table1"].values, 2 * t) and ok["output_rshift"] == 19
    assert lut_fields(t, t, 1 << 30, 0, 0) is None  # no right shift
    assert lut_fields(t, t, 0, -19, 0) is None  # a zero multiplier (ratio below 2^-31)

    def const(v: int) -> np.ndarray:
        return np.full(256, v, dtype=np.int64)

    half = 1 << 29
    assert lut_fields(const(half), const(half - 1), 1 << 30, -1, 0) is not None  # 2^30 - 1
    assert lut_fields(const(half), const(half), 1 << 30, -1, 0) is None
    assert lut_fields(const(-half), const(1 - half), 1 << 30, -1, 0) is not None
    assert lut_fields(const(-half), const(-half), 1 << 30, -1, 0) is None
    # e = 24, multiplier 1/2: SMMULR(2 * sum) = round(sum / 2); bias = 2^23 + zp * 2^24
    assert lut_fields(const(0), const((1 << 24) - 2), 1 << 30, -24, 127) is not None
    assert lut_fields(const(0), const(1 << 24), 1 << 30, -24, 127) is None
    assert lut_fields(const(0), const(2 - (1 << 24)), 1 << 30, -24, -128) is not None
    assert lut_fields(const(0), const(-(1 << 24)), 1 << 30, -24, -128) is None
    assert lut_fields(const(0), const(0), 1 << 30, -31, 0) is not None  # bias 2^30
    assert lut_fields(const(0), const(0), 1 << 30, -31, 1) is None  # bias 2^30 + 2^31
