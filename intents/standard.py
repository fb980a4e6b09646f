"""What certification expects of every skill: help, stop, cancel, home, fallback, repeat, yes/no,
the end of a session, and a friendly apology when anything fails."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.logline import clip, error_record
from speech import Speech, is_own_ssml, words_of

from .checkin import answer_question_offer
from .common import (
    LAST,
    LISTEN,
    OFFER,
    ask,
    ask_key,
    closing,
    content,
    finish,
    finish_key,
    quiet,
    say,
    session_attrs,
    turn,
)
from .guidance import answer_tip_offer
from .listening import answer_listen_offer, answer_theme_offer, answer_unplaced, in_context
from .privacy import answer_forget_offer
from .questions import answer_depth_offer

log = logging.getLogger("checkin")


class HelpHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        status = t.status()
        if status is not None and status.last == t.night():
            return ask_key(handler_input, "help_after_question",
                           offer={"kind": "tip", "topic": "ACTIVE_LISTENING"})
        return ask_key(handler_input, "help", offer={"kind": "question"})


class StopCancelHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (is_intent_name("AMAZON.StopIntent")(handler_input)
                or is_intent_name("AMAZON.CancelIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return finish(handler_input, Speech().say(closing(handler_input)))


class NavigateHomeHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NavigateHomeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return finish(handler_input, Speech())


class FallbackHandler(AbstractRequestHandler):
    """Words nothing placed. After one of the skill's own open questions they are an answer,
    met kindly (intents/listening.py); anywhere else, guidance and tonight's question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        offer = session_attrs(handler_input).get(OFFER)
        if in_context(offer):
            return answer_unplaced(handler_input, offer)
        return ask_key(handler_input, "fallback", offer={"kind": "question"})


class RepeatHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.RepeatIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        last = session_attrs(handler_input).get(LAST)
        # what comes back in session attributes is checked again before it is spoken: a string,
        # under Alexa's limit, and SSML this skill's builder could have made
        if isinstance(last, dict) and is_own_ssml(last.get("speech")) \
                and is_own_ssml(last.get("reprompt")):
            rb = handler_input.response_builder
            return rb.speak(last["speech"]).ask(last["reprompt"]).response
        # From cold, the thing worth repeating is tonight's question; delivering it again
        # never double-counts the night.
        return answer_question_offer(handler_input, True)


class YesNoHandler(AbstractRequestHandler):
    """Yes and no answer the pending offer; out of context they still lead somewhere."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.YesIntent")(handler_input) or is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        yes = is_intent_name("AMAZON.YesIntent")(handler_input)
        offer = session_attrs(handler_input).pop(OFFER, None)
        kind = offer.get("kind") if isinstance(offer, dict) else None
        if kind == "forget":
            return answer_forget_offer(handler_input, yes)
        if kind == "tip":
            return answer_tip_offer(handler_input, yes, offer)
        if kind == "depth":
            return answer_depth_offer(handler_input, yes)
        if kind == "question":
            return answer_question_offer(handler_input, yes)
        if kind == LISTEN:
            return answer_listen_offer(handler_input, yes, offer)
        if kind == "theme":
            return answer_theme_offer(handler_input, yes, offer)
        if yes:
            speech = Speech().say(say(handler_input, "yes_out_of_context"))
            reprompt = Speech().say(say(handler_input, "offer_question_reprompt"))
            return ask(handler_input, speech, reprompt, offer={"kind": "question"})
        return finish_key(handler_input, "no_out_of_context")


def _kind(error) -> str:
    """An Alexa error's type (ask-sdk calls the JSON "type" `object_type`)."""
    kind = getattr(error, "object_type", None)
    return str(getattr(kind, "value", kind) or "?")


class SessionEndedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        if request.error is not None:
            log.warning("session ended with error: %s %s", clip(_kind(request.error), 60),
                        clip(request.error.message or ""))
        return quiet(handler_input)


class ExceptionEncounteredHandler(AbstractRequestHandler):
    """Alexa reports that our last response was rejected; we may not speak in reply."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("System.ExceptionEncountered")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        error = handler_input.request_envelope.request.error
        log.warning("Alexa rejected a response: %s %s", clip(_kind(error), 60),
                    clip(getattr(error, "message", None) or ""))
        return quiet(handler_input)


class IgnoredRequestHandler(AbstractRequestHandler):
    """Any request type the skill has nothing to say to gets a valid empty response."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return not (is_request_type("LaunchRequest")(handler_input) or is_request_type("IntentRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return quiet(handler_input)


class UnknownIntentHandler(AbstractRequestHandler):
    """An intent the model does not have (an old model, a typo): treat it as Fallback."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return FallbackHandler().handle(handler_input)


class ApologyExceptionHandler(AbstractExceptionHandler):
    """The catch-all: log it, apologise kindly, end the session."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error(error_record("handler failed", exception))
        if handler_input.context is not None:
            handler_input.context.failed = True  # the request counts as an error (metrics)
        try:
            text = content(handler_input).text("apology")
        except Exception:  # the content itself is what failed
            text = words_of(get_locale(handler_input)).LAST_RESORT_APOLOGY
        rb = handler_input.response_builder
        rb.speak(Speech().say(text).inner()).set_should_end_session(True)
        return rb.response
