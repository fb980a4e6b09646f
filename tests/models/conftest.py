"""The models' fixtures: each locale's model (every model test runs on all of them), and the
manifest as `checkin package` builds it from models/skill.json."""

from __future__ import annotations

import pytest

from skill.dev.skill_package.build import build

from .rules import LOCALES, model as load_model

PUBLIC_URL = "https://checkin.example.org"


@pytest.fixture(scope="module", params=LOCALES)
def locale(request) -> str:
    """Every locale with a model: each model test runs on all of them."""
    return request.param


@pytest.fixture(scope="module")
def locale_model(locale) -> dict:
    """The locale's whole model file."""
    return load_model(locale)


@pytest.fixture(scope="module")
def language_model(locale_model) -> dict:
    return locale_model["interactionModel"]["languageModel"]


@pytest.fixture(scope="module")
def intents(language_model) -> dict[str, dict]:
    return {intent["name"]: intent for intent in language_model["intents"]}


@pytest.fixture(scope="module")
def types(language_model) -> dict[str, list[dict]]:
    return {t["name"]: t["values"] for t in language_model.get("types", [])}


@pytest.fixture(scope="module")
def package():
    return build(PUBLIC_URL)


@pytest.fixture(scope="module")
def manifest(package) -> dict:
    return package.skill["manifest"]
