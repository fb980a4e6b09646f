"""The phrasing corpus through the simulator's resolver: at least 95% of what couples actually
say lands on the right intent and slot ids, in every English locale, and every miss is listed."""

from __future__ import annotations

from collections import Counter

import pytest

from skill.dev.simulator.resolver import UtteranceResolver
from skill.dev.models import locales

from .phrasings import CONTEXTS, REQUIRED_SHARE, load, misses

ENGLISH = [locale for locale in locales() if locale.startswith("en-")]


@pytest.fixture(scope="module")
def corpus():
    return load()


def test_the_corpus_is_large_varied_and_well_formed(corpus):
    assert len(corpus) >= 300
    said = [p.said.lower() for p in corpus if p.context == "cold"]
    assert len(said) == len(set(said)), "each cold phrasing once"
    per_context = Counter(p.context for p in corpus)
    assert set(per_context) == set(CONTEXTS), "replies to the skill's own questions, each kind"
    assert sum(n for c, n in per_context.items() if c != "cold") >= 60
    one_shots = [p for p in corpus if p.said.lower().startswith(("ask our", "tell our"))]
    assert len(one_shots) >= 150
    intents = Counter(p.intent for p in corpus)
    for name in ("ChallengeIntent", "SafetyIntent", "ThemeQuestionIntent", "SkipTonightIntent",
                 "TipIntent", "FaqIntent", "AMAZON.FallbackIntent"):
        assert intents[name] >= 3, name


@pytest.mark.parametrize("locale", ENGLISH)
def test_at_least_95_percent_of_the_corpus_lands(corpus, locale):
    resolver = UtteranceResolver.for_locale(locale)
    missed = misses(resolver, corpus)
    share = 1 - len(missed) / len(corpus)
    report = "\n".join(missed)
    print(f"\n{locale}: {len(corpus) - len(missed)} of {len(corpus)} land ({share:.1%})\n{report}")
    assert share >= REQUIRED_SHARE, f"{len(missed)} misses:\n{report}"


def test_a_miss_is_found_and_named(corpus, tmp_path):
    """The check fails when the model stops knowing a phrasing: a corpus line with a wrong
    expectation is listed as a miss, with what it reached instead."""
    wrong = tmp_path / "phrasings.txt"
    wrong.write_text("[cold]\nwe fight all the time => TipIntent\n", encoding="utf-8")
    resolver = UtteranceResolver.for_locale("en-US")
    (miss,) = misses(resolver, load(wrong))
    assert "'we fight all the time' => TipIntent" in miss and "got ChallengeIntent" in miss
