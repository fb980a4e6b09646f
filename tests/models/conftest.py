"""The models' fixtures: each locale's language model (every model test runs on all of them)
and the manifest."""

from __future__ import annotations

import pytest

from .rules import LOCALES, load


@pytest.fixture(scope="module", params=LOCALES)
def language_model(request) -> dict:
    """Every locale's model: each model test runs on all of them."""
    return load(f"{request.param}.json")["interactionModel"]["languageModel"]


@pytest.fixture(scope="module")
def intents(language_model) -> dict[str, dict]:
    return {intent["name"]: intent for intent in language_model["intents"]}


@pytest.fixture(scope="module")
def types(language_model) -> dict[str, list[dict]]:
    return {t["name"]: t["values"] for t in language_model.get("types", [])}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load("skill.json")["manifest"]
