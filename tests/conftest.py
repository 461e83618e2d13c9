"""Shared fixtures: firmware images of the fake model."""
from __future__ import annotations

from pathlib import Path

import pytest

from boards import load_board
from tests.support.firmware_build import FAKE_MODEL_DIR, build_firmware
from tests.support.paths import REPO_ROOT


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


@pytest.fixture(scope="session")
def mobilenet_v1_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MobileNetV1 0.25 @96 (tests/support/keras_models.py): the copy under build/models if
    one was generated, else built once for the session, so a clean checkout tests it too."""
    built = REPO_ROOT / "build" / "models" / "mobilenet_v1_025_96.tflite"
    if built.is_file():
        return built
    from tests.support.keras_models import mobilenet_v1
    return mobilenet_v1(tmp_path_factory.mktemp("mobilenet_v1"))
