"""The pages certification needs, served by the service: /privacy and /terms in English and
/privacy/<lang>, /terms/<lang> in every other language with pages (plain HTML, no external
assets, readable on a phone), the icons under /static/, and the privacy text that is also the
README's data section. What each language's privacy page must say is in tests/page_facts.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from skill import pages
from skill.dev import MODELS_DIR, icons
from skill.pages.render import to_html
from skill.storage import RETENTION_DAYS

from .page_facts import FACTS, forget_problems, quoted, text_of

ROOT = Path(__file__).resolve().parents[1]
README_SECTION = "## What we keep, for how long, and how to delete it"
VOID = {"meta", "br", "img", "link", "hr", "input"}
LANGUAGES = pages.languages()
STORE = json.loads((MODELS_DIR / "skill.json").read_text(encoding="utf-8"))[
    "manifest"]["publishingInformation"]["locales"]


class TagChecker(HTMLParser):
    """Every element closed in order; what the page would load from elsewhere."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.external: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and re.match(r"^(https?:)?//", value):
                self.external.append(value)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unexpected </{tag}>")


def _checked(html: str) -> TagChecker:
    checker = TagChecker()
    checker.feed(html)
    checker.close()
    assert checker.problems == [] and checker.stack == []
    return checker


@pytest.mark.parametrize("path,title", [("/privacy", "Our Check-In: privacy"),
                                        ("/terms", "Our Check-In: terms of use")])
def test_the_english_pages_keep_their_titles(client, path, title):
    html = client.get(path).get_data(as_text=True)
    assert f"<title>{title}</title>" in html and f"<h1>{title}</h1>" in html


@pytest.mark.parametrize("page", pages.PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_are_plain_accessible_html(client, language, page):
    reply = client.get(pages.path_of(page, language))
    assert reply.status_code == 200
    assert reply.content_type == "text/html; charset=utf-8"
    html = reply.get_data(as_text=True)
    assert html.startswith("<!doctype html>") and f'<html lang="{language}">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert f"<h1>{title}</h1>" in html
    assert STORE[language]["name"] in text_of(title), "titled with the store's name of the skill"
    checker = _checked(html)
    assert checker.external == [], "no external assets"
    assert not checker.tags & {"script", "img", "iframe", "link"}
    links = set(re.findall(r'href="([^"]*)"', html))
    assert links and links <= {pages.path_of(p, language) for p in pages.PAGES}, \
        "every link stays in the page's language"


def test_every_spoken_language_has_its_pages():
    spoken = {p.stem.split("-")[0] for p in MODELS_DIR.glob("*-*.json")}
    assert spoken <= set(LANGUAGES)
    folders = {p.name for p in pages.HERE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(LANGUAGES), f"a language needs all of {pages.FILES}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_privacy_page_says_what_certification_asks(client, language):
    text = text_of(client.get(pages.path_of("privacy", language)).get_data(as_text=True))
    facts = FACTS[language]
    for fact, words in facts.items():
        assert words.format(days=RETENTION_DAYS) in text, (language, fact)
    for common in ("`ck{household}`", "HMAC-SHA256", "`alexa::person_id:read`",
                   "`alexa::alerts:reminders:skill:readwrite`"):
        assert common.strip("`") in text, (language, common)
    day_word = facts["days"].removeprefix("{days} ")
    days = re.findall(rf"(\d+) {day_word}\b", text)
    assert days and {int(d) for d in days} == {RETENTION_DAYS}, "one retention, the store's"


def test_every_language_states_every_fact():
    assert set(FACTS) >= set(LANGUAGES)
    for language, facts in FACTS.items():
        assert set(facts) == set(FACTS["en"]), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_forget_phrase_is_one_the_model_knows(client, language):
    """Each "Alexa, ..." on the pages reaches ForgetUsIntent in every locale of the language,
    and the terms name a phrase that does on its own (the model's samples, not a translation)."""
    privacy = quoted(text_of(client.get(pages.path_of("privacy", language)).get_data(as_text=True)))
    terms = quoted(text_of(client.get(pages.path_of("terms", language)).get_data(as_text=True)))
    assert any(q.startswith("Alexa,") for q in privacy)
    assert forget_problems(language, privacy + terms, any_bare=terms) == []


def test_pages_of_an_unwritten_language_are_not_found(client):
    assert client.get("/privacy/en").status_code == 200
    assert client.get("/privacy/xx").status_code == 404
    assert client.get("/terms/__pycache__").status_code == 404
    assert client.post("/privacy").status_code == 405


@pytest.mark.parametrize("size", icons.SIZES)
def test_icons_are_served_as_png_of_their_size(client, size):
    reply = client.get(f"/static/icon-{size}.png")
    assert reply.status_code == 200 and reply.mimetype == "image/png"
    width, height, pixels = icons.decode_png(reply.get_data())
    assert (width, height) == (size, size) and len(pixels) == size * size * 3
    reply.close()


def test_the_small_icon_is_the_drawing():
    """The committed PNG is what `checkin icons` draws (the large one differs only in size)."""
    assert icons.decode_png(icons.icon_path(108).read_bytes()) == (108, 108, icons.draw(108))


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(README_SECTION) + len(README_SECTION)
    end = text.index("\n## ", start)
    return re.sub(r"^<!--.*?-->", "", text[start:end].strip(), flags=re.S).strip()


def test_the_readme_data_section_is_the_privacy_page_source():
    assert readme_section() == pages.source("privacy").strip()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_privacy_text_and_the_store_agree(language):
    assert FACTS[language]["days"].format(days=RETENTION_DAYS) in pages.source("privacy", language)


def test_the_renderer_escapes_and_refuses_unsafe_links():
    html = to_html('a <b>&amp; `x<y>` **bold** [home](/privacy) [bad](javascript:alert(1))\n\n'
                   '- one\n  more\n- two\n\n| A | B |\n|---|---|\n| `c` | d |\n\n### Head')
    assert "<b>" not in html and "&lt;b&gt;&amp;amp;" in html
    assert "<code>x&lt;y&gt;</code>" in html and "<strong>bold</strong>" in html
    assert '<a href="/privacy">home</a>' in html and "javascript" not in html.split("[bad]")[0]
    assert 'href="javascript' not in html
    assert "<li>one more</li>" in html and "<td><code>c</code></td>" in html
    assert '<th scope="col">A</th>' in html and "<h2>Head</h2>" in html
