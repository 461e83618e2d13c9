"""Shared fixtures (firmware images of the fake model) and the --nightly option."""
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



def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--nightly", action="store_true",
                     help="also run the heavy variants marked nightly (CI leaves them out)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without --nightly, tests marked nightly are deselected (and counted as such)."""
    if config.getoption("--nightly"):
        return
    heavy = [item for item in items if item.get_closest_marker("nightly")]
    if heavy:
        config.hook.pytest_deselected(items=heavy)
        items[:] = [item for item in items if not item.get_closest_marker("nightly")]
