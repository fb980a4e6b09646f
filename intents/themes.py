"""A question on a theme by voice: "a question about the future", "something romantic".

It is tonight's check-in, delivered as any other (intents/checkin.py `deliver`): counted if none
was given yet, in the check-in's one Redis round trip, and only a preview in the daytime. The
question comes from the theme's part of tonight's depth, chosen from household, night and theme
(skill.rules.bank_index): the same all evening, a new one each night, and none the household has
heard in its current pass through the depth while the theme has others. An unknown theme hears
which themes there are.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import rules
from speech import AUDIENCES, PARTNER_THEMES, THEMES, LocaleContent, Question

from .checkin import deliver
from .common import ask_open, say, slot_id, turn

THEME_IDS = {theme.upper(): theme for theme in THEMES}  # ThemeType id -> speech.THEMES name
INSTEAD_OF_PARTNER_THEMES = "us"  # what a household of friends or family hears for "romance"


def for_partners(audience: str) -> bool:
    return audience not in AUDIENCES[1:]  # "" (not set) and "partners"


def offered_themes(handler_input: HandlerInput) -> tuple[str, ...]:
    """The themes a household can ask for: partner-only themes are left out once the household
    is known to be friends or family."""
    if for_partners(turn(handler_input).audience):
        return THEMES
    return tuple(t for t in THEMES if t not in PARTNER_THEMES)


def theme_name(handler_input: HandlerInput, theme: str) -> str:
    return say(handler_input, f"theme_name_{theme}")


def spoken_list(handler_input: HandlerInput, items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return say(handler_input, "list_and", rest=", ".join(items[:-1]), last=items[-1])


def ask_theme(handler_input: HandlerInput) -> Response:
    """Which themes there are, and which one they would like (the household is read first, in
    the request's one round trip, so friends and family hear only theirs)."""
    turn(handler_input).status()
    names = [theme_name(handler_input, t) for t in offered_themes(handler_input)]
    return ask_open(handler_input, "theme_unknown", "theme",
                    themes=spoken_list(handler_input, names))


def theme_question(c: LocaleContent, who: str, depth: str, night: int, audience: str,
                   theme: str, position: int | None = None) -> Question:
    """Tonight's question on `theme`: walks the theme's questions at `depth` night by night.
    With the household's `position` in its walk through the depth's bank (the draw tonight's
    question took), the theme's questions it has already heard in this pass are left out while
    any is left, so a theme never brings back a question of the last nights."""
    if theme in PARTNER_THEMES and not for_partners(audience):
        theme = INSTEAD_OF_PARTNER_THEMES
    bank = c.theme_bank(depth, theme) or c.theme_bank("L", theme)
    if position is not None and bank[0].depth == depth:
        bank = _not_heard(c.questions_for(audience)[depth], bank, who, depth, position) or bank
    return bank[rules.bank_index(who, f"{depth}:{theme}", night, len(bank))]


def _not_heard(walk: tuple[Question, ...], bank: tuple[Question, ...], who: str, depth: str,
               position: int) -> tuple[Question, ...]:
    """The questions of `bank` that come after draw `position` in the household's pass through
    `walk` (question_at's order): not heard in this pass, nor tonight."""
    at = {q: i for i, q in enumerate(walk)}
    done = position % len(walk)
    return tuple(q for q in bank if q in at and
                 rules.pass_position(who, depth, position, len(walk), at[q]) > done)


def deliver_theme(handler_input: HandlerInput, theme: str) -> Response:
    def choose(c: LocaleContent, who: str, depth: str, night: int, audience: str,
               position: int | None) -> Question:
        return theme_question(c, who, depth, night, audience, theme, position)

    def intro(question: Question) -> str:
        return say(handler_input, "theme_intro", theme=theme_name(handler_input, question.theme))

    return deliver(handler_input, "tonight", choose=choose, intro=intro)


class ThemeQuestionHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ThemeQuestionIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        theme_id, _ = slot_id(handler_input, "theme")
        theme = THEME_IDS.get(theme_id or "")
        if theme is None or theme not in offered_themes(handler_input):
            return ask_theme(handler_input)
        return deliver_theme(handler_input, theme)
