"""``checkin models``: one source model per language, the regional locales generated from it.

``models/<locale>.json`` of a source locale (en-US for English) is written by hand. Every other
locale of that language is generated: the source, with the changes in
``models/overrides/<locale>.json``, where a locale really differs::

    {
      "source": "en-US",
      "why": "British spellings and phrasings",
      "replaceWords": {"favorite": "favourite"},      # whole words, in samples and slot values
      "addSamples": {"DoneIntent": ["we're finished now"]},
      "addSynonyms": {"TipTopicType": {"QUALITY_TIME": ["a day out together"]}}
    }

``checkin models`` writes the generated files; ``checkin models --check`` lists the stale ones
and exits with 1 (the test suite runs the same check).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

from skill.errors import CommandError

from . import MODELS_DIR

OVERRIDES_DIR = MODELS_DIR / "overrides"
MANIFEST = "skill.json"


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CommandError(f"cannot read {path}: {e}") from None


def dumps(model: dict) -> str:
    """How every model file is written: two-space indents, UTF-8, a final newline."""
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def overrides(models_dir: Path = MODELS_DIR) -> dict[str, dict]:
    """The generated locales and their overrides, by locale."""
    folder = models_dir / "overrides"
    return {p.stem: _read(p) for p in sorted(folder.glob("*.json"))}


def locales(models_dir: Path = MODELS_DIR) -> list[str]:
    """Every locale with a model: the sources and the generated ones."""
    return sorted(p.stem for p in models_dir.glob("*.json") if p.name != MANIFEST)


def sources(models_dir: Path = MODELS_DIR) -> dict[str, str]:
    """Each language's source locale, by language: the locale of it no override generates."""
    generated = set(overrides(models_dir))
    out: dict[str, str] = {}
    for locale in locales(models_dir):
        if locale not in generated:
            out.setdefault(locale.split("-")[0], locale)
    return out


def _replace_words(text: str, words: dict[str, str]) -> str:
    for old, new in words.items():
        text = re.sub(rf"(?<![\w']){re.escape(old)}(?![\w'])", new, text)
    return text


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def generate(source: dict, override: dict, locale: str) -> dict:
    """The model of `locale`: `source` with `override` applied."""
    model = copy.deepcopy(source)
    language = model["interactionModel"]["languageModel"]
    words = override.get("replaceWords", {})
    intents = {intent["name"]: intent for intent in language["intents"]}
    for intent in intents.values():
        if "samples" in intent:
            intent["samples"] = _unique([_replace_words(s, words) for s in intent["samples"]])
    for name, samples in override.get("addSamples", {}).items():
        if name not in intents:
            raise CommandError(f"overrides/{locale}.json adds samples to unknown intent {name}")
        intents[name]["samples"] = _unique(intents[name].get("samples", []) + samples)
    types = {t["name"]: t for t in language.get("types", [])}
    for slot_type in types.values():
        for value in slot_type["values"]:
            name = value["name"]
            name["value"] = _replace_words(name["value"], words)
            if "synonyms" in name:
                name["synonyms"] = _unique([_replace_words(s, words) for s in name["synonyms"]])
    for type_name, by_id in override.get("addSynonyms", {}).items():
        values = {v["id"]: v for v in types.get(type_name, {}).get("values", [])}
        for value_id, synonyms in by_id.items():
            if value_id not in values:
                raise CommandError(f"overrides/{locale}.json adds synonyms to unknown value "
                                   f"{type_name}.{value_id}")
            name = values[value_id]["name"]
            name["synonyms"] = _unique(name.get("synonyms", []) + synonyms)
    return model


def expected_files(models_dir: Path = MODELS_DIR) -> dict[Path, str]:
    """Each generated model file and the text it must have."""
    out = {}
    for locale, override in overrides(models_dir).items():
        source_locale = override.get("source")
        source_path = models_dir / f"{source_locale}.json"
        if not source_locale or not source_path.is_file():
            raise CommandError(f"overrides/{locale}.json names no source model ({source_locale!r})")
        out[models_dir / f"{locale}.json"] = dumps(generate(_read(source_path), override, locale))
    return out


def stale(models_dir: Path = MODELS_DIR) -> list[Path]:
    """Generated files whose committed text differs from what the sources give."""
    return [path for path, text in expected_files(models_dir).items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def models_command(args: argparse.Namespace) -> int:
    if args.check:
        out_of_date = stale()
        for path in out_of_date:
            print(f"stale: {path.relative_to(MODELS_DIR.parent)} (run: checkin models)",
                  file=sys.stderr)
        return 1 if out_of_date else 0
    for path, text in expected_files().items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(MODELS_DIR.parent)}")
    return 0


def add_command(subparsers) -> None:
    p = subparsers.add_parser(
        "models", help="generate the regional interaction models from each language's source")
    p.add_argument("--check", action="store_true",
                   help="only list generated models that are out of date (exit 1 if any)")
    p.set_defaults(func=models_command)
