"""What the guide teaches, by voice: validation phrases, tips, challenges and the FAQ."""

from __future__ import annotations

import zlib

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from speech import Speech

from .common import ask, ask_key, content, finish, finish_key, say, slot_id


def _pick(items, handler_input: HandlerInput):
    """Rotate through content: a different item on each ask, not tied to the night."""
    request_id = handler_input.request_envelope.request.request_id or ""
    return items[zlib.crc32(request_id.encode()) % len(items)]


class ValidationPhraseHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ValidationPhraseIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        c = content(handler_input)
        speech = Speech().say(say(handler_input, "validation_intro"))
        speech.slowly(_pick(c.validation, handler_input), before_ms=200, after_ms=600)
        speech.say(_pick(c.reflective, handler_input))
        return finish(handler_input, speech)


SAFETY_TOPICS = frozenset({"PROFESSIONAL_HELP", "PAST_HURTS"})  # where the safety line belongs


def tip_speech(handler_input: HandlerInput, topic: str, safety_said: bool = False) -> Speech:
    tip = content(handler_input).tips[topic]
    speech = Speech().say(say(handler_input, "tip_intro", topic=tip.name)).pause(300)
    speech.say(_pick(tip.tips, handler_input))
    if topic in SAFETY_TOPICS and not safety_said:
        speech.say(say(handler_input, "safety_line"))
    return speech


class TipHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("TipIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        tips = content(handler_input).tips
        topic, heard = slot_id(handler_input, "topic")
        if topic in tips:
            return finish(handler_input, tip_speech(handler_input, topic))
        topic = _pick(sorted(tips), handler_input)
        speech = Speech()
        if heard:
            speech.say(say(handler_input, "tip_unknown_topic", heard=heard[:60]))
        return finish(handler_input, speech.extend(tip_speech(handler_input, topic)))


class ChallengeHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ChallengeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        c = content(handler_input)
        challenge_id, heard = slot_id(handler_input, "challenge")
        challenge = c.challenges.get(challenge_id or "")
        if challenge is None:
            return ask_key(handler_input, "challenge_unknown")
        tip_name = c.tips[challenge.tip_topic].name
        speech = Speech().say(say(handler_input, "challenge_intro", name=challenge.name)).pause(300)
        speech.say(challenge.shows).pause(300).say(challenge.focus).pause(300)
        safety = challenge.id in SAFETY_TOPICS
        if safety:
            speech.say(say(handler_input, "safety_line")).pause(300)
        speech.say(say(handler_input, "challenge_skill", skill=challenge.skill)).pause(400)
        speech.say(say(handler_input, "offer_tip", topic=tip_name))
        reprompt = Speech().say(say(handler_input, "offer_tip_reprompt", topic=tip_name))
        return ask(handler_input, speech, reprompt,
                   offer={"kind": "tip", "topic": challenge.tip_topic, "safety_said": safety})


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
            return ask_key(handler_input, "faq_unknown")
        return finish(handler_input, Speech().say(faq.answer))
