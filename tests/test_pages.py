"""The pages certification needs, served by the service: /privacy and /terms (plain HTML, no
external assets, readable on a phone), the icons under /static/, and the privacy text that is
also the README's data section."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from skill import pages
from skill.dev import icons
from skill.pages.render import to_html
from skill.storage import RETENTION_DAYS

ROOT = Path(__file__).resolve().parents[1]
README_SECTION = "## What we keep, for how long, and how to delete it"
VOID = {"meta", "br", "img", "link", "hr", "input"}


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
def test_pages_are_plain_accessible_html(client, path, title):
    reply = client.get(path)
    assert reply.status_code == 200
    assert reply.content_type == "text/html; charset=utf-8"
    html = reply.get_data(as_text=True)
    assert html.startswith("<!doctype html>") and '<html lang="en">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert f"<title>{title}</title>" in html and f"<h1>{title}</h1>" in html
    checker = _checked(html)
    assert checker.external == [], "no external assets"
    assert not checker.tags & {"script", "img", "iframe", "link"}


def test_the_privacy_page_says_what_certification_asks(client):
    text = re.sub(r"<[^>]+>|\s+", " ", client.get("/privacy").get_data(as_text=True))
    text = " ".join(text.split())
    assert "never stores what you say" in text
    assert f"expire {RETENTION_DAYS} days after your household's last check-in" in text
    assert '"Alexa, tell our check in to forget us"' in text or \
        "&quot;Alexa, tell our check in to forget us&quot;" in text
    assert "Disabling the skill" in text
    assert "never receives a recording of your voice" in text
    assert '<a href="/terms">Terms of use</a>' in client.get("/privacy").get_data(as_text=True)


def test_pages_of_an_unwritten_language_are_not_found(client):
    assert client.get("/privacy/en").status_code == 200
    assert client.get("/privacy/xx").status_code == 404
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


def test_the_privacy_text_and_the_store_agree():
    assert f"{RETENTION_DAYS} days after" in pages.source("privacy")


def test_the_renderer_escapes_and_refuses_unsafe_links():
    html = to_html('a <b>&amp; `x<y>` **bold** [home](/privacy) [bad](javascript:alert(1))\n\n'
                   '- one\n  more\n- two\n\n| A | B |\n|---|---|\n| `c` | d |\n\n### Head')
    assert "<b>" not in html and "&lt;b&gt;&amp;amp;" in html
    assert "<code>x&lt;y&gt;</code>" in html and "<strong>bold</strong>" in html
    assert '<a href="/privacy">home</a>' in html and "javascript" not in html.split("[bad]")[0]
    assert 'href="javascript' not in html
    assert "<li>one more</li>" in html and "<td><code>c</code></td>" in html
    assert '<th scope="col">A</th>' in html and "<h2>Head</h2>" in html
