"""The streak: how it is told, kindly, and "what's our streak"."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import rules
from skill.nights import night_date
from skill.storage import CheckinResult, Status
from speech import Speech

from .common import content, finish, finish_key, say, turn



def weekday(handler_input: HandlerInput, night: int) -> str:
    return content(handler_input).words.weekday(night_date(night))


def current_streak(status: Status, tonight: int) -> int:
    return rules.current_streak(status.streak_state, tonight)


def checkin_news(handler_input: HandlerInput, result: CheckinResult) -> str:
    """What a new night did to the streak, in a sentence or two (empty for a first night)."""
    parts = []
    if result.rest_used is not None:
        parts.append(say(handler_input, "rest_night_kept", day=weekday(handler_input, result.rest_used)))
    if result.counted and result.streak in rules.MILESTONES:
        parts.append(say(handler_input, f"milestone_{result.streak}"))  # names the count itself
    elif result.streak > 1:
        parts.append(say(handler_input, "streak_now", streak=result.streak))
    elif result.previous_night is not None:
        parts.append(say(handler_input, "streak_fresh_start"))
    return " ".join(parts)


def streak_speech(handler_input: HandlerInput, status: Status, tonight: int) -> Speech:
    speech = Speech()
    if status.total == 0:
        return speech.say(say(handler_input, "streak_none"))
    streak = current_streak(status, tonight)
    words = content(handler_input).words
    if streak == 0:
        speech.say(say(handler_input, "streak_broken"))
    elif status.last == tonight:
        speech.say(say(handler_input, "streak_current_done", nights=words.nights(streak)))
    else:
        speech.say(say(handler_input, "streak_current_pending", nights=words.nights(streak)))
    if status.rest_night is not None and streak and tonight - status.rest_night < 7:
        speech.say(say(handler_input, "streak_rest_used", day=weekday(handler_input, status.rest_night)))
    speech.say(say(handler_input, "streak_totals", longest=words.nights(status.longest),
                   total=words.nights(status.total)))
    recent = status.nights_in(tonight - rules.RECENT_NIGHTS + 1, tonight)
    if status.first is not None and tonight - status.first >= rules.RECENT_NIGHTS:
        speech.say(say(handler_input, "streak_recent", count=recent, window=rules.RECENT_NIGHTS))
    return speech


class StreakHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StreakIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        status = t.status()
        if status is None:
            return finish_key(handler_input, "storage_down_streak")
        speech = streak_speech(handler_input, status, t.night())
        return finish(handler_input, speech.say(content(handler_input).text("goodnight", seed=t.night())))
