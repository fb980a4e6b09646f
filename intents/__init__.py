"""The conversation: every handler, registered in one ordered list (specific first, Fallback
next, the catch-all last; the SDK picks the first that can handle a request)."""

from __future__ import annotations

from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import get_device_id

from skill.serializer import AlexaSerializer

from . import (checkin, events, guidance, privacy, questions, reminders, rest, safety, settings,
               standard, streak, themes)
from .safety import DISCREET_INTENTS  # noqa: F401  (the endpoint names no intent for these)

REQUEST_HANDLERS = [
    events.SkillDisabledHandler(),
    events.PermissionChangedHandler(),
    standard.SessionEndedHandler(),
    standard.ExceptionEncounteredHandler(),
    safety.SafetyHandler(),  # "I don't feel safe", whatever intent the words reached: first
    checkin.LaunchHandler(),  # also TonightQuestionIntent and StartOver
    questions.AnotherQuestionHandler(),
    questions.QuestionDepthHandler(),
    themes.ThemeQuestionHandler(),
    rest.SkipTonightHandler(),
    checkin.DoneHandler(),
    guidance.ValidationPhraseHandler(),
    guidance.TipHandler(),
    guidance.ChallengeHandler(),
    guidance.FaqHandler(),
    streak.StreakHandler(),
    privacy.ForgetUsHandler(),
    settings.SetAudienceHandler(),
    reminders.SetReminderHandler(),
    reminders.ChangeReminderHandler(),
    reminders.ReminderStatusHandler(),
    reminders.CancelReminderHandler(),
    reminders.PermissionResponseHandler(),  # Connections.Response: before IgnoredRequestHandler
    reminders.ReminderOfferHandler(),  # yes/no to a reminder offer: before YesNoHandler
    standard.YesNoHandler(),
    standard.HelpHandler(),
    standard.RepeatHandler(),
    standard.StopCancelHandler(),
    standard.NavigateHomeHandler(),
    standard.FallbackHandler(),
    standard.UnknownIntentHandler(),
    standard.IgnoredRequestHandler(),
]

EXCEPTION_HANDLERS = [standard.ApologyExceptionHandler()]


class ZoneLookupInterceptor(AbstractRequestInterceptor):
    """Give the turn a way to ask Alexa for the device's time zone (used only on a cache miss)."""

    def process(self, handler_input: HandlerInput) -> None:
        def lookup() -> str | None:
            system = handler_input.request_envelope.context.system if handler_input.request_envelope.context else None
            device_id = get_device_id(handler_input)
            if not (system and system.api_endpoint and system.api_access_token and device_id):
                return None
            return handler_input.service_client_factory.get_ups_service().get_system_time_zone(device_id)

        handler_input.context.zone_lookup = lookup


def build_skill(api_client: DefaultApiClient | None = None) -> CustomSkill:
    builder = CustomSkillBuilder(api_client=api_client or DefaultApiClient())
    for handler in REQUEST_HANDLERS:
        builder.add_request_handler(handler)
    for handler in EXCEPTION_HANDLERS:
        builder.add_exception_handler(handler)
    builder.add_global_request_interceptor(ZoneLookupInterceptor())
    skill = builder.create()
    skill.serializer = AlexaSerializer()  # the request, the response and the API clients
    return skill
