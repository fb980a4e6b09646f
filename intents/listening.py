"""Replies to the skill's own open questions, read in the context they were asked in.

After "What's going on?" (or "What would you like to know?", the list of themes, "lighter or
deeper?"), a reply the skill cannot place (AMAZON.FallbackIntent) is met with thanks and one
useful next step, never "I didn't catch that"; a yes or a no to the open question is answered as
what it is. The question asked travels in the session's OFFER attribute (intents/common.py).
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from speech import THEMES

from .common import LISTEN, ask_key, ask_open, finish_key
from .guidance import answer_unplaced_challenge, answer_unplaced_faq
from .themes import ask_theme, deliver_theme

UNPLACED_THEME_OFFER = "us"  # the theme offered when the one asked for is not one we have


def in_context(offer) -> bool:
    """Is the pending offer an open question (or "lighter or deeper?")?"""
    return isinstance(offer, dict) and offer.get("kind") in (LISTEN, "depth")


def answer_unplaced(handler_input: HandlerInput, offer: dict) -> Response:
    """A reply to an open question that nothing in the model placed."""
    about = offer.get("about") if offer.get("kind") == LISTEN else "depth"
    if about == "faq":
        return answer_unplaced_faq(handler_input)
    if about == "theme":
        return ask_key(handler_input, "theme_unplaced",
                       offer={"kind": "theme", "theme": UNPLACED_THEME_OFFER})
    if about == "depth":
        return ask_key(handler_input, "depth_unplaced", offer={"kind": "question"})
    if about == "reminder_time":  # a time said alone: the model hears times after "remind us at"
        return ask_open(handler_input, "reminder_time_unplaced", "reminder_time")
    return answer_unplaced_challenge(handler_input)


def answer_listen_offer(handler_input: HandlerInput, yes: bool, offer: dict) -> Response:
    """Yes or no, said to an open question: yes asks again, no lets it be."""
    about = offer.get("about")
    if about == "theme":
        return ask_theme(handler_input) if yes else finish_key(handler_input, "no_question_then")
    if about == "faq":
        if yes:
            return ask_open(handler_input, "faq_unknown", "faq")
        return finish_key(handler_input, "no_question_then")
    if about == "reminder_time":
        if yes:
            return ask_open(handler_input, "reminder_time_unplaced", "reminder_time")
        return finish_key(handler_input, "reminder_offer_declined")
    if yes:
        return ask_open(handler_input, "listen_again", "challenge")
    return finish_key(handler_input, "listen_later")


def answer_theme_offer(handler_input: HandlerInput, yes: bool, offer: dict) -> Response:
    theme = offer.get("theme")
    if yes and theme in THEMES:
        return deliver_theme(handler_input, theme)
    return finish_key(handler_input, "no_question_then")
