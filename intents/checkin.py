"""The ritual: greeting, tonight's question delivered slowly, Alexa steps back; "we're done"."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.storage import CheckinResult
from speech import Speech

from .common import ask, content, fallback_question, finish, finish_key, person_id, question_at, say, turn
from .display import show_question
from .streak import checkin_news, current_streak


def deliver(handler_input: HandlerInput, mode: str, intro_key: str | None = None) -> Response:
    """Record tonight (or draw another question) and speak the question, then step back."""
    t = turn(handler_input)
    c = content(handler_input)
    result = t.checkin(mode, tuple(len(c.questions[d]) for d in "LMD"))
    speech = Speech()
    pid = person_id(handler_input)
    if pid:
        speech.say(say(handler_input, "hello_name_before")).name(pid).say(say(handler_input, "hello_name_after"))
    if result is None:
        question = fallback_question(c, t.household or t.device, t.night())
        speech.say(say(handler_input, "greeting_unsaved"))
    else:
        question = question_at(c, t.household, result.depth, result.question_position)
        speech.say(greeting(handler_input, result, mode, intro_key))
    speech.slowly(question.text)
    if result is not None and result.first_ever:
        speech.say(say(handler_input, "turn_taking_rule"))
    speech.say(say(handler_input, "step_back"))
    show_question(handler_input, question.text, result.streak if result else None)
    return finish(handler_input, speech)


def greeting(handler_input: HandlerInput, result: CheckinResult, mode: str, intro_key: str | None) -> str:
    if intro_key:
        lead = say(handler_input, intro_key)
    elif result.first_ever:
        lead = say(handler_input, "welcome_first")
    elif not result.counted:
        lead = say(handler_input, "already_tonight")
    else:
        lead = say(handler_input, "welcome_back")
    news = checkin_news(handler_input, result) if result.counted and not result.first_ever else ""
    intro = say(handler_input, "question_intro") if mode == "tonight" and result.counted else ""
    return " ".join(p for p in (lead, news, intro) if p)


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
        status = t.status()
        tonight = t.night()
        if status is not None and status.last != tonight:
            speech = Speech().say(say(handler_input, "done_before_question"))
            reprompt = Speech().say(say(handler_input, "offer_question_reprompt"))
            return ask(handler_input, speech, reprompt, offer={"kind": "question"})
        speech = Speech().say(say(handler_input, "done_thanks")).pause(400)
        speech.say(say(handler_input, "done_reflection"))
        if status is not None:
            streak = current_streak(status, tonight)
            if streak > 1:
                speech.say(say(handler_input, "done_streak", streak=streak))
            elif streak == 1:
                speech.say(say(handler_input, "done_first_night"))
        return finish(handler_input, speech.say(content(handler_input).text("goodnight", seed=tonight)))


def answer_question_offer(handler_input: HandlerInput, yes: bool) -> Response:
    if yes:
        return deliver(handler_input, "tonight")
    return finish_key(handler_input, "no_question_then")
