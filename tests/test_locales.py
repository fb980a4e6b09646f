"""Which locales are spoken, read off the files: a locale is spoken when it has a model and its
language has every content file; nobody edits a list. Each spoken locale hears its own content;
a locale that is not spoken hears its language's source locale, else the default. The safety
check hears accented words as written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import speech
from skill.dev.models import locales as model_locales
from speech import LANGUAGE_FILES, Content, missing_files, supported_locales

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.fixture
def tree(tmp_path):
    """A copy of speech/ and the models' names, with a German model and half a German language:
    everything but the files the wave-2 engineers write."""
    root = tmp_path / "speech"
    shutil.copytree(speech.ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    models = tmp_path / "models"
    (models / "overrides").mkdir(parents=True)
    for path in MODELS.glob("*.json"):
        (models / path.name).write_text("{}")
    for path in (MODELS / "overrides").glob("*.json"):
        (models / "overrides" / path.name).write_text("{}")
    (models / "de-DE.json").write_text("{}")
    (models / "de-AT.json").write_text("{}")
    (models / "overrides" / "de-AT.json").write_text("{}")
    for name in LANGUAGE_FILES:
        if not (root / "de" / f"{name}.toml").exists():
            shutil.copy(root / "en" / f"{name}.toml", root / "de" / f"{name}.toml")
    (root / "de" / "prompts.toml").unlink()
    return root, models


def test_the_supported_locales_are_read_off_the_files():
    assert speech.SUPPORTED_LOCALES == supported_locales()
    assert speech.SUPPORTED_LOCALES[0] == speech.DEFAULT_LOCALE
    assert set(speech.SUPPORTED_LOCALES) <= set(model_locales())
    for locale in model_locales():
        complete = not missing_files(locale.split("-")[0])
        assert (locale in speech.SUPPORTED_LOCALES) == complete, locale


def test_a_language_is_spoken_once_every_file_is_there(tree):
    root, models = tree
    assert missing_files("de", root) == ["de/prompts.toml"]
    assert not {"de-DE", "de-AT"} & set(supported_locales(root, models))
    english = Content(root, supported_locales(root, models))
    assert english.for_locale("de-DE").locale == "en-US", "not spoken: the default answers"
    shutil.copy(root / "en" / "prompts.toml", root / "de" / "prompts.toml")
    spoken = supported_locales(root, models)
    assert spoken[0] == "en-US"
    assert spoken.index("de-DE") < spoken.index("de-AT"), "the source before what it generates"
    assert spoken[:5] == ("en-US", "en-AU", "en-CA", "en-GB", "en-IN")


def test_each_locale_hears_its_own_content(tree):
    root, models = tree
    prompts = (root / "en" / "prompts.toml").read_text(encoding="utf-8")
    (root / "de" / "prompts.toml").write_text(
        prompts.replace('welcome_first = "Welcome to Our Check-In."',
                        'welcome_first = "Willkommen bei eurem Abend."'), encoding="utf-8")
    (root / "de-AT.toml").write_text('[prompts]\nwelcome_first = "Servus."\n', encoding="utf-8")
    content = Content(root, supported_locales(root, models))
    assert content.for_locale("de-DE").text("welcome_first") == "Willkommen bei eurem Abend."
    assert content.for_locale("de-AT").text("welcome_first") == "Servus."
    assert content.for_locale("de-CH").text("welcome_first") == "Willkommen bei eurem Abend.", \
        "a locale without content hears its language's source"
    assert content.for_locale("en-GB").text("welcome_first") == "Welcome to Our Check-In."
    assert content.for_locale("de-DE").words.__name__ == "speech.de.words"
    assert content.for_locale("xx-XX").locale == "en-US"


def test_without_a_models_folder_the_locale_files_decide(tree, tmp_path):
    root, _ = tree
    shutil.copy(root / "en" / "prompts.toml", root / "de" / "prompts.toml")
    (root / "de-DE.toml").write_text("", encoding="utf-8")
    for lang in ("es", "fr"):  # languages whose locale files exist, made incomplete
        (root / lang / "prompts.toml").unlink(missing_ok=True)
    spoken = supported_locales(root, tmp_path / "no-models")
    assert spoken[0] == "en-US" and "de-DE" in spoken and "en-GB" in spoken
    assert not any(locale.startswith(("es-", "fr-")) for locale in spoken), "incomplete languages"


@pytest.mark.parametrize("heard, unsafe", [
    ("Er schlägt mich", True), ("er SCHLÄGT mich", True), ("er schlagt mich", False),
    ("Mi pareja me pégame", True), ("pegame", False), ("Il me frappe", True),
    ("págame lo que me debes", False),  # "pay me", not "hit me": the accent is the difference
])
def test_the_safety_check_hears_accented_words(heard, unsafe):
    from speech import LocaleContent

    c = LocaleContent("en-US", {"safety": {"contains": ["schlägt mich", "pégame", "me frappe"]}})
    assert c.sounds_unsafe(heard) is unsafe
