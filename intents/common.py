"""Helpers every handler shares: the turn, the locale's content, slots, questions, responses."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_slot
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode

from skill import rules
from skill.household import Turn
from speech import LocaleContent, Question, Speech
from speech.ssml import seconds

FIRST_NIGHT_SECONDS = 25  # the longest the first night's launch may talk
ANSWER_SECONDS = 20  # the longest any other answer may talk
OFFER = "offer"  # session attribute: what a following yes/no answers
LISTEN = "listen"  # an OFFER kind: the skill asked an open question ("What's going on?"); its
# "about" says which, so whatever comes back is read in that context (intents/listening.py)
LAST = "last"  # session attribute: the last thing said, for Repeat


def turn(handler_input: HandlerInput) -> Turn:
    return handler_input.context


def content(handler_input: HandlerInput) -> LocaleContent:
    return turn(handler_input).services.content.for_locale(get_locale(handler_input))


def say(handler_input: HandlerInput, key: str, *, at: int | None = None, **values) -> str:
    """The prompt `key`, in the household's own rotation of its variants: `at` is the position
    (by default tonight's night, so a once-a-night line differs from night to night)."""
    t = turn(handler_input)
    where = t.approx_night() if at is None else at
    who = t.household or t.device

    def pick(count: int) -> int:
        return rules.rotation_index(f"{who}:{key}", where, count)

    return content(handler_input).text(key, pick=pick, audience=t.audience, **values)


def closing(handler_input: HandlerInput, *, at: int | None = None) -> str:
    """Good night at night; a daytime goodbye otherwise."""
    key = "goodnight" if turn(handler_input).is_evening() else "goodbye_day"
    return say(handler_input, key, at=at)


def slot_id(handler_input: HandlerInput, name: str) -> tuple[str | None, str | None]:
    """(canonical id, heard words) of a custom slot; id None when nothing matched."""
    slot = get_slot(handler_input, name)
    if slot is None or not slot.value:
        return None, None
    resolutions = slot.resolutions.resolutions_per_authority if slot.resolutions else None
    for authority in resolutions or ():
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH:
            value = authority.values[0].value if authority.values else None
            if value is not None and value.id:
                return value.id, slot.value
    return None, slot.value


def question_at(c: LocaleContent, household: str, depth: str, position: int,
                audience: str = "") -> Question:
    """The question at `position` of a household's walk through a depth's bank."""
    bank = c.questions_for(audience)[depth]
    return bank[rules.bank_index(household, depth, position, len(bank))]


def fallback_question(c: LocaleContent, who: str, night: int) -> Question:
    """Tonight's question when storage cannot be reached: the same for the same night."""
    bank = c.questions["L"]
    return bank[rules.unsaved_index(who, night, len(bank))]


def person_id(handler_input: HandlerInput) -> str | None:
    """A recognised speaker's id (Alexa voice profiles), if any."""
    context = handler_input.request_envelope.context
    person = context.system.person if context is not None and context.system else None
    return person.person_id if person is not None else None


def session_attrs(handler_input: HandlerInput) -> dict:
    """The session's attributes; a throwaway dict for a request that carries no session."""
    if handler_input.request_envelope.session is None:
        return {}
    return handler_input.attributes_manager.session_attributes


def finish(handler_input: HandlerInput, speech: Speech) -> Response:
    """Say it and end the session (Alexa steps back)."""
    rb = handler_input.response_builder
    if speech:
        rb.speak(speech.inner())
    rb.set_should_end_session(True)
    return rb.response


def ask(handler_input: HandlerInput, speech: Speech, reprompt: Speech, offer: dict | None = None) -> Response:
    """Say it and keep listening: always a question, always a reprompt."""
    attrs = session_attrs(handler_input)
    if offer is None:
        attrs.pop(OFFER, None)
    else:
        attrs[OFFER] = offer
    attrs[LAST] = {"speech": speech.inner(), "reprompt": reprompt.inner()}
    return handler_input.response_builder.speak(speech.inner()).ask(reprompt.inner()).response


def finish_key(handler_input: HandlerInput, key: str, **values) -> Response:
    """Say the prompt `key` and end the session."""
    return finish(handler_input, Speech().say(say(handler_input, key, **values)))


def ask_key(handler_input: HandlerInput, key: str, offer: dict | None = None,
            **values) -> Response:
    """Ask the prompt `key` and keep listening; its reprompt is the prompt `<key>_reprompt`."""
    return ask(handler_input, Speech().say(say(handler_input, key, **values)),
               Speech().say(say(handler_input, f"{key}_reprompt", **values)), offer=offer)


def ask_open(handler_input: HandlerInput, key: str, about: str, **values) -> Response:
    """Ask an open question (`key`, with its reprompt) and remember what was asked."""
    return ask_key(handler_input, key, offer={"kind": LISTEN, "about": about}, **values)


def quiet(handler_input: HandlerInput) -> Response:
    """An empty response: nothing to say (session ended, events, ignored requests)."""
    return handler_input.response_builder.response


def fit(parts: dict[str, str], priority: tuple[str, ...], budget: float,
        pause_ms: int = 0) -> set[str]:
    """The parts of an answer that fit `budget` seconds (with `pause_ms` after each), kept in
    order of `priority`: what matters most is said, what would run long gives way."""
    kept, used = set(), 0.0
    for name in priority:
        cost = seconds(parts[name], pause_ms)
        if parts[name] and used + cost <= budget:
            kept.add(name)
            used += cost
    return kept
