"""Content counts, uniqueness, SSML for every item, and consistency between models/, intents/
and speech/ (the official samples shipped locales with missing strings because nothing checked)."""

from __future__ import annotations

import json
import re
import string
import tomllib
from pathlib import Path

import pytest

from intents import REQUEST_HANDLERS
from skill.dev.skill_package.build import build
from intents.standard import FallbackHandler, IgnoredRequestHandler, UnknownIntentHandler
from intents.questions import DEPTH_IDS
from speech import FEELINGS, SUPPORTED_LOCALES, THEMES, Speech

from .conftest import parse_ssml

ROOT = Path(__file__).resolve().parents[1]
MODEL = json.loads((ROOT / "models" / "en-US.json").read_text())["interactionModel"]["languageModel"]
MANIFEST = build("https://checkin.example.org").skill["manifest"]  # as `checkin package` writes it
TIP_TOPICS_IN_PRODUCT = 22


def type_ids(name: str, model: dict = MODEL) -> set[str]:
    (slot_type,) = [t for t in model["types"] if t["name"] == name]
    return {v["id"] for v in slot_type["values"]}


def render(*texts: str) -> str:
    ssml = Speech().say(*texts).ssml()
    parse_ssml(ssml)
    assert len(ssml) < 8000
    return ssml


@pytest.fixture(params=SUPPORTED_LOCALES)
def locale(request, content):
    return content.for_locale(request.param)


def test_content_counts(locale):
    questions = locale.questions
    assert sum(len(b) for b in questions.values()) >= 400
    for depth, items in questions.items():
        assert len(items) >= 110, depth
        assert {q.theme for q in items} == set(THEMES), depth
        for theme in THEMES:
            least = 5 if theme in ("romance", "family") else 8
            assert sum(q.theme == theme for q in items) >= least, (depth, theme)
    assert len(locale.validation) >= 40
    assert len(locale.reflective) >= 8
    assert set(locale._data["validation"]["feelings"]) == set(FEELINGS)
    assert all(len(phrases) >= 4 for phrases in locale.feelings.values())
    assert len(locale.tips) >= TIP_TOPICS_IN_PRODUCT
    assert all(len(t.tips) >= 3 for t in locale.tips.values())
    assert len(locale.challenges) == 8
    assert len(locale.faq) == 7
    for theme in ("romance", "family"):
        for depth in questions:
            assert len(locale.theme_bank(depth, theme)) >= 5, (theme, depth)


def _norm(text: str) -> str:
    return text.lower().translate(str.maketrans("", "", string.punctuation)).strip()


def test_no_two_questions_are_the_same(locale):
    texts = [_norm(q.text) for bank in locale.questions.values() for q in bank]
    assert len(texts) == len(set(texts))
    assert all(q.text.endswith("?") for bank in locale.questions.values() for q in bank)


def test_every_content_item_renders_to_valid_ssml(locale):
    for bank in locale.questions.values():
        for q in bank:
            Speech().slowly(q.text).ssml()
            render(q.text)
    for text in (*locale.validation, *locale.reflective, *sum(locale.feelings.values(), ())):
        render(text)
    for tip in locale.tips.values():
        for text in tip.tips:
            render(text, tip.name)
    for c in locale.challenges.values():
        render(c.name, c.shows, c.focus, c.skill)
    for f in locale.faq.values():
        render(f.question, f.answer)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_prompt_renders_and_locales_agree(content):
    base = content.for_locale("en-US")
    keys = set(base._data["prompts"])
    for name in SUPPORTED_LOCALES:
        c = content.for_locale(name)
        assert set(c._data["prompts"]) == keys, name
        for key in keys:
            for variant in c.variants(key):
                values = {p: "7" for p in _placeholders(variant)}
                render(variant.format(**values))
                assert _placeholders(variant) == _placeholders(base.variants(key)[0]), key


def test_every_prompt_key_used_in_code_exists(content):
    code = "\n".join(p.read_text() for p in (ROOT / "intents").glob("*.py"))
    used = set(re.findall(r'(?:say|finish_key|ask_key|ask_open)\(handler_input, "(\w+)"', code))
    asked = set(re.findall(r'(?:ask_key|ask_open)\(handler_input, "(\w+)"', code))
    used |= {f"{key}_reprompt" for key in asked}
    assert {"help", "help_reprompt", "forget_confirm_reprompt"} <= used
    used |= set(re.findall(r'\.text\("(\w+)"', code))
    used |= {"goodnight", "goodbye_day", "streak_current_done_rest", "streak_current_pending_rest",
             "first_question_intro", "question_intro", "deep_intro", "welcome_back"}
    used |= {f"milestone_{m}" for m in (3, 7, 14, 30, 50, 100, 365)}
    used |= {f"depth_intro_{d}" for d in "LMD"}
    used |= {f"theme_name_{t}" for t in THEMES}
    missing = used - set(content.for_locale("en-US")._data["prompts"])
    assert not missing


def test_prompts_that_keep_listening_end_with_a_question(locale):
    c = locale
    for key in c._data["prompts"]:
        if key.endswith("_reprompt") or key in ("help", "fallback", "forget_confirm",
                                                 "offer_tip", "yes_out_of_context",
                                                 "challenge_unknown", "faq_unknown",
                                                 "depth_unknown", "done_before_question",
                                                 "listen_again", "faq_unplaced",
                                                 "depth_unplaced", "theme_unknown",
                                                 "theme_unplaced"):
            for variant in c.variants(key):
                assert variant.rstrip().endswith("?"), key


def test_slot_ids_match_content(locale):
    c = locale
    model = json.loads((ROOT / "models" / f"{c.locale}.json").read_text())
    lm = model["interactionModel"]["languageModel"]
    assert type_ids("TipTopicType", lm) == set(c.tips)
    assert type_ids("ChallengeType", lm) - {"SAFETY"} == set(c.challenges)  # SAFETY: intents/safety.py
    assert type_ids("FaqTopicType", lm) == set(c.faq)
    assert type_ids("DepthType", lm) == set(DEPTH_IDS)
    assert type_ids("ThemeType", lm) == {t.upper() for t in THEMES}
    assert {ch.tip_topic for ch in c.challenges.values()} <= set(c.tips)


class _Probe:
    """Just enough of a HandlerInput for can_handle."""

    def __init__(self, intent_name: str):
        from ask_sdk_model import Intent, IntentRequest, RequestEnvelope

        self.request_envelope = RequestEnvelope(request=IntentRequest(intent=Intent(name=intent_name)))


def test_every_intent_in_the_model_has_a_handler():
    generic = (FallbackHandler, UnknownIntentHandler, IgnoredRequestHandler)
    for intent in MODEL["intents"]:
        probe = _Probe(intent["name"])
        handler = next(h for h in REQUEST_HANDLERS if h.can_handle(probe))
        if intent["name"] != "AMAZON.FallbackIntent":
            assert not isinstance(handler, generic), intent["name"]


def test_every_manifest_locale_has_a_model_and_content():
    from speech import Content

    content = Content()
    for locale in MANIFEST["publishingInformation"]["locales"]:
        assert (ROOT / "models" / f"{locale}.json").exists(), locale
        assert locale in content.locales(), locale


WORD = re.compile(r"[^\W_]+")


def couple_words(lang: str) -> list[str]:
    """Words that assume a couple, from the language's content lint (its romance groups); in
    English also "partner", "couple" and "romantic" as the audiences were written against."""
    with open(ROOT / "tests" / "lint" / f"{lang}.toml", "rb") as f:
        groups = tomllib.load(f).get("assumptions", {}).values()
    words = [w for g in groups if "romance" in g.get("themes", []) for w in g["words"]]
    return words + (["partner", "couple", "romantic"] if lang == "en" else [])


def test_audience_overrides_are_prompts_with_the_same_placeholders(locale):
    base = locale
    audiences = base._data.get("audience", {})
    assert set(audiences) <= {"friends", "family"} and audiences
    couple = couple_words(base.locale.split("-")[0])
    assert couple
    for audience, prompts in audiences.items():
        for key, value in prompts.items():
            assert key in base._data["prompts"], (audience, key)
            for variant in [value] if isinstance(value, str) else value:
                assert _placeholders(variant) == _placeholders(base.variants(key)[0]), key
                said = " " + " ".join(WORD.findall(variant.lower())) + " "
                assert not [w for w in couple if f" {w} " in said], variant
