"""What the guide teaches, by voice: validation phrases, tips, challenges and the FAQ."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import rules
from speech import Challenge, LocaleContent, Speech
from speech.ssml import seconds

from .common import (
    ANSWER_SECONDS,
    ask,
    ask_key,
    ask_open,
    content,
    finish,
    finish_key,
    fit,
    say,
    slot_id,
    turn,
)


def _position(handler_input: HandlerInput, counter: str) -> tuple[int, str]:
    """Where this ask stands in the household's rotation of a bank (a counter in storage,
    advanced in the same round trip), and who the rotation belongs to. Without storage: a
    position from the request id, so the answer still varies."""
    t = turn(handler_input)
    status = t.status(counter=counter)
    who = t.household or t.device
    if status is not None and status.counter is not None:
        return status.counter, who
    request_id = handler_input.request_envelope.request.request_id or ""
    return zlib.crc32(request_id.encode()), who


def _rotate(items, who: str, bank: str, position: int):
    return items[rules.rotation_index(f"{who}:{bank}", position, len(items))]


class ValidationPhraseHandler(AbstractRequestHandler):
    """A phrase to say back: neutral by default, for a feeling when one is named."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ValidationPhraseIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        c = content(handler_input)
        feeling_id, _ = slot_id(handler_input, "feeling")
        feeling = (feeling_id or "").lower()
        phrases = c.feelings.get(feeling) or c.validation
        bank = f"validation:{feeling}" if feeling in c.feelings else "validation"
        position, who = _position(handler_input, f"n:{bank}")
        speech = Speech().say(say(handler_input, "validation_intro", at=position))
        speech.slowly(_rotate(phrases, who, bank, position), before_ms=200, after_ms=600)
        speech.say(_rotate(c.reflective, who, "reflective", position))
        return finish(handler_input, speech)


# Where the safety line belongs (once per answer): professional help, past hurts, disagreements,
# trust, and the challenges of fighting, old hurts and shaken trust.
SAFETY_TIPS = frozenset({"PROFESSIONAL_HELP", "PAST_HURTS", "DISAGREEMENTS", "REBUILDING_TRUST"})
COUNSELLOR_TIPS = frozenset({"DISAGREEMENTS", "REBUILDING_TRUST"})  # say a counsellor can help
SAFETY_CHALLENGES = frozenset({"TALKING_PAST_EACH_OTHER", "OLD_HURTS", "TRUST"})
UNPLACED_TIP = "SAYING_NEEDS"  # the next step offered when what was said has no name here
ANY_TOPIC = "any"  # the rotation of all tips, for "a tip" with no topic


def tip_speech(handler_input: HandlerInput, topic: str, safety_said: bool = False,
               tip: str | None = None, position: int | None = None) -> Speech:
    """A tip on `topic`: the next in the household's rotation of that topic, unless given."""
    tips = content(handler_input).tips
    if tip is None:
        position, who = _position(handler_input, f"n:tip:{topic}")
        tip = _rotate(tips[topic].tips, who, f"tip:{topic}", position)
    safety = topic in SAFETY_TIPS and not safety_said
    parts = {
        "intro": say(handler_input, "tip_intro", topic=tips[topic].name, at=position),
        "tip": tip,
        "counsellor": say(handler_input, "counsellor_line") if safety and topic in COUNSELLOR_TIPS
        else "",
        "safety": say(handler_input, "safety_line") if safety else "",
    }
    kept = fit(parts, ("safety", "tip", "counsellor", "intro"), ANSWER_SECONDS, PAUSE_MS)
    return spoken(parts, kept)


PAUSE_MS = 300  # between the parts of a tip or a challenge


def spoken(parts: dict[str, str], kept: set[str]) -> Speech:
    """The kept parts, in their own order, a short pause after each but the last."""
    texts = [text for name, text in parts.items() if name in kept]
    speech = Speech()
    for i, text in enumerate(texts):
        speech.say(text)
        if i < len(texts) - 1:
            speech.pause(PAUSE_MS)
    return speech


def offer_tip(handler_input: HandlerInput, speech: Speech, topic: str,
              safety_said: bool = False) -> Response:
    """End `speech` with the offer of a tip on `topic`, and listen for yes or no."""
    tip_name = content(handler_input).tips[topic].name
    speech.say(say(handler_input, "offer_tip", topic=tip_name))
    reprompt = Speech().say(say(handler_input, "offer_tip_reprompt", topic=tip_name))
    return ask(handler_input, speech, reprompt,
               offer={"kind": "tip", "topic": topic, "safety_said": safety_said})


def answer_unplaced_challenge(handler_input: HandlerInput) -> Response:
    """What was said about a hard time has no name here: thanks, and one next step."""
    speech = Speech().say(say(handler_input, "challenge_unplaced")).pause(300)
    return offer_tip(handler_input, speech, UNPLACED_TIP)


class TipHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("TipIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        tips = content(handler_input).tips
        topic, heard = slot_id(handler_input, "topic")
        if topic in tips:
            return finish(handler_input, tip_speech(handler_input, topic))
        every = [(name, tip) for name in sorted(tips) if name not in SAFETY_TIPS
                 for tip in tips[name].tips]  # those are asked for by name
        position, who = _position(handler_input, f"n:tip:{ANY_TOPIC}")
        topic, tip = _rotate(every, who, f"tip:{ANY_TOPIC}", position)
        speech = Speech()
        if heard:
            speech.say(say(handler_input, "tip_unknown_topic", heard=heard[:60]))
        return finish(handler_input, speech.extend(
            tip_speech(handler_input, topic, tip=tip, position=position)))


class ChallengeHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ChallengeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        c = content(handler_input)
        challenge_id, heard = slot_id(handler_input, "challenge")
        challenge = c.challenges.get(challenge_id or "")
        if challenge is None:
            if heard:
                return answer_unplaced_challenge(handler_input)
            return ask_open(handler_input, "challenge_unknown", "challenge")
        parts, kept = challenge_answer(lambda key, **values: say(handler_input, key, **values),
                                       c, challenge)
        speech = spoken(parts, kept).pause(PAUSE_MS)
        return offer_tip(handler_input, speech, challenge.tip_topic, safety_said="safety" in kept)


def challenge_answer(text: Callable[..., str], c: LocaleContent,
                     challenge: Challenge) -> tuple[dict[str, str], set[str]]:
    """A challenge's answer in parts, and those that fit the answer's time with the tip offer
    after them: the name first, then the safety line where it belongs, then what to try."""
    safety = challenge.id in SAFETY_CHALLENGES
    parts = {
        "intro": text("challenge_intro", name=challenge.name),
        "shows": challenge.shows,
        "focus": challenge.focus,
        "skill": text("challenge_skill", skill=challenge.skill),
        "counsellor": text("counsellor_line") if safety else "",
        "safety": text("safety_line") if safety else "",
    }
    offer = text("offer_tip", topic=c.tips[challenge.tip_topic].name)
    kept = fit(parts, ("intro", "safety", "focus", "counsellor", "shows", "skill"),
               ANSWER_SECONDS - seconds(offer, PAUSE_MS), PAUSE_MS)
    return parts, kept


def answer_tip_offer(handler_input: HandlerInput, yes: bool, offer: dict) -> Response:
    topic = offer.get("topic")
    if yes and topic in content(handler_input).tips:
        return finish(handler_input, tip_speech(handler_input, topic,
                                                safety_said=offer.get("safety_said") is True))
    return finish_key(handler_input, "no_tip_then")


class FaqHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("FaqIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        c = content(handler_input)
        faq_id, heard = slot_id(handler_input, "faqTopic")
        faq = c.faq.get(faq_id or "")
        if faq is None:
            if heard:
                return answer_unplaced_faq(handler_input)
            return ask_open(handler_input, "faq_unknown", "faq")
        return finish(handler_input, Speech().say(faq.answer))


def answer_unplaced_faq(handler_input: HandlerInput) -> Response:
    return ask_key(handler_input, "faq_unplaced", offer={"kind": "question"})
