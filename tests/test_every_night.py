"""Every night fresh, well paced and right for the hour, walked through the simulator as a couple
would: no tip, phrase, greeting, intro or closing repeats too soon, the question is the last thing
said, depth follows the nights met recently, the hour decides the words, rest nights are
explained, and friends and family never hear a line meant for couples."""

from __future__ import annotations

import html
import re

import pytest


from .conftest import spoken_text

TIP = "ask our check in for a tip on active listening"
PHRASE = "ask our check in for a validation phrase"


@pytest.fixture
def sim(simulator):
    return simulator


def which(items, text: str) -> str:
    """The one item of a bank that `text` says."""
    found = [item for item in items if item in text]
    found = [f for f in found if not any(f != g and f in g for g in found)]  # the longest
    assert len(found) == 1, (found, text)
    return found[0]


def assert_fresh(said: list[str], bank_size: int, what: str) -> None:
    """No item again within the bank's size, and never twice in a row."""
    for start in range(len(said)):
        window = said[start:start + bank_size]
        assert len(set(window)) == len(window), f"{what} repeats within {bank_size}: {window}"


def launch_nights(s, nights: int, at: str) -> None:
    """Start the check-in on `nights` evenings in a row, at `at`, from tonight on."""
    for night in range(nights):
        if night:
            s.advance(days=1, to=at)
        s.say("start our check in")


def prompt_variants(content, key: str) -> list[str]:
    return content.for_locale("en-US").variants(key)


def test_sixty_nights_of_tips_phrases_greetings_and_closings_stay_fresh(sim, content):
    s = sim()
    en = content.for_locale("en-US")
    tips = en.tips["ACTIVE_LISTENING"].tips
    said: dict[str, list[str]] = {k: [] for k in (
        "tip", "phrase", "coaching", "greeting", "intro", "thanks", "reflection", "goodnight")}
    for night in range(60):
        launch = s.say("start our check in").speech
        greetings = prompt_variants(content, "welcome_back")
        if night and any(g in launch for g in greetings):  # kept when the night has room
            said["greeting"].append(which(greetings, launch))
        question = html.unescape(re.split(r"\(0\.8s pause\) ", launch)[-1].split(" (")[0])
        assert launch.rstrip(" )").rsplit("(", 1)[0].strip().endswith(question), \
            "the question is the last thing said"
        for _ in range(2):
            said["tip"].append(which(tips, s.say(TIP).speech))
            phrase = s.say(PHRASE).speech
            said["phrase"].append(which(en.validation, phrase))
            said["coaching"].append(which(en.reflective, phrase))
        done = s.say("tell our check in we're done").speech
        said["thanks"].append(which(prompt_variants(content, "done_thanks"), done))
        said["reflection"].append(which(prompt_variants(content, "done_reflection"), done))
        said["goodnight"].append(which(prompt_variants(content, "goodnight"), done))
        s.advance(days=1, to="21:30")
    assert_fresh(said["tip"], len(tips), "a tip")
    assert_fresh(said["phrase"], len(en.validation), "a validation phrase")
    assert_fresh(said["coaching"], len(en.reflective), "a coaching line")
    for key, bank in (("greeting", "welcome_back"), ("thanks", "done_thanks"),
                      ("reflection", "done_reflection"), ("goodnight", "goodnight")):
        assert_fresh(said[key], len(prompt_variants(content, bank)), key)
    # the closing as a whole: thanks and reflection do not come back as the same pair within
    # forty nights (with banks of five each, a play-test heard every fifth night the same)
    closings = list(zip(said["thanks"], said["reflection"]))
    for start in range(0, 21):
        window = closings[start:start + 40]
        assert len(set(window)) == len(window), window


def test_two_we_are_done_on_one_night_say_different_closings(sim):
    s = sim()
    s.say("start our check in")
    first = s.say("tell our check in we're done").speech
    second = s.say("tell our check in we're done").speech
    assert first != second


def test_twenty_nights_in_thirty_bring_deep_questions_without_a_long_streak(sim, content):
    s = sim()
    deep = {q.text for q in content.for_locale("en-US").questions["D"]}
    heard_deep = False
    for day in range(40):
        if day % 7 in (5, 6) or day % 3 == 2:  # every weekend and every third night missed
            s.advance(days=1, to="21:30")
            continue
        launch = s.say("start our check in").speech
        if day >= 30 and any(html.unescape(q) in launch for q in deep) or \
                any(q in launch for q in deep):
            heard_deep = heard_deep or day >= 20
        s.advance(days=1, to="21:30")
    streak = s.say("what's our streak").speech
    assert re.search(r"longest streak is (\d) nights", streak), streak  # never a 22-night run
    assert heard_deep, "deep questions arrive with a habit, not only after a perfect run"


def test_deep_nights_are_introduced_gently_and_leave_silence(sim):
    s = sim()
    for _ in range(13):
        turn = s.say("start our check in")
        s.advance(days=1, to="21:30")
    seen = []
    for _ in range(3):
        turn = s.say("start our check in")
        seen.append(turn)
        s.advance(days=1, to="21:30")
    deep = [t for t in seen if "lighter" in t.speech.lower()]
    assert deep, "one night in three is deep once the habit is there"
    ssml = deep[0].raw["response"]["outputSpeech"]["ssml"]
    assert ssml.endswith('<break time="2500ms"/></speak>'), "silence after a deep question"


def test_a_morning_question_is_a_preview_that_counts_nothing(sim):
    s = sim(at="2026-12-01T08:00")
    morning = s.say("start our check in").speech
    assert "sneak peek" in morning and "this evening" in morning
    assert "Good night" not in morning
    streak = s.say("what's our streak").speech
    assert "haven't started a streak" in streak, "the morning did not count the night"
    s.set_time("2026-12-01T21:00")
    evening = s.say("start our check in").speech
    question = html.unescape(morning.split("(0.8s pause) ")[-1].split(" (")[0])
    assert question in html.unescape(evening), "the evening brings the question previewed"
    assert "1 night" in s.say("what's our streak").speech


def test_closings_follow_the_hour(sim, content):
    day_words = prompt_variants(content, "goodbye_day")
    night_words = prompt_variants(content, "goodnight")
    s = sim(at="2026-12-01T10:00")
    stop = s.say("start our check in") and s.say("stop").speech
    assert not any(w in stop for w in night_words) and any(w in stop for w in day_words)
    s.set_time("2026-12-01T22:00")
    s.say("start our check in")
    assert any(w in s.say("stop").speech for w in night_words)
    assert not any(w in s.say("what's our streak").speech for w in night_words), \
        "no good night before the couple has said they're done"


def test_a_week_with_a_rest_night_says_so(sim):
    s = sim()
    for day in range(8):
        if day != 3:
            text = s.say("start our check in").speech
        s.advance(days=1, to="21:30")
    assert "Seven nights, with one rest night" in text
    assert "rest night" in s.say("what's our streak").speech


def test_a_reset_after_one_missed_night_explains_the_rest_night_was_used(sim):
    s = sim()
    for day in (0, 2, 3, 4, 6):  # Tue, Thu (rest on Wed), Fri, Sat, Mon (Sun missed)
        s.set_time(f"2026-12-0{day + 1}T21:30")
        text = s.say("start our check in").speech
    assert "rest night was already used on Wednesday" in text
    assert "fresh streak" in text


@pytest.mark.parametrize("audience", ["friends", "family"])
def test_friends_and_family_never_hear_a_line_meant_for_couples(sim, content, audience):
    s = sim()
    confirm = s.say(f"ask our check in to set us up as {audience}").speech
    assert audience in confirm
    romance = {q.text for q in content.for_locale("en-US").questions["L"] +
               content.for_locale("en-US").questions["M"] + content.for_locale("en-US").questions["D"]
               if q.theme == "romance"}
    heard = []
    for _ in range(45):
        heard.append(s.say("start our check in").speech)
        heard.append(s.say("ask our check in for another question").speech)
        s.advance(days=1, to="21:30")
    heard.append(s.say("ask our check in a question").speech)
    everything = html.unescape(" ".join(heard))
    assert not any(q in everything for q in romance)
    assert not re.search(r"\b(partner|partners|romance|romantic|couple)\b", everything, re.I)


def test_partners_do_hear_romance_questions(sim, content):
    s = sim()
    romance = {q.text for d in "LMD" for q in content.for_locale("en-US").questions[d]
               if q.theme == "romance"}
    heard = []
    for _ in range(60):
        heard.append(s.say("start our check in").speech)
        s.advance(days=1, to="21:30")
    assert any(q in html.unescape(" ".join(heard)) for q in romance)


def test_every_answer_fits_its_time(content):
    """The shared check (conftest.speech_seconds) measures words and pauses; a quick proof that
    it counts what it should."""
    from .conftest import speech_seconds

    assert speech_seconds('<speak>one two three four five <break time="1000ms"/></speak>') == 3.0
    assert spoken_text("<speak>a <break time='1s'/> b</speak>") == "a b"


def test_help_after_tonights_question_offers_a_tip_not_the_question_again(sim, content):
    s = sim()
    before = s.say("help")
    assert before.speech.endswith("Would you like tonight's question?") and before.listening
    s.say("no")
    s.say("start our check in")
    after = s.say("help")
    assert "we're done" in after.speech and after.speech.endswith("a tip on listening?")
    tip = s.say("yes").speech
    assert any(t in tip for t in content.for_locale("en-US").tips["ACTIVE_LISTENING"].tips)


def test_the_last_thirty_nights_do_not_count_tonight_missed_before_its_evening(sim):
    """Thirty-five nights in a row, then the streak asked at 3:59 a.m. (still last night) and
    at 4:01 (tonight, not yet met): the same thirty nights, up to last night."""
    s = sim()
    launch_nights(s, 35, "21:30")
    s.advance(days=1, to="03:59")
    before = s.say("what's our streak").speech
    s.advance(days=0, to="04:01")
    after = s.say("what's our streak").speech
    assert "That's 30 of the last 30 nights." in before, before
    assert "That's 30 of the last 30 nights." in after, after


def test_the_rest_night_is_named_whatever_else_the_night_must_say(sim, make_app):
    """Eleven nights, one missed, then a launch: the rest night's reassurance is said, deep
    night or long question or not (it had been dropped with the count when time ran short)."""
    app = make_app()
    for household in range(12):
        s = sim(app=app, user=f"rest-{household}", at="2026-12-01T21:00")
        launch_nights(s, 11, "21:00")
        s.advance(days=2, to="21:00")
        speech = s.say("start our check in").speech
        assert "your rest night kept your streak going" in speech, (household, speech)


def test_another_question_with_none_yet_tonight_is_not_called_another(sim, content):
    s = sim()
    first = s.say("ask our check in for another one").speech
    assert not any(v in first for v in prompt_variants(content, "another_intro")), first
    again = s.say("ask our check in for another one").speech
    assert any(v in again for v in prompt_variants(content, "another_intro")), again


def test_a_deep_question_previewed_in_the_morning_still_says_lighter_is_fine(sim, content):
    s = sim()
    deep = {html.unescape(q.text) for q in content.for_locale("en-US").questions["D"]}
    gentle = prompt_variants(content, "deep_intro")
    previews = 0
    for night in range(40):
        if night:
            s.advance(days=1, to="08:00")
        morning = html.unescape(s.say("start our check in").speech)
        if any(q in morning for q in deep):
            previews += 1
            assert any(g in morning for g in gentle), morning
        s.advance(days=0, to="21:30")
        s.say("start our check in")
    assert previews, "a deep question came as a morning preview"
