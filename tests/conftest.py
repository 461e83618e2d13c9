"""Shared fixtures: firmware images of the fake model."""
from __future__ import annotations

from pathlib import Path

import pytest

from boards import load_board
from tests.support.firmware_build import FAKE_MODEL_DIR, build_firmware


@pytest.fixture(scope="session")
def fake_firmware(tmp_path_factory: pytest.TempPathFactory):
    """fake_firmware(board_name) -> image of the fake model, built once per board."""
    images: dict[str, Path] = {}

    def build(board_name: str) -> Path:
        if board_name not in images:
            out = tmp_path_factory.mktemp(f"fw-{board_name}")
            images[board_name] = build_firmware(load_board(board_name), FAKE_MODEL_DIR, out)
        return images[board_name]

    return build

