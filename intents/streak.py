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


def _rest_in_run(rest: int | None, night: int, streak: int) -> bool:
    return rest is not None and night - rest < streak


def checkin_news(handler_input: HandlerInput, result: CheckinResult) -> tuple[str, str]:
    """What a new night did to the streak: the rest night it used, if any, and the count (each
    may be empty; both for a first night). Two parts, so that an answer short of time keeps the
    rest night's reassurance before the count."""
    rest = ""
    if result.rest_used is not None:
        rest = say(handler_input, "rest_night_kept", day=weekday(handler_input, result.rest_used))
    return rest, _count_news(handler_input, result)


def _count_news(handler_input: HandlerInput, result: CheckinResult) -> str:
    parts = []
    rested = _rest_in_run(result.rest_night, result.night, result.streak)
    if result.streak in rules.MILESTONES:  # each names the count itself
        key = f"milestone_{result.streak}"
        parts.append(say(handler_input, f"{key}_rest" if rested and content(handler_input).has(
            f"{key}_rest") else key))
    elif result.streak > 1:
        parts.append(say(handler_input, "streak_now_rest" if rested else "streak_now",
                         nights=content(handler_input).words.nights(result.streak)))
    elif _rest_already_used(result):
        parts.append(say(handler_input, "streak_reset_rest_used",
                         day=weekday(handler_input, result.night - 1),
                         rest_day=weekday(handler_input, result.previous_rest)))
    elif result.previous_night is not None:
        parts.append(say(handler_input, "streak_fresh_start"))
    return " ".join(parts)


def _rest_already_used(result: CheckinResult) -> bool:
    """A new streak after a single missed night: the run's rest night had been used."""
    return (result.streak == 1 and result.previous_night == result.night - 2
            and result.previous_rest is not None
            and not rules.rest_allowed(result.previous_rest, result.night - 1))


def streak_speech(handler_input: HandlerInput, status: Status, tonight: int) -> Speech:
    speech = Speech()
    if status.total == 0:
        return speech.say(say(handler_input, "streak_none"))
    words = content(handler_input).words
    streak = current_streak(status, tonight)
    if streak == 0:
        speech.say(_why_it_ended(handler_input, status, tonight))
    else:
        done = "done" if status.last == tonight else "pending"
        rested = _rest_in_run(status.rest_night, status.last or tonight, status.streak)
        speech.say(say(handler_input, f"streak_current_{done}{'_rest' if rested else ''}",
                       nights=words.nights(streak)))
        if status.rest_night is not None and tonight - status.rest_night < rules.REST_WINDOW:
            speech.say(say(handler_input, "streak_rest_used",
                           day=weekday(handler_input, status.rest_night)))
    speech.say(say(handler_input, "streak_totals", longest=words.nights(status.longest),
                   total=words.nights(status.total)))
    # the thirty nights up to tonight once it is counted, else up to last night: a night that
    # has not had its evening yet is not a night missed
    end = tonight if status.last == tonight else tonight - 1
    recent = status.nights_in(end - rules.RECENT_NIGHTS + 1, end)
    if status.first is not None and end - status.first >= rules.RECENT_NIGHTS:
        speech.say(say(handler_input, "streak_recent", count=recent, window=rules.RECENT_NIGHTS))
    return speech


def _why_it_ended(handler_input: HandlerInput, status: Status, tonight: int) -> str:
    """A streak that ended after one missed night ended because the rest night was used."""
    if status.last is not None and tonight - status.last == 2 and status.rest_night is not None:
        return say(handler_input, "streak_broken_rest_used",
                   day=weekday(handler_input, tonight - 1),
                   rest_day=weekday(handler_input, status.rest_night))
    return say(handler_input, "streak_broken")


class StreakHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StreakIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        status = t.status()
        if status is None:
            return finish_key(handler_input, "storage_down_streak")
        return finish(handler_input, streak_speech(handler_input, status, t.night()))
