"""Fixtures of the sweep tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT


@pytest.fixture(scope="session")
def mobilenet_v1_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MobileNetV1 0.25 @96 (tests/support/keras_models.py): the copy under build/models if
    one was generated, else built once for the session, so a clean checkout tests it too."""
    built = REPO_ROOT / "build" / "models" / "mobilenet_v1_025_96.tflite"
    if built.is_file():
        return built
    from tests.support.keras_models import mobilenet_v1
    return mobilenet_v1(tmp_path_factory.mktemp("mobilenet_v1"))
