"""Each language's invocation-name and example-phrase rules: ``lang/<lang>.toml``, read once.

Amazon's rules are the same kinds in every language (the invocation name is written in the
language of its locale, and may not hold that language's launch words, connecting words, wake
words, "skill" or "app"; a two-word name holds no article or preposition), but the words are the
language's own. A file holds them, each list with its source in a comment beside it:

``[name]`` what an invocation name may not hold:
    ``launch_words``       Alexa's launch phrases in the language ("ask", "öffne", "abre")
    ``connecting_words``   the words Alexa puts between a name and a request ("to", "nach")
    ``wake_words``         "alexa", "amazon", "echo", "computer"
    ``other_words``        "skill", "app" and the language's words for them
    ``two_word_excludes``  articles and prepositions a two-word name may not hold
    ``one_word_compounds`` true where Amazon takes a one-word name that is a compound (German)
``[phrases]`` the example phrases: "Alexa, <launch> <name>" and "Alexa, <one_shot> <name>
    [<connecting>] <a sample>":
    ``launch``, ``one_shot``, ``connecting`` (an entry ending in an apostrophe is glued to the
    next word: French "qu'")
``[samples]``:
    ``builtin_phrases``    ours: phrasings of the built-in intents that no custom sample may take
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
_KEYS = {
    "name": ("launch_words", "connecting_words", "wake_words", "other_words", "two_word_excludes",
             "one_word_compounds"),
    "phrases": ("launch", "one_shot", "connecting"),
    "samples": ("builtin_phrases",),
}


class RulesError(ValueError):
    """A language's rules file is missing or malformed."""


@dataclass(frozen=True)
class Rules:
    """One language's ``lang/<lang>.toml``."""

    code: str
    forbidden: frozenset[str]  # every word of [name] but the two-word excludes
    two_word_excludes: frozenset[str]
    one_word_compounds: bool
    launch: tuple[str, ...]
    one_shot: tuple[str, ...]
    connecting: tuple[str, ...]
    builtin_phrases: frozenset[str]


def languages() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.toml"))


def _norm(word: str) -> str:
    return " ".join(unicodedata.normalize("NFC", word).lower().split())


@lru_cache(maxsize=None)
def rules(code: str) -> Rules:
    """The rules of one language; RulesError names the file when it is missing or malformed."""
    where = f"skill/dev/skill_package/lang/{code}.toml"
    path = HERE / f"{code}.toml"
    if not path.is_file():
        raise RulesError(f"no rules for language {code!r}: add {where} (its launch, connecting "
                         f"and wake words; known: {', '.join(languages())})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise RulesError(f"{where}: {e}") from None
    lists: dict[str, tuple[str, ...]] = {}
    for table, keys in _KEYS.items():
        given = data.get(table, {})
        if unknown := sorted(set(given) - set(keys)):
            raise RulesError(f"{where}: [{table}] has unknown keys {unknown}")
        for key in keys:
            value = given.get(key, False if key == "one_word_compounds" else [])
            if key == "one_word_compounds":
                if not isinstance(value, bool):
                    raise RulesError(f"{where}: [name] one_word_compounds is true or false")
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise RulesError(f"{where}: [{table}] {key} is a list of words")
            lists[key] = tuple(_norm(v) for v in value)
    if unknown := sorted(set(data) - set(_KEYS)):
        raise RulesError(f"{where}: unknown tables {unknown}")
    if not lists["launch"] or not lists["one_shot"] or not lists["wake_words"]:
        raise RulesError(f"{where}: [phrases] launch and one_shot, and [name] wake_words, are required")
    name = data.get("name", {})
    return Rules(
        code=code,
        forbidden=frozenset(lists["launch_words"] + lists["connecting_words"] + lists["wake_words"]
                            + lists["other_words"]),
        two_word_excludes=frozenset(lists["two_word_excludes"]),
        one_word_compounds=bool(name.get("one_word_compounds", False)),
        launch=lists["launch"], one_shot=lists["one_shot"], connecting=lists["connecting"],
        builtin_phrases=frozenset(lists["builtin_phrases"]),
    )
