"""The small Markdown the pages are written in, to HTML: paragraphs, ``### headings``, ``- `` lists
(an item may go on over indented lines), pipe tables, and inline `` `code` ``, ``**bold**`` and
``[links](/path)``. Every piece of text is escaped; anything else is a paragraph of plain text.
The README's data section is the same Markdown, so it needs no renderer there."""

from __future__ import annotations

import html
import re

_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)")
_SAFE_HREF = re.compile(r"^(/|https://|mailto:|#)")


def inline(text: str) -> str:
    out, last = [], 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[last:m.start()], quote=False))
        code, bold, label, href = m.groups()
        if code is not None:
            out.append(f"<code>{html.escape(code, quote=False)}</code>")
        elif bold is not None:
            out.append(f"<strong>{inline(bold)}</strong>")
        elif _SAFE_HREF.match(href):
            out.append(f'<a href="{html.escape(href)}">{inline(label)}</a>')
        else:
            out.append(html.escape(m.group(0), quote=False))
        last = m.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _table(lines: list[str]) -> str:
    head, rows = _cells(lines[0]), [_cells(line) for line in lines[2:]]
    out = ["<div class=\"table\"><table>", "<thead><tr>"]
    out += [f"<th scope=\"col\">{inline(cell)}</th>" for cell in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{inline(cell)}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _list(lines: list[str]) -> str:
    items: list[str] = []
    for line in lines:
        if line.startswith("- "):
            items.append(line[2:].strip())
        else:
            items[-1] += " " + line.strip()
    return "<ul>\n" + "\n".join(f"<li>{inline(item)}</li>" for item in items) + "\n</ul>"


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.strip().splitlines():
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def to_html(text: str) -> str:
    """The body of a page. ``### `` headings become ``<h2>``: the page's title is its ``<h1>``."""
    out = []
    for lines in _blocks(text):
        first = lines[0]
        if first.startswith("### ") and len(lines) == 1:
            out.append(f"<h2>{inline(first[4:].strip())}</h2>")
        elif first.startswith("- "):
            out.append(_list(lines))
        elif first.startswith("|") and len(lines) >= 2 and set(lines[1]) <= set("|-: "):
            out.append(_table(lines))
        else:
            out.append(f"<p>{inline(' '.join(line.strip() for line in lines))}</p>")
    return "\n".join(out)
