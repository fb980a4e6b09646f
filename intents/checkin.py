"""The ritual: a greeting, a few words of guidance, then tonight's question, slowly, as the last
thing said; Alexa steps back. "We're done" closes the night. Before 3 p.m. local, a question is a
preview that counts nothing."""

from __future__ import annotations

from collections.abc import Callable

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from skill import rules
from skill.storage import CheckinResult, Status
from speech import LocaleContent, Question, Speech
from speech.ssml import seconds

from .common import (
    ANSWER_SECONDS,
    FIRST_NIGHT_SECONDS,
    ask,
    closing,
    content,
    fallback_question,
    finish,
    finish_key,
    fit,
    person_id,
    question_at,
    say,
    turn,
)
from .display import show_question
from .streak import checkin_news, current_streak

FULL_GUIDANCE_NIGHTS = 3  # nights that hear how to close the night; the first hears the rule too
SHORT_GUIDANCE_NIGHTS = 7  # then a short "I'll step back" until the end of the first week
PAUSE_BEFORE_MS = 800
PAUSE_AFTER_MS = 1200
DEEP_PAUSE_AFTER_MS = 2500  # time to let a deep question land

# Another way to choose the question (a theme, intents/themes.py): (content, household or device,
# depth, night, audience, the household's draw in the depth's walk or None) -> the question; and
# its intro, from the question chosen.
Chooser = Callable[[LocaleContent, str, str, int, str, int | None], Question]
Intro = Callable[[Question], str]


def deliver(handler_input: HandlerInput, mode: str, intro_key: str | None = None, *,
            choose: Chooser | None = None, intro: Intro | None = None) -> Response:
    """Speak tonight's question (or another, or one of a depth) as the last thing said, and step
    back. Tonight's night is recorded, except in the daytime, when it is only a preview."""
    t = turn(handler_input)
    status = None if t.zone_known() else t.status()  # the device's zone decides "daytime"
    if t.is_daytime() and not t.storage_failed:
        return preview(handler_input, mode, status or t.status(), choose)
    c = content(handler_input)
    result = t.checkin(mode, c.bank_sizes())
    speech = _hello(handler_input)
    if result is None:
        who, night = t.household or t.device, t.night()
        question = (choose(c, who, "L", night, t.audience, None) if choose
                    else fallback_question(c, who, night))
        speech.say(say(handler_input, "greeting_unsaved"))
        _ask_question(speech, question)
    else:
        question = (choose(c, t.household, result.depth, result.night, t.audience,
                           result.question_position) if choose
                    else question_at(c, t.household, result.depth, result.question_position,
                                     t.audience))
        speech.say(_lead(handler_input, result, mode, intro_key, question,
                         intro(question) if intro else None))
        _ask_question(speech, question)
    show_question(handler_input, question.text, result.streak if result else None)
    return finish(handler_input, speech)


def _hello(handler_input: HandlerInput) -> Speech:
    speech = Speech()
    pid = person_id(handler_input)
    if pid:
        speech.say(say(handler_input, "hello_name_before")).name(pid)
        speech.say(say(handler_input, "hello_name_after"))
    return speech


def _ask_question(speech: Speech, question: Question) -> None:
    """The question, slowly, last; a deep one gets a longer silence to land in."""
    after = DEEP_PAUSE_AFTER_MS if question.depth == "D" else PAUSE_AFTER_MS
    speech.slowly(question.text, before_ms=PAUSE_BEFORE_MS, after_ms=after)


def _lead(handler_input: HandlerInput, result: CheckinResult, mode: str,
          intro_key: str | None, question: Question, intro_text: str | None = None) -> str:
    """Everything said before the question: greeting, streak news, guidance, the intro; as much
    of it as fits the answer's time with the question (what matters most is kept first). An
    intro of its own is not tonight's question again, so it skips "here it is once more"."""
    if mode == "another" and result.counted:
        intro_key = None  # "another" with no question yet tonight: tonight's first, said as such
    if not result.counted:  # tonight's question again: "already"; a different one: its intro
        greeting = "" if intro_text or mode != "tonight" else say(handler_input, "already_tonight")
    elif result.first_ever:
        greeting = say(handler_input, "welcome_first")
    else:
        greeting = say(handler_input, "welcome_back", at=result.total)
    rest, news = (checkin_news(handler_input, result) if result.counted and not result.first_ever
                  else ("", ""))
    guidance = _guidance(handler_input, result) if result.counted else ""
    if intro_text:
        intro = intro_text
    elif intro_key:
        intro = say(handler_input, intro_key, at=result.total)
    elif result.depth == "D" and mode == "tonight":
        intro = say(handler_input, "deep_intro", at=result.total)
    elif result.counted:
        intro = say(handler_input, "first_question_intro" if result.first_ever
                    else "question_intro", at=result.total)
    else:
        intro = ""
    # most important first: a deep night's word that lighter is fine (or the intro that says
    # what was asked for), what happened to the streak, how it works, then a greeting and a
    # plain intro
    parts = {"rest": rest, "news": news, "guidance": guidance, "intro": intro,
             "greeting": greeting}
    kept = fit(parts, priority=("intro", "rest", "news", "guidance", "greeting") if intro_key or
                intro_text or result.depth == "D" else
                ("rest", "news", "guidance", "greeting", "intro"),
                budget=_budget(result) - _question_seconds(question))
    return " ".join(parts[k] for k in ("greeting", "rest", "news", "guidance", "intro")
                    if k in kept)


def _budget(result: CheckinResult) -> float:
    return FIRST_NIGHT_SECONDS if result.first_ever else ANSWER_SECONDS


def _question_seconds(question: Question) -> float:
    after = DEEP_PAUSE_AFTER_MS if question.depth == "D" else PAUSE_AFTER_MS
    return seconds(question.text, PAUSE_BEFORE_MS + after)


def _guidance(handler_input: HandlerInput, result: CheckinResult) -> str:
    """How the ritual works, in full on the first nights, then a short word for a few more,
    then nothing: by then the couple knows."""
    if result.total > SHORT_GUIDANCE_NIGHTS:
        return ""
    if result.total > FULL_GUIDANCE_NIGHTS:
        return say(handler_input, "step_back_short", at=result.total)
    close = say(handler_input, "how_to_close")
    return f"{say(handler_input, 'turn_taking_rule')} {close}" if result.first_ever else close


def preview(handler_input: HandlerInput, mode: str, status: Status | None,
            choose: Chooser | None = None) -> Response:
    """In the daytime: the question tonight would bring, said to count nothing."""
    t = turn(handler_input)
    c = content(handler_input)
    night = t.night()
    if status is None or t.household is None:
        who = t.household or t.device
        question = (choose(c, who, "L", night, t.audience, None) if choose
                    else fallback_question(c, who, night))
    else:
        depth, position = _next_draw(status, mode, night, c.bank_sizes())
        question = (choose(c, t.household, depth, night, t.audience, position) if choose
                    else question_at(c, t.household, depth, position, t.audience))
    # a deep question, even as a morning's preview, comes with its word that lighter is fine
    parts = {"preview": say(handler_input, "preview_intro"),
             "deep": say(handler_input, "deep_intro") if question.depth == "D" else ""}
    kept = fit(parts, ("preview", "deep"), ANSWER_SECONDS - _question_seconds(question))
    speech = _hello(handler_input).say(" ".join(parts[k] for k in ("preview", "deep") if k in kept))
    _ask_question(speech, question)
    return finish(handler_input, speech)


def _next_draw(status: Status, mode: str, night: int, sizes: tuple[int, ...]) -> tuple[str, int]:
    """The depth and position tonight's check-in would draw, by the rules CHECKIN_LUA applies."""
    tonight = (status.tonight_night, status.depth)
    if mode == "tonight" and status.tonight_night == night and status.depth:
        return status.depth, status.question_position or 0
    counted = status.last != night
    recent = status.nights_in(night - rules.RECENT_NIGHTS + 1, night) + (1 if counted else 0)
    bank = dict(zip(rules.DEPTHS, sizes[:3] if status.audience in ("", "partners") else sizes[3:]))
    depth = rules.choose_depth(mode, night, tonight, status.used, bank, recent=recent,
                               total=status.total + (1 if counted else 0), ask=status.ask)
    depth = depth or status.depth or "L"
    return depth, status.used.get(depth, 0)


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (is_request_type("LaunchRequest")(handler_input)
                or is_intent_name("TonightQuestionIntent")(handler_input)
                or is_intent_name("AMAZON.StartOverIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return deliver(handler_input, "tonight")


class DoneHandler(AbstractRequestHandler):
    """'We're done': a warm close, one reflection prompt, the streak news, good night."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DoneIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        status = t.status(counter=DONE_COUNTER)
        tonight = t.night()
        if status is not None and status.last != tonight:
            speech = Speech().say(say(handler_input, "done_before_question"))
            reprompt = Speech().say(say(handler_input, "offer_question_reprompt"))
            return ask(handler_input, speech, reprompt, offer={"kind": "question"})
        at = status.counter if status is not None and status.counter is not None else tonight
        speech = Speech().say(say(handler_input, "done_thanks", at=at)).pause(400)
        speech.say(say(handler_input, "done_reflection", at=at))
        if status is not None:
            streak = current_streak(status, tonight)
            if streak > 1:
                speech.say(say(handler_input, "done_streak",
                               nights=content(handler_input).words.nights(streak)))
            elif streak == 1:
                speech.say(say(handler_input, "done_first_ever" if status.total == 1
                               else "done_first_night"))
        return finish(handler_input, speech.say(closing(handler_input, at=at)))


DONE_COUNTER = "n:done"  # how many times the household has closed a night: its closings rotate


def answer_question_offer(handler_input: HandlerInput, yes: bool) -> Response:
    if yes:
        return deliver(handler_input, "tonight")
    return finish_key(handler_input, "no_question_then")
