"""Every phrasing quoted in issue 12, as written, reaches a fitting answer through the simulator
(a conversation where the issue describes one)."""

from __future__ import annotations

import pytest

# (what is said, in order; what the last answer must contain; what it must not)
QUOTED = [
    (["tell our check in we have a problem", "we feel disconnected"],
     ["you've drifted a little apart"], ["catch that", "tonight's question"]),
    (["tell our check in we have a problem", "we don't trust each other"],
     ["trust feels hard right now"], ["catch that", "tonight's question"]),
    (["Can we skip tonight"], ["Of course."], ["catch that"]),
    (["They let me down"], ["a gap between what you hoped for and what happened"],
     ["unrealistic", "expectations"]),
    (["I feel let down"], ["a gap between what you hoped for and what happened"],
     ["unrealistic", "expectations"]),
    (["How do I listen better"], ["tip on active listening"], ["catch that"]),
    (["what is a check in"], ["A check-in is a few quiet minutes"], ["catch that"]),
    (["A question about the future"], ["Here's", "the future", "(0.8s pause)"],
     ["physical intimacy"]),
    (["a question about intimacy"], ["romance", "(0.8s pause)"], ["physical intimacy"]),
    (["We fight all the time"], ["talking past each other", "seven nine nine, seven two three three", "Take turns"],
     ["catch that"]),
    (["I don't feel safe"], ["You deserve to be safe.", "Domestic Violence Hotline"],
     ["open up", "tip"]),
    (["I'm scared of my partner"], ["You deserve to be safe.", "Domestic Violence Hotline"],
     ["open up", "tip"]),
]


@pytest.mark.parametrize("said, heard, not_heard", QUOTED, ids=[q[0][-1] for q in QUOTED])
def test_each_quoted_phrasing_reaches_a_fitting_answer(simulator, said, heard, not_heard):
    sim = simulator()
    for words in said:
        turn = sim.say(words)
    assert "FallbackIntent" not in turn.heard, turn.heard
    for text in heard:
        assert text in turn.speech, (text, turn.speech)
    for text in not_heard:
        assert text.lower() not in turn.speech.lower(), (text, turn.speech)
