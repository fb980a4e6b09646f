"""The phrasing corpora (tests/data/phrasings-<lang>.txt, one per language, the same format): what
couples actually say, each line with what it must reach, read into `Phrasing`s, and the
resolver's verdict on each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from skill.dev.simulator.resolver import Resolution, UtteranceResolver

DATA = Path(__file__).resolve().parents[1] / "data"


def corpus_path(lang: str) -> Path:
    return DATA / f"phrasings-{lang}.txt"


def corpus_languages() -> list[str]:
    """Every language with a corpus."""
    return sorted(p.stem.removeprefix("phrasings-") for p in DATA.glob("phrasings-*.txt"))


CORPUS = corpus_path("en")
CONTEXTS = ("cold", "whats_going_on", "offer_tip", "lighter_or_deeper", "which_theme",
            "faq_menu", "offer_question", "forget_confirm")
REQUIRED_SHARE = 0.95
LAUNCH = "LaunchRequest"
NO_MATCH = "?"


@dataclass(frozen=True)
class Phrasing:
    said: str
    context: str
    intent: str
    slots: tuple[tuple[str, str], ...]  # (slot, id or NO_MATCH)
    line: int
    locales: tuple[str, ...] = ()  # "@fr-CA" after the line: said in these locales only

    def said_in(self, locale: str | None) -> bool:
        return locale is None or not self.locales or locale in self.locales

    def __str__(self) -> str:
        want = " ".join([self.intent, *(f"{k}={v}" for k, v in self.slots)])
        return f"line {self.line} [{self.context}] {self.said!r} => {want}"


def load(path: Path = CORPUS, locale: str | None = None) -> list[Phrasing]:
    """The corpus at `path`; with `locale`, only the lines said in that locale (a line ending in
    "@fr-CA" holds words of that locale alone, such as Quebec's "on se chicane")."""
    context, out = None, []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            context = header.group(1)
            if context not in CONTEXTS:
                raise ValueError(f"line {number}: unknown context {context!r}")
            continue
        said, arrow, want = line.partition("=>")
        if not arrow or context is None:
            raise ValueError(f"line {number}: expected 'said => Intent [slot=ID]' in a block")
        words = want.split()
        where = tuple(w[1:] for w in words if w.startswith("@"))
        intent, *slots = [w for w in words if not w.startswith("@")]
        pairs = tuple(tuple(s.split("=", 1)) for s in slots)
        if any(len(p) != 2 for p in pairs):
            raise ValueError(f"line {number}: slots are written slot=ID")
        phrasing = Phrasing(said.strip(), context, intent, pairs, number, where)
        if phrasing.said_in(locale):
            out.append(phrasing)
    return out


def slot_ids(res: Resolution) -> dict[str, str]:
    """{slot: id} of the slots heard: the entity-resolution id, or NO_MATCH."""
    out = {}
    for name, s in res.slots.items():
        if "value" not in s:
            continue
        auth = (s.get("resolutions") or {}).get("resolutionsPerAuthority") or [{}]
        if auth[0].get("status", {}).get("code") == "ER_SUCCESS_MATCH":
            out[name] = auth[0]["values"][0]["value"]["id"]
        else:
            out[name] = NO_MATCH
    return out


def reached(resolver: UtteranceResolver, p: Phrasing) -> tuple[str, dict[str, str]]:
    """What Alexa would send for the words, resolved as the simulator resolves what is typed
    (a bare line from cold goes as a one-shot; in a session, as said)."""
    res = resolver.resolve(p.said)
    if res.kind == "launch":
        return LAUNCH, {}
    return res.intent or "?", slot_ids(res)


def lands(resolver: UtteranceResolver, p: Phrasing) -> bool:
    intent, ids = reached(resolver, p)
    return intent == p.intent and all(ids.get(k) == v for k, v in p.slots)


def misses(resolver: UtteranceResolver, corpus: list[Phrasing]) -> list[str]:
    out = []
    for p in corpus:
        if not lands(resolver, p):
            intent, ids = reached(resolver, p)
            got = " ".join([intent, *(f"{k}={v}" for k, v in ids.items())])
            out.append(f"{p}   got {got}")
    return out
