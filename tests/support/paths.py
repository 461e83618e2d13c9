"""Where things are, from the repository root: tests run from any working directory."""
from __future__ import annotations

from boards import REPO_ROOT

SHARED_MODELS_DIR = REPO_ROOT.parent / "shared" / "models"  # ../shared next to the checkout
OWN_MODELS_DIR = REPO_ROOT / "host_tools" / "data" / "models"
SHARED_MODELS = sorted(SHARED_MODELS_DIR.glob("*.tflite"))
OWN_MODELS = sorted(OWN_MODELS_DIR.glob("*.tflite"))

__all__ = ["REPO_ROOT", "SHARED_MODELS_DIR", "OWN_MODELS_DIR", "SHARED_MODELS", "OWN_MODELS"]
