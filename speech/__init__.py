"""What the skill says, per language with locale overrides, loaded once and looked up by key.

Files: ``speech/<lang>/*.toml`` hold a language's content; ``speech/<locale>.toml`` overrides any
of its keys for one locale (same layout, file name as the top-level table). A list is replaced
whole, or changed item by item with ``replace = [[old, new], ...]`` (see ``_merge``).

Which locales are spoken is read off the files, so nobody edits a list: a locale is spoken when
it has an interaction model (``models/<locale>.json``) and its language has every content file
(``LANGUAGE_FILES``) and its words module. ``SUPPORTED_LOCALES`` is that list: the default locale
first, then each language's source locale (the one ``models/overrides/`` does not generate), then
the rest. A request in a locale that is not spoken hears its language's source locale, else the
default.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from importlib import import_module
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .ssml import MAX_SPEECH_CHARS, Speech, SpeechTooLong, is_own_ssml, plain  # noqa: F401

ROOT = Path(__file__).resolve().parent
MODELS_DIR = ROOT.parent / "models"  # the interaction models: which locales exist
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
DEFAULT_LOCALE = "en-US"
DEPTH_NAMES = {"L": "light", "M": "medium", "D": "deep"}
THEMES = ("today", "memories", "dreams", "gratitude", "feelings", "us", "values", "play",
          "romance", "family")
PARTNER_THEMES = frozenset({"romance"})  # skipped for households set up as friends or family
AUDIENCES = ("partners", "friends", "family")  # "" in storage means partners
FEELINGS = ("stressed", "sad", "worried", "angry", "hurt", "lonely", "scared", "tired", "proud",
            "happy")
FILES = ("prompts", "questions", "validation", "tips", "challenges", "faq")
EXTRA_PROMPT_FILES = ("reminders",)  # more prompts, kept beside the area that speaks them
# `audience.toml` (optional): per-audience overrides of prompts, tables [friends] and [family]
SAFETY_FILE = "safety"  # words that mean someone may not be safe (not spoken)
AUDIENCE_FILE = "audience"
# Every file a language needs before its locales are spoken (speech/<lang>/<name>.toml).
LANGUAGE_FILES = (*FILES, *EXTRA_PROMPT_FILES, AUDIENCE_FILE, SAFETY_FILE)
_NOT_A_WORD = re.compile(r"[^\w ]+|_")


def missing_files(lang: str, root: Path = ROOT) -> list[str]:
    """What a language still lacks before its locales are spoken, as paths under speech/."""
    out = [f"{lang}/{name}.toml" for name in LANGUAGE_FILES if not (root / lang / f"{name}.toml").is_file()]
    if not (root / lang / "words.py").is_file():
        out.append(f"{lang}/words.py")
    return out


def supported_locales(root: Path = ROOT, models: Path = MODELS_DIR) -> tuple[str, ...]:
    """Every locale with a model whose language has all its content, the default first, then
    each language's source locale, then the others. Without a models folder (an installed
    package without the repository), the locales named by speech/<locale>.toml and the default."""
    if models.is_dir():
        have = {p.stem for p in models.glob("*.json") if p.stem != "skill"}
        generated = {p.stem for p in (models / "overrides").glob("*.json")}
    else:
        have = {p.stem for p in root.glob("*-*.toml")} | {DEFAULT_LOCALE}
        generated = set()
    spoken = [locale for locale in have if not missing_files(locale.split("-")[0], root)]

    def order(locale: str) -> tuple:
        return (locale != DEFAULT_LOCALE, locale.split("-")[0] != DEFAULT_LOCALE.split("-")[0],
                locale.split("-")[0], locale in generated, locale)

    return tuple(sorted(spoken, key=order))


SUPPORTED_LOCALES = supported_locales()


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


def _folded(text: str) -> str:
    """Heard words as the safety check compares them: Unicode NFC, lower case with accents kept
    ("schlägt", "pégame"), no apostrophes, one space."""
    text = unicodedata.normalize("NFC", text).lower().replace("\u2019", "'").replace("'", "")
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


def words_of(locale: str | None):
    """The words module of a locale's language (speech/<lang>/words.py), else the default's."""
    for lang in ((locale or "").split("-")[0], DEFAULT_LOCALE.split("-")[0]):
        try:
            return import_module(f"{__name__}.{lang}.words")
        except ImportError:
            continue
    raise ImportError("no words module for the default language")


def _merge(base: dict, override: dict, where: str = "") -> dict:
    """`override` over `base`: tables merge key by key, any other value replaces the base's. A
    list of the base can instead be changed item by item, with a table holding only
    ``replace = [[old, new], ...]``: each old item (which must be in the base list) becomes the
    new one, in place, so a locale states only the sentences it says differently."""
    merged = dict(base)
    for key, value in override.items():
        path = f"{where}.{key}" if where else key
        if isinstance(value, dict) and isinstance(merged.get(key), list) and set(value) == {REPLACE}:
            merged[key] = _replace_items(merged[key], value[REPLACE], path)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value, path)
        else:
            merged[key] = value
    return merged


REPLACE = "replace"  # speech/<locale>.toml: a list of the base changed item by item


def _replace_items(items: list, pairs, where: str) -> list:
    out = list(items)
    if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in pairs):
        raise ValueError(f"{where}.{REPLACE}: a list of [old, new] pairs of strings")
    for old, new in pairs:
        if old not in out:
            raise ValueError(f"{where}.{REPLACE}: {old!r} is not in the base list (was it "
                             "reworded there? then reword the override too)")
        out[out.index(old)] = new
    return out


class LocaleContent:
    """One locale's content; built once per process. `words` is the language's words module
    (speech/<lang>/words.py): numbers, times, weekdays, plurals."""

    def __init__(self, locale: str, data: dict):
        self.locale = locale
        self._data = data
        self.words = words_of(locale)

    # -- prompts ------------------------------------------------------------------------------

    def variants(self, key: str, audience: str = "") -> list[str]:
        """A prompt's variants; a household set up as friends or family hears its own where the
        prompt would assume romance."""
        value = self._data.get("audience", {}).get(audience, {}).get(key)
        if value is None:
            value = self._data["prompts"][key]
        return [value] if isinstance(value, str) else list(value)

    def text(self, key: str, pick: Callable[[int], int] | None = None, audience: str = "",
             **values) -> str:
        """One variant of a prompt, filled in: `pick` maps the number of variants to the one to
        say (the caller's rotation); without it, the first."""
        options = self.variants(key, audience)
        choice = options[pick(len(options)) if pick is not None and len(options) > 1 else 0]
        if not values:
            return choice
        # a value that ends a sentence itself ("nine p.m.") before the template's full stop
        text = _DOUBLE_STOP.sub(".", choice.format(**values))
        # a language whose words change beside a filled-in value (French "de 1 soir" is said
        # "d'un soir") has `elide` in its words module; the others have nothing to do
        elide = getattr(self.words, "elide", None)
        return elide(text) if elide else text

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
        """Every question, by depth (the partners' banks)."""
        return self.questions_for("partners")

    def questions_for(self, audience: str) -> dict[str, tuple[Question, ...]]:
        """The banks a household hears: partner-only themes are skipped for friends and family."""
        return self._banks[audience if audience in AUDIENCES[1:] else "partners"]

    @cached_property
    def _banks(self) -> dict[str, dict[str, tuple[Question, ...]]]:
        out = {}
        for audience in AUDIENCES:
            themes = THEMES if audience == "partners" else tuple(
                t for t in THEMES if t not in PARTNER_THEMES)
            out[audience] = {
                depth: tuple(Question(text, depth, theme) for theme in themes
                             for text in self._data["questions"][name].get(theme, ()))
                for depth, name in DEPTH_NAMES.items()}
        return out

    def bank_sizes(self) -> tuple[int, ...]:
        """Light, medium and deep bank sizes for partners, then for everyone else."""
        return tuple(len(self.questions_for(a)[d]) for a in ("partners", "friends")
                     for d in DEPTH_NAMES)

    def theme_bank(self, depth: str, theme: str) -> tuple[Question, ...]:
        """The questions of one theme at one depth, in bank order."""
        return self._themes.get((depth, theme), ())

    @cached_property
    def _themes(self) -> dict[tuple[str, str], tuple[Question, ...]]:
        out: dict[tuple[str, str], list[Question]] = {}
        for depth, bank in self.questions.items():
            for q in bank:
                out.setdefault((depth, q.theme), []).append(q)
        return {key: tuple(items) for key, items in out.items()}

    # -- listening for safety ----------------------------------------------------------------

    @cached_property
    def _unsafe(self) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
        words = self._data.get(SAFETY_FILE, {})
        return (tuple(f" {_folded(w)} " for w in words.get("contains", ())),
                frozenset(_folded(w) for w in words.get("whole", ())),
                tuple(f" {_folded(w)} " for w in words.get("harmless", ())))

    def sounds_unsafe(self, heard: str | None) -> bool:
        """Do these heard words say that someone may not be safe at home? A `harmless` phrase
        is taken out first: French "peur de lui" is in "j'ai peur de lui dire ce que je
        ressens", where "lui" is "to him / to her" before a verb of speech."""
        if not heard:
            return False
        text = _folded(heard)
        contains, whole, harmless = self._unsafe
        if text in whole:
            return True
        padded = f" {text} "
        for phrase in harmless:
            padded = padded.replace(phrase, " ")
        return any(phrase in padded for phrase in contains)

    @cached_property
    def validation(self) -> tuple[str, ...]:
        return tuple(self._data["validation"]["phrases"])

    @cached_property
    def reflective(self) -> tuple[str, ...]:
        return tuple(self._data["validation"]["reflective"])

    @cached_property
    def feelings(self) -> dict[str, tuple[str, ...]]:
        """Phrases for one named feeling ("something to say when they're stressed")."""
        table = self._data["validation"].get("feelings", {})
        return {name: tuple(table[name]) for name in FEELINGS if table.get(name)}

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
    """All spoken locales' content, loaded from the files once (`locales`: which; by default
    every locale the files make spoken, ``supported_locales``)."""

    def __init__(self, root: Path = ROOT, locales: tuple[str, ...] | None = None):
        self.root = root
        self._locales: dict[str, LocaleContent] = {}
        for locale in locales if locales is not None else supported_locales(root):
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
        audience = self.root / lang / f"{AUDIENCE_FILE}.toml"
        if audience.exists():
            with open(audience, "rb") as f:
                data["audience"] = tomllib.load(f)
        safety = self.root / lang / f"{SAFETY_FILE}.toml"
        if safety.exists():
            with open(safety, "rb") as f:
                data[SAFETY_FILE] = tomllib.load(f)
        override = self.root / f"{locale}.toml"
        if override.exists():
            with open(override, "rb") as f:
                data = _merge(data, tomllib.load(f))
        return data

    def locales(self) -> tuple[str, ...]:
        return tuple(self._locales)

    def for_locale(self, locale: str | None) -> LocaleContent:
        """The locale's own content; else its language's source locale; else the default."""
        if locale in self._locales:
            return self._locales[locale]
        lang = (locale or "").split("-")[0]
        for name, content in self._locales.items():
            if name.split("-")[0] == lang:
                return content
        return self._locales[DEFAULT_LOCALE]
