"""Developer tooling: the offline simulator, the benchmark, the Alexa API stand-in, the test CA
and request envelopes, the model generator. Never imported by the service, ``intents`` or
``speech`` (``tests/test_layout.py`` checks)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = PROJECT_ROOT / "models"  # the interaction models and the manifest
