"""Memory report: per-layer rows, peak line, PNG chart; fit message suggests patch=auto."""
from __future__ import annotations

from dataclasses import replace

import pytest

from boards import Board, MemoryRegion, load_board
from codegen.compile import compile_model
from codegen.errors import CompileError
from codegen.fit import FIRMWARE_RAM_BYTES, check_fits
from codegen.memoptions import MemoryOptions
from codegen.memreport import format_report, memory_report, plot_report
from tests.support.harness import HOST
from tests.support.paths import SHARED_MODELS_DIR

MODEL = SHARED_MODELS_DIR / "resnet8_cifar10_int8.tflite"


def test_report_lines_and_chart(tmp_path):
    model = compile_model(MODEL, HOST, MemoryOptions())
    report = memory_report(model)
    assert len(report.layers) == len(model.layers)
    assert report.peak_bytes == model.plan.lower_bound <= model.plan.arena_bytes
    text = format_report(report, image_ram=123456).splitlines()
    assert text[-1] == f"peak SRAM: 123456 B (arena {model.plan.arena_bytes} B)"
    assert sum("<- peak" in ln for ln in text) >= 1
    png = tmp_path / "memory.png"
    plot_report(report, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _board(ram: int) -> Board:
    """An mps2 board cut down to `ram` bytes of RAM."""
    return replace(load_board("mps2-an500"), name="tiny",
                   memory={"ram": MemoryRegion("ram", 0x20000000, ram),
                           "flash": MemoryRegion("flash", 0, 1 << 20)})


def test_fit_message_names_bytes_over_and_suggests_patch():
    board = _board(40_000 + FIRMWARE_RAM_BYTES)
    with pytest.raises(CompileError, match=r"10000 B over\. Build with patch=auto"):
        check_fits(board, 50_000, 1000, lambda: 30_000)
    with pytest.raises(CompileError, match=r"10000 B over\. Use a smaller model"):
        check_fits(board, 50_000, 1000, lambda: 45_000)
    check_fits(board, 40_000, 1000, lambda: 1 / 0)  # fits: patch=auto is not even tried
