"""What the skill says, per language with locale overrides, loaded once and looked up by key.

Files: ``speech/<lang>/*.toml`` hold a language's content; ``speech/<locale>.toml`` overrides any
of its keys for one locale (same layout, file name as the top-level table).
"""

from __future__ import annotations

import re
import tomllib
import zlib
from importlib import import_module
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .ssml import MAX_SPEECH_CHARS, Speech, SpeechTooLong, plain  # noqa: F401

ROOT = Path(__file__).resolve().parent
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
SUPPORTED_LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
DEFAULT_LOCALE = "en-US"
DEPTH_NAMES = {"L": "light", "M": "medium", "D": "deep"}
THEMES = ("today", "memories", "dreams", "gratitude", "feelings", "us", "values", "play", "romance",
          "family")
FEELINGS = ("stressed", "sad", "worried", "angry", "hurt", "lonely", "scared", "tired", "proud", "happy")
FILES = ("prompts", "questions", "validation", "tips", "challenges", "faq")
EXTRA_PROMPT_FILES = ("reminders",)  # more prompts, kept beside the area that speaks them


@dataclass(frozen=True)
class Question:
    text: str
    depth: str  # L | M | D
    theme: str


@dataclass(frozen=True)
class Tip:
    topic: str
    name: str
    tips: tuple[str, ...]


@dataclass(frozen=True)
class Challenge:
    id: str
    name: str
    shows: str
    focus: str
    skill: str
    tip_topic: str


@dataclass(frozen=True)
class Faq:
    id: str
    question: str
    answer: str


def words_of(locale: str | None):
    """The words module of a locale's language (speech/<lang>/words.py), else the default's."""
    for lang in ((locale or "").split("-")[0], DEFAULT_LOCALE.split("-")[0]):
        try:
            return import_module(f"{__name__}.{lang}.words")
        except ImportError:
            continue
    raise ImportError("no words module for the default language")


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class LocaleContent:
    """One locale's content; built once per process. `words` is the language's words module
    (speech/<lang>/words.py): numbers, times, weekdays, plurals."""

    def __init__(self, locale: str, data: dict):
        self.locale = locale
        self._data = data
        self.words = words_of(locale)

    # -- prompts ------------------------------------------------------------------------------

    def variants(self, key: str) -> list[str]:
        value = self._data["prompts"][key]
        return [value] if isinstance(value, str) else list(value)

    def text(self, key: str, seed: int | str | None = None, **values) -> str:
        """One variant of a prompt, chosen by `seed` (so it rotates by night), filled in."""
        options = self.variants(key)
        if seed is None or len(options) == 1:
            choice = options[0]
        else:
            choice = options[zlib.crc32(f"{key}:{seed}".encode()) % len(options)]
        if not values:
            return choice
        # a value that ends a sentence itself ("nine p.m.") before the template's full stop
        return _DOUBLE_STOP.sub(".", choice.format(**values))

    def apology_response(self) -> dict:
        """A complete response envelope for the web layer's last line of defence."""
        ssml = Speech().say(self.text("apology")).ssml()
        return {"version": "1.0", "response": {
            "outputSpeech": {"type": "SSML", "ssml": ssml}, "shouldEndSession": True}}

    def has(self, key: str) -> bool:
        return key in self._data["prompts"]

    # -- banks -------------------------------------------------------------------------------

    @cached_property
    def questions(self) -> dict[str, tuple[Question, ...]]:
        banks = {}
        for depth, name in DEPTH_NAMES.items():
            table = self._data["questions"][name]
            banks[depth] = tuple(
                Question(text, depth, theme) for theme in THEMES for text in table.get(theme, ())
            )
        return banks

    @cached_property
    def validation(self) -> tuple[str, ...]:
        return tuple(self._data["validation"]["phrases"])

    @cached_property
    def reflective(self) -> tuple[str, ...]:
        return tuple(self._data["validation"]["reflective"])

    @cached_property
    def feelings(self) -> dict[str, tuple[str, ...]]:
        """Validation phrases for one named feeling, by feeling id (FEELINGS)."""
        return {f: tuple(self._data["validation"]["feelings"][f]) for f in FEELINGS}

    @cached_property
    def tips(self) -> dict[str, Tip]:
        return {
            topic: Tip(topic, body["name"], tuple(body["tips"]))
            for topic, body in self._data["tips"].items()
        }

    @cached_property
    def challenges(self) -> dict[str, Challenge]:
        return {cid: Challenge(cid, **body) for cid, body in self._data["challenges"].items()}

    @cached_property
    def faq(self) -> dict[str, Faq]:
        return {fid: Faq(fid, **body) for fid, body in self._data["faq"].items()}


class Content:
    """All locales' content, loaded from the files once."""

    def __init__(self, root: Path = ROOT):
        self.root = root
        self._locales: dict[str, LocaleContent] = {}
        for locale in SUPPORTED_LOCALES:
            self._locales[locale] = LocaleContent(locale, self._load(locale))

    def _load(self, locale: str) -> dict:
        lang = locale.split("-")[0]
        data: dict = {}
        for name in FILES:
            path = self.root / lang / f"{name}.toml"
            with open(path, "rb") as f:
                data[name] = tomllib.load(f)
        for name in EXTRA_PROMPT_FILES:
            path = self.root / lang / f"{name}.toml"
            if path.exists():
                with open(path, "rb") as f:
                    data["prompts"] = {**data["prompts"], **tomllib.load(f)}
        override = self.root / f"{locale}.toml"
        if override.exists():
            with open(override, "rb") as f:
                data = _merge(data, tomllib.load(f))
        return data

    def locales(self) -> tuple[str, ...]:
        return tuple(self._locales)

    def for_locale(self, locale: str | None) -> LocaleContent:
        if locale in self._locales:
            return self._locales[locale]
        lang = (locale or "").split("-")[0]
        for name, content in self._locales.items():
            if name.split("-")[0] == lang:
                return content
        return self._locales[DEFAULT_LOCALE]
