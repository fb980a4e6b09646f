"""The pages certification asks for, served by the service itself: ``/privacy`` and ``/terms``
(from ``<lang>/privacy.md`` and ``<lang>/terms.md`` beside this module), in plain HTML with no
external assets, readable on a phone. The skill's icons are files under ``skill/static/``, served
by Flask at ``/static/``. English is at ``/privacy``; another language's page, once written, is
at ``/privacy/<lang>``. A language is written when its folder holds both pages and
``titles.toml`` (each page's title and the text of a link to it, in that language); no list to
edit: ``checkin package`` links a locale to its language's pages as soon as they are there.

``en/privacy.md`` is also the README's section "What we keep, for how long, and how to delete
it" (a test keeps them equal), so the policy and the documentation cannot disagree."""

from __future__ import annotations

import html
import tomllib
from functools import cache
from pathlib import Path

from flask import Flask, Response, abort

from .render import to_html

HERE = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = "en"
PAGES = ("privacy", "terms")
FILES = (*(f"{page}.md" for page in PAGES), "titles.toml")

STYLE = """
body{font:1.0625rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
color:#1d1b2e;background:#fbfaf7}
main{max-width:40rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem}
a{color:#3b3486}
code{font-size:.9em;background:#eeecf6;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border:1px solid #cfcbe0;padding:.4rem .5rem;text-align:left;vertical-align:top}
footer{margin-top:2.5rem;font-size:.9rem;color:#4a4760}
@media (prefers-color-scheme:dark){body{color:#ecebf5;background:#15131f}a{color:#b8b2ff}
code{background:#2a2740}th,td{border-color:#3c3955}footer{color:#b5b2c8}}
"""


def languages(folder: Path = HERE) -> list[str]:
    """The languages with pages written (in `folder`, by default the pages beside this module)."""
    return sorted(p.name for p in folder.iterdir()
                  if p.is_dir() and all((p / name).is_file() for name in FILES))


def source(page: str, language: str = DEFAULT_LANGUAGE) -> str:
    return (HERE / language / f"{page}.md").read_text(encoding="utf-8")


def path_of(page: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Where a page is served: ``/privacy`` in English, ``/privacy/de`` in German."""
    return f"/{page}" if language == DEFAULT_LANGUAGE else f"/{page}/{language}"


@cache
def titles(language: str = DEFAULT_LANGUAGE) -> dict[str, dict[str, str]]:
    """``{"privacy": {"title": ..., "link": ...}, "terms": {...}}`` in the language."""
    return tomllib.loads((HERE / language / "titles.toml").read_text(encoding="utf-8"))


@cache
def render(page: str, language: str = DEFAULT_LANGUAGE) -> str:
    title = titles(language)[page]["title"]
    other = "terms" if page == "privacy" else "privacy"
    link = titles(language)[other]["link"]
    return (
        f'<!doctype html>\n<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n{to_html(source(page, language))}\n"
        f'<footer><a href="{path_of(other, language)}">{html.escape(link)}</a></footer>\n'
        "</main>\n</body>\n</html>\n")


def register(app: Flask) -> None:
    """Add the pages' routes to the app."""
    written = set(languages())

    def view(page: str, language: str = DEFAULT_LANGUAGE) -> Response:
        if language not in written:
            abort(404)
        return Response(render(page, language), mimetype="text/html")

    for page in PAGES:
        app.add_url_rule(f"/{page}", f"page_{page}", view, defaults={"page": page},
                         methods=["GET"])
        app.add_url_rule(f"/{page}/<language>", f"page_{page}_lang", view,
                         defaults={"page": page}, methods=["GET"])
