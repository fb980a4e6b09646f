"""What German needs beyond the checks every language shares: the sentences built from a template
and a piece (the tip offer, a tip's intro) read as German a native speaker would say, and a
challenge answer reads whole whatever the time budget leaves out."""

from __future__ import annotations

import pytest

from speech import Content, LocaleContent
from tests.speaking import said

# Every tip topic's offer, as it is meant to be heard after a challenge answer. A topic's name
# carries its own preposition and nothing follows it in any template, so no verb is doubled
# ("... Bedürfnisse aussprechen geben?") and no noun is missing its article.
OFFERS = {
    "ACTIVE_LISTENING": "Möchtet ihr einen Tipp zum aktiven Zuhören?",
    "I_STATEMENTS": "Möchtet ihr einen Tipp zu Ich-Botschaften?",
    "NONVERBAL_CUES": "Möchtet ihr einen Tipp zu Körpersprache und Tonfall?",
    "OPEN_QUESTIONS": "Möchtet ihr einen Tipp zu offenen Fragen?",
    "VALIDATING_FEELINGS": "Möchtet ihr einen Tipp dazu, wie ihr Gefühle anerkennt?",
    "REFLECTIVE_LISTENING": "Möchtet ihr einen Tipp zum spiegelnden Zuhören mit Mitgefühl?",
    "VULNERABILITY": "Möchtet ihr einen Tipp dazu, wie ihr euch Schritt für Schritt öffnet?",
    "SAYING_NEEDS": "Möchtet ihr einen Tipp dazu, wie ihr sagt, was ihr braucht?",
    "LOVE_LANGUAGES": "Möchtet ihr einen Tipp zu den Sprachen der Liebe?",
    "SPREADING_SUPPORT":
        "Möchtet ihr einen Tipp dazu, wie ihr Unterstützung von mehreren Seiten bekommt?",
    "PAST_HURTS": "Möchtet ihr einen Tipp zu alten Verletzungen?",
    "PROFESSIONAL_HELP": "Möchtet ihr einen Tipp zu professioneller Hilfe?",
    "REBUILDING_TRUST": "Möchtet ihr einen Tipp dazu, wie Vertrauen wieder wächst?",
    "SCHEDULING_TIME": "Möchtet ihr einen Tipp zu fester Zeit füreinander?",
    "BEING_PRESENT": "Möchtet ihr einen Tipp dazu, wie ihr ganz füreinander da seid?",
    "SMALL_RITUALS": "Möchtet ihr einen Tipp zu kleinen Ritualen?",
    "ATTACHMENT_STYLES": "Möchtet ihr einen Tipp zu Bindungsstilen?",
    "JOURNALING": "Möchtet ihr einen Tipp zum Tagebuchschreiben und zur Selbstwahrnehmung?",
    "MINDFULNESS": "Möchtet ihr einen Tipp zur Achtsamkeit?",
    "QUALITY_TIME": "Möchtet ihr einen Tipp für gemeinsame Zeit?",
    "ADMITTING_MISTAKES": "Möchtet ihr einen Tipp dazu, wie ihr Fehler eingesteht?",
    "DISAGREEMENTS": "Möchtet ihr einen Tipp zum Umgang mit Meinungsverschiedenheiten?",
}
PREPOSITIONS = ("zum ", "zur ", "zu ", "für ", "dazu, wie ")


@pytest.fixture(scope="module")
def german() -> LocaleContent:
    return LocaleContent("de-DE", Content()._load("de-DE"))


def test_every_tip_topic_has_its_offer_listed(german):
    assert set(OFFERS) == set(german.tips)


@pytest.mark.parametrize("topic", sorted(OFFERS))
def test_each_tip_offer_reads_as_designed(german, topic):
    name = german.tips[topic].name
    assert name.startswith(PREPOSITIONS), name
    assert said(german, "offer_tip", topic=name) == [OFFERS[topic]]
    reprompt = said(german, "offer_tip_reprompt", topic=name)
    assert all(r.startswith(OFFERS[topic]) for r in reprompt), reprompt
    for intro in said(german, "tip_intro", topic=name):
        assert intro.lower().endswith(f"ein tipp {name}.".lower()), intro
        assert intro.count(" Tipp ") == 1


@pytest.mark.parametrize("key", ["offer_tip", "offer_tip_reprompt", "tip_intro"])
def test_nothing_follows_the_topic_name_but_the_end_of_the_sentence(german, key):
    """A name like "dazu, wie ihr sagt, was ihr braucht" ends on its verb: a template that
    went on after it ("... geben?") would put two verbs side by side."""
    for variant in german.variants(key, ""):
        after = variant.split("{topic}", 1)[1]
        assert after[:1] in (".", "?"), variant


CHALLENGE_SAFETY = {"TALKING_PAST_EACH_OTHER", "OLD_HURTS", "TRUST"}


@pytest.mark.parametrize("challenge_id", sorted(
    ["HARD_TO_OPEN_UP", "TALKING_PAST_EACH_OTHER", "HOPES_AND_REALITY", "OLD_HURTS",
     "NO_TIME_TOGETHER", "CLOSENESS_AND_SPACE", "DRIFTING_APART", "TRUST"]))
def test_a_challenge_answer_reads_whole_when_the_budget_drops_parts(german, challenge_id):
    """Whatever fit() leaves out, what is said reads whole: the name, the safety line where it
    belongs, and what to try; no kept part leans on one that may be dropped ("Auch ...")."""
    from intents.guidance import SAFETY_CHALLENGES, challenge_answer

    assert SAFETY_CHALLENGES == CHALLENGE_SAFETY
    parts, kept = challenge_answer(german.text, german, german.challenges[challenge_id])
    assert {"intro", "focus"} <= kept, kept
    assert ("safety" in kept) == (challenge_id in CHALLENGE_SAFETY)
    for name, text in parts.items():
        if name != "intro" and text:
            assert not text.startswith(("Auch ", "Dabei ", "Außerdem ")), text
            assert " dabei " not in f" {text} ", text
