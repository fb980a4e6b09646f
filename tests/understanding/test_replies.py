"""The corpus's replies to the skill's own questions, said in their context through the skill:
each context is set up by what a couple would say first, and after an open question nothing is
ever met with "I didn't catch that"."""

from __future__ import annotations

import pytest

from .phrasings import load

SET_UP = {  # context -> what is said first, and how the skill's question ends
    "offer_tip": ("tell our check in we keep arguing", "Would you like a tip on active listening?"),
    "lighter_or_deeper": ("ask our check in to make it purple", "something deeper?"),
    "which_theme": ("ask our check in for a question about money", "Which would you like?"),
    "faq_menu": ("ask our check in i have a question", "What would you like to know?"),
    "offer_question": ("ask our check in for help", "Would you like tonight's question?"),
    "forget_confirm": ("ask our check in to forget us", "Should I forget you?"),
}
OPEN_QUESTIONS = {"lighter_or_deeper", "which_theme", "faq_menu"}
REPLIES = [p for p in load() if p.context in SET_UP]


@pytest.mark.parametrize("context", sorted(SET_UP))
def test_each_context_is_set_up_as_described(simulator, context):
    first, question = SET_UP[context]
    turn = simulator().say(first)
    assert turn.listening and turn.speech.endswith(question), turn.speech


@pytest.mark.parametrize("p", REPLIES, ids=[f"{p.context}: {p.said}" for p in REPLIES])
def test_a_reply_in_its_context(simulator, p):
    sim = simulator()
    sim.say(SET_UP[p.context][0])
    turn = sim.say(p.said)
    assert turn.speech or not turn.listening
    if p.context in OPEN_QUESTIONS:
        assert "catch that" not in turn.speech, turn.speech
    if p.intent in ("QuestionDepthIntent", "ThemeQuestionIntent") and p.intent in turn.heard:
        assert "(0.8s pause)" in turn.speech, "a question, delivered slowly"
    if p.intent == "FaqIntent" and p.intent in turn.heard:
        assert not turn.listening, "the answer itself"
