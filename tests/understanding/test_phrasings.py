"""The phrasing corpora through the simulator's resolver: each language's corpus
(tests/data/phrasings-<lang>.txt) is large, varied and well formed, and at least 95% of what
couples actually say lands on the right intent and slot ids, in every locale of that language;
every miss is listed."""

from __future__ import annotations

from collections import Counter

import pytest

from skill.dev.models import locales, sources
from skill.dev.simulator.resolver import UtteranceResolver

from .phrasings import CONTEXTS, LAUNCH, REQUIRED_SHARE, corpus_path, corpus_languages, load, misses

LOCALES = locales()
MODEL_LANGUAGES = sorted({locale.split("-")[0] for locale in LOCALES})
# What every corpus holds at least (issue 17: 150 real phrasings per language, launch and
# one-shot phrasing included); English, the first and largest, is held to more below.
LEAST_LINES = 150
LEAST_REPLIES = 30  # lines said in answer to the skill's own questions, not from cold
LEAST_ONE_SHOTS = 40  # "ask our check in ...", "frage ...", "pide a ...", "demande à ..."
LEAST_LAUNCHES = 3
KEY_INTENTS = ("ChallengeIntent", "SafetyIntent", "ThemeQuestionIntent", "SkipTonightIntent",
               "TipIntent", "FaqIntent", "AMAZON.FallbackIntent")


def test_every_language_with_a_model_has_a_corpus():
    assert set(MODEL_LANGUAGES) <= set(corpus_languages())


@pytest.mark.parametrize("lang", corpus_languages())
def test_each_corpus_is_large_varied_and_well_formed(lang):
    corpus = load(corpus_path(lang))
    assert len(corpus) >= LEAST_LINES
    said = [p.said.lower() for p in corpus if p.context == "cold"]
    assert len(said) == len(set(said)), "each cold phrasing once"
    per_context = Counter(p.context for p in corpus)
    assert set(per_context) == set(CONTEXTS), "replies to the skill's own questions, each kind"
    assert sum(n for c, n in per_context.items() if c != "cold") >= LEAST_REPLIES
    resolver = UtteranceResolver.for_locale(sources()[lang])
    heard = [resolver.resolve(p.said) for p in corpus if p.context == "cold"]
    assert sum(r.one_shot and r.kind == "intent" for r in heard) >= LEAST_ONE_SHOTS, \
        "one-shots in the language's own phrasing"
    assert sum(p.intent == LAUNCH for p in corpus) >= LEAST_LAUNCHES
    intents = Counter(p.intent for p in corpus)
    for name in KEY_INTENTS:
        assert intents[name] >= 3, name


def test_the_english_corpus_is_larger_still():
    corpus = load(corpus_path("en"))
    assert len(corpus) >= 300
    assert sum(n for c, n in Counter(p.context for p in corpus).items() if c != "cold") >= 60
    one_shots = [p for p in corpus if p.said.lower().startswith(("ask our", "tell our"))]
    assert len(one_shots) >= 150


@pytest.mark.parametrize("locale", [locale for locale in LOCALES
                                    if locale.split("-")[0] in corpus_languages()])
def test_at_least_95_percent_of_the_corpus_lands(locale):
    corpus = load(corpus_path(locale.split("-")[0]), locale)
    resolver = UtteranceResolver.for_locale(locale)
    missed = misses(resolver, corpus)
    share = 1 - len(missed) / len(corpus)
    report = "\n".join(missed)
    print(f"\n{locale}: {len(corpus) - len(missed)} of {len(corpus)} land ({share:.1%})\n{report}")
    assert share >= REQUIRED_SHARE, f"{len(missed)} misses:\n{report}"


def test_a_line_of_one_locale_counts_only_there(tmp_path):
    """Words of one locale ("@fr-CA": Quebec's "on se chicane") are held to that locale's figure
    and left out of the others'."""
    path = tmp_path / "phrasings-fr.txt"
    path.write_text("[cold]\non se dispute => ChallengeIntent\n"
                    "on se chicane => ChallengeIntent challenge=TALKING_PAST_EACH_OTHER @fr-CA\n",
                    encoding="utf-8")
    assert [p.said for p in load(path, "fr-FR")] == ["on se dispute"]
    quebec = load(path, "fr-CA")
    assert [p.said for p in quebec] == ["on se dispute", "on se chicane"]
    assert quebec[1].slots == (("challenge", "TALKING_PAST_EACH_OTHER"),) and len(load(path)) == 2


def test_a_miss_is_found_and_named(tmp_path):
    """The check fails when the model stops knowing a phrasing: a corpus line with a wrong
    expectation is listed as a miss, with what it reached instead."""
    wrong = tmp_path / "phrasings-en.txt"
    wrong.write_text("[cold]\nwe fight all the time => TipIntent\n", encoding="utf-8")
    resolver = UtteranceResolver.for_locale("en-US")
    (miss,) = misses(resolver, load(wrong))
    assert "'we fight all the time' => TipIntent" in miss and "got ChallengeIntent" in miss
