"""Helpers of the tests that run in every spoken locale: what a locale's content says (so a test
expects the words of the locale it runs in, not English), and how its people say a thing to
Alexa (a sample of the locale's own model, said with its language's launch or one-shot words,
checked through the simulator's resolver)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from skill.dev.simulator.resolver import UtteranceResolver, load_model
from speech import LocaleContent


def said(c: LocaleContent, key: str, audience: str = "", **values) -> list[str]:
    """Every variant of a prompt as the listener hears it, with `values` filled in."""
    count = len(c.variants(key, audience))
    return [" ".join(html.unescape(c.text(key, pick=lambda n, i=i: i, audience=audience,
                                          **values)).split()) for i in range(count)]


def hears(text: str, c: LocaleContent, key: str, **values) -> bool:
    """Does `text` hold one of the variants of the prompt `key`?"""
    flat = " ".join(html.unescape(text).split()).lower()
    return any(v.lower() in flat for v in said(c, key, **values))


def heard_one(text: str, c: LocaleContent, key: str, **values) -> None:
    assert hears(text, c, key, **values), f"none of {said(c, key, **values)} in: {text}"


@lru_cache(maxsize=None)
def resolver(locale: str) -> UtteranceResolver:
    return UtteranceResolver.for_locale(locale)


def launch(locale: str) -> str:
    """How the locale's people open the skill: "<launch word> <invocation name>"."""
    r = resolver(locale)
    return f"{r.language.launch[0]} {r.invocation}"


def builtin(locale: str, intent: str) -> str:
    """The first everyday phrasing of a built-in intent in the locale's language ("yes", "ja")."""
    return resolver(locale).language.builtins[intent][0]


@lru_cache(maxsize=None)
def one_shot(locale: str, intent: str, **slots: str) -> str:
    """Words that reach `intent` with these slot ids from cold, in the locale's language: a
    sample of its model (its slots filled with each id's own value), after the language's first
    one-shot word and the invocation name. The first sample that the resolver takes there."""
    r = resolver(locale)
    lm = load_model(locale)["interactionModel"]["languageModel"]
    types = {t["name"]: {v["id"]: v["name"]["value"] for v in t["values"]} for t in lm.get("types", [])}
    (spec,) = [i for i in lm["intents"] if i["name"] == intent]
    slot_types = {s["name"]: s["type"] for s in spec.get("slots", [])}
    for sample in spec.get("samples", []):
        if set(re.findall(r"\{(\w+)\}", sample)) != set(slots):
            continue
        words = re.sub(r"\{(\w+)\}", lambda m: types[slot_types[m.group(1)]][slots[m.group(1)]], sample)
        text = f"{r.language.one_shot[0]} {r.invocation} {words}"
        res = r.resolve(text)
        ids = {name: (s.get("resolutions") or {}).get("resolutionsPerAuthority", [{}])[0]
               .get("values", [{}])[0].get("value", {}).get("id") for name, s in res.slots.items()
               if "value" in s}
        if res.intent == intent and res.one_shot and ids == slots:
            return text
    raise AssertionError(f"no sample of {intent} with slots {slots} reaches it in {locale}")
