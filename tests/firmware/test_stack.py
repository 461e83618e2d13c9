"""Stack high-water mark by painting, read over the protocol under QEMU, and how run /
bench / memreport use it for the whole image's RAM."""
from __future__ import annotations

import numpy as np
import pytest

from boards import load_board
from host_tools.target.connect import open_device
from host_tools.reference.golden import default_inputs
from host_tools.artifacts.stackuse import StackMeasure, image_ram, load_measure, save_measure
from tests.support.scons_build import ROOT, scons_build

MODEL = ROOT.parent / "shared/models/dscnn_kws_int8.tflite"


@pytest.mark.qemu
def test_painted_stack_high_water_rises_with_kernel_calls():
    elf, meta = scons_build("mps2-an500", MODEL)
    with open_device(load_board("mps2-an500"), elf) as dev:
        idle = dev.read_stack()  # boot + frame handling only
        x = default_inputs(meta["inputs"])[0]
        dev.write_input(0, np.ascontiguousarray(x).tobytes())
        dev.run()
        after = dev.read_stack()
    assert idle.reserved == 16 * 1024  # TP_STACK_BYTES of boards/mps2/mps2.ld
    assert 0 < idle.high_water < after.high_water < after.reserved, (idle, after)


def test_measure_is_kept_per_elf(tmp_path):
    elf = tmp_path / "firmware.elf"
    elf.write_bytes(b"image one")
    save_measure(elf, StackMeasure(1200, 16384))
    assert load_measure(elf) == StackMeasure(1200, 16384)
    assert image_ram(50_000 + 16384, 16384, load_measure(elf)) == 51_200
    elf.write_bytes(b"image two")  # rebuilt: the old figure no longer applies
    assert load_measure(elf) is None
    assert image_ram(66_384, 16384, None) == 66_384
    save_measure(elf, StackMeasure(0, 0))  # host board: nothing measured, nothing stored
    assert load_measure(elf) is None
