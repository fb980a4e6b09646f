"""Content lint: the spoken banks of every language that has ``tests/lint/<lang>.toml`` are read
the way a listener at bedtime hears them. Each language's settings name its own words; the rules
are the same for all. The base files are checked, and each locale override merged over them.

The exact rules:

- Words of a text: lower-cased; curly apostrophes made straight, then apostrophes dropped
  (``what's`` becomes ``whats``); every other character that is not a letter or digit becomes a
  space; the rest split on spaces. Every word list in the settings is normalised the same way; a
  multi-word entry matches those words in a row.
- Near-duplicates: for every two questions (any depth, any theme), A and B are their sets of words
  less the language's ``stop_words``; their similarity is the Jaccard index, the size of A and B's
  intersection over the size of their union. A pair fails at ``max_similarity`` (0.6) or above.
- Length: a question has at most ``max_words`` (25) words, counting the whitespace-separated
  pieces of the text as written.
- Opening: a question's first word is not one of ``yes_no_openers``.
- Ending: every question ends with a question mark.
- Heavy words: a question holding any of ``heavy_words`` sits in one of ``heavy_depths``.
- Assumptions: each group of ``[assumptions.<name>]`` appears only in its ``themes`` (every theme
  when the key is absent), and, when the group is ``hedged``, only in a question that also holds
  one of ``hedges`` (such as "if any").
- Validation: no phrase in ``phrases`` holds any word of ``[feeling_words]``, whose ids are the
  ids of ``[feelings]`` in the language's validation.toml; no line of ``phrases`` or of any
  ``[feelings]`` array holds one of ``yes_but_words`` (a phrase accepts, it never corrects).
- Quotation marks: no spoken line (questions, validation, tips) holds a double quotation mark,
  straight or curly: the ear cannot hear them, so no meaning may hang on them.
"""

from __future__ import annotations

import functools
import re
import tomllib
from itertools import combinations
from pathlib import Path

import pytest

from speech import ROOT as SPEECH, _merge

LINT = Path(__file__).resolve().parent / "lint"
LANGUAGES = sorted(p.stem for p in LINT.glob("*.toml"))
FILES = ("questions", "validation", "tips")


def words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return re.sub(r"[^\w]|_", " ", text).split()


def has_phrase(text_words: list[str], phrase: str) -> bool:
    return f" {' '.join(words(phrase))} " in f" {' '.join(text_words)} "


def settings(lang: str) -> dict:
    with open(LINT / f"{lang}.toml", "rb") as f:
        return tomllib.load(f)


def load(lang: str, locale: str | None = None) -> dict:
    """A language's content files, with a locale's override merged over them."""
    data = {}
    for name in FILES:
        with open(SPEECH / lang / f"{name}.toml", "rb") as f:
            data[name] = tomllib.load(f)
    if locale is not None:
        with open(SPEECH / f"{locale}.toml", "rb") as f:
            data = _merge(data, tomllib.load(f))
    return data


def overrides_content(locale: str) -> bool:
    with open(SPEECH / f"{locale}.toml", "rb") as f:
        return any(name in tomllib.load(f) for name in FILES)


def targets() -> list[tuple[str, str | None]]:
    """Each language's base content, and each locale that overrides some of it."""
    out = []
    for lang in LANGUAGES:
        out.append((lang, None))
        out += [(lang, p.stem) for p in sorted(SPEECH.glob(f"{lang}-*.toml")) if overrides_content(p.stem)]
    return out


def questions(data: dict) -> list[tuple[str, str, str]]:
    """(depth, theme, text) of every question."""
    return [(depth, theme, text) for depth, table in data["questions"].items()
            for theme, items in table.items() for text in items]


# -- the checks: each returns the violations it finds, one readable line each -------------------

def near_duplicates(items: list[tuple[str, str, str]], lint: dict) -> list[str]:
    stop = {" ".join(words(w)) for w in lint["stop_words"]}
    sets = [(text, {w for w in words(text) if w not in stop}) for _, _, text in items]
    found = []
    for (a, wa), (b, wb) in combinations(sets, 2):
        union = wa | wb
        score = len(wa & wb) / len(union) if union else 1.0
        if score >= lint["max_similarity"]:
            found.append(f"{score:.2f}: {a} | {b}")
    return found


def too_long(items, lint) -> list[str]:
    return [text for _, _, text in items if len(text.split()) > lint["max_words"]]


def yes_no_openings(items, lint) -> list[str]:
    openers = {" ".join(words(w)) for w in lint["yes_no_openers"]}
    return [text for _, _, text in items if words(text)[:1] and words(text)[0] in openers]


def not_questions(items, lint) -> list[str]:
    return [text for _, _, text in items if not text.rstrip().endswith("?")]


def heavy_in_light(items, lint) -> list[str]:
    return [f"{depth}: {text}" for depth, _, text in items if depth not in lint["heavy_depths"]
            and any(has_phrase(words(text), w) for w in lint["heavy_words"])]


def assumptions(items, lint) -> list[str]:
    found = []
    for depth, theme, text in items:
        ws = words(text)
        hedged = any(has_phrase(ws, h) for h in lint["hedges"])
        for name, group in lint["assumptions"].items():
            hits = [w for w in group["words"] if has_phrase(ws, w)]
            allowed = theme in group.get("themes", [theme]) and (hedged or not group.get("hedged"))
            if hits and not allowed:
                found.append(f"{name} {hits} in {depth}.{theme}: {text}")
    return found


def feeling_named(phrases: list[str], lint: dict) -> list[str]:
    return [f"{phrase} ({w})" for phrase in phrases for ws in [words(phrase)]
            for group in lint["feeling_words"].values() for w in group if has_phrase(ws, w)]


def yes_but(validation: dict, lint: dict) -> list[str]:
    lines = [*validation["phrases"], *(p for group in validation.get("feelings", {}).values() for p in group)]
    return [line for line in lines if any(has_phrase(words(line), w) for w in lint["yes_but_words"])]


QUOTES = re.compile("[\"\u201c\u201d\u201e]")


def quotation_marks(data: dict) -> list[str]:
    validation = data["validation"]
    lines = [text for _, _, text in questions(data)]
    lines += [*validation["phrases"], *validation["reflective"],
              *(p for group in validation.get("feelings", {}).values() for p in group)]
    lines += [tip for topic in data.get("tips", {}).values() for tip in topic["tips"]]
    return [line for line in lines if QUOTES.search(line)]


QUESTION_CHECKS = (near_duplicates, too_long, yes_no_openings, not_questions, heavy_in_light,
                   assumptions)


def lint_report(data: dict, lint: dict) -> dict[str, list[str]]:
    """Every check's violations for one language's content."""
    items = questions(data)
    report = {check.__name__: check(items, lint) for check in QUESTION_CHECKS}
    report["feeling_named"] = feeling_named(data["validation"]["phrases"], lint)
    report["yes_but"] = yes_but(data["validation"], lint)
    report["quotation_marks"] = quotation_marks(data)
    return report


# -- the tests ------------------------------------------------------------------------------------

@functools.cache
def checked(lang: str, locale: str | None) -> tuple[dict, dict, dict[str, list[str]]]:
    """(content, settings, report) of one target, worked out once for all the tests."""
    data, lint = load(lang, locale), settings(lang)
    return data, lint, lint_report(data, lint)


@pytest.fixture(params=targets(), ids=lambda t: t[1] or t[0])
def target(request):
    return checked(*request.param)


@pytest.mark.parametrize("check", [c.__name__ for c in QUESTION_CHECKS] + ["feeling_named", "yes_but",
                                                                       "quotation_marks"])
def test_content_lint(target, check):
    _, _, report = target
    assert report[check] == []


def test_feeling_words_cover_the_feeling_ids(target):
    data, lint, _ = target
    assert set(lint["feeling_words"]) == set(data["validation"]["feelings"])


def test_there_is_a_lint_for_english():
    assert "en" in LANGUAGES


BAD = {
    "questions": {
        "light": {
            "today": ["Did you have a good day?", "What was the best thing you ate today?",
                      "What was the very best thing you ate today?", "What scared you today?",
                      "What do your kids love", " ".join(["word"] * 26) + "?",
                      "What does \u201chome\u201d mean to the two of you?"],
            "romance": ["What does your wife love about mornings?"],
        },
    },
    "validation": {"phrases": ["That sounds scary.", "I'm glad you told me."], "reflective": [],
                   "feelings": {"sad": ["I hear you, but it could be worse."]}},
}


def test_the_lint_catches_what_it_names():
    """Each check finds its own planted fault, and only that one, so a broken check fails here."""
    report = lint_report(BAD, settings("en"))
    assert len(report["near_duplicates"]) == 1
    assert report["too_long"] == [BAD["questions"]["light"]["today"][-2]]
    assert report["yes_no_openings"] == ["Did you have a good day?"]
    assert report["not_questions"] == ["What do your kids love"]
    assert report["heavy_in_light"] == ["light: What scared you today?"]
    assert [line.split(" [")[0] for line in report["assumptions"]] == ["children", "marriage"]
    assert report["feeling_named"] == ["That sounds scary. (scary)"]
    assert report["yes_but"] == ["I hear you, but it could be worse."]
    assert report["quotation_marks"] == [BAD["questions"]["light"]["today"][-1]]
