"""A small SSML builder: every inserted value is escaped, and the result is checked for size.

Content is plain text; markup only comes from the builder's own methods.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

MAX_SPEECH_CHARS = 8000
WORDS_PER_SECOND = 2.5  # how fast Alexa talks, near enough to plan an answer's length by
QUESTION_RATE = "90%"  # slower than Alexa's default for the one sentence that matters
_PERSON_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,256}$")


class SpeechTooLong(ValueError):
    """A response would exceed Alexa's output speech limit."""


class Speech:
    def __init__(self) -> None:
        self._parts: list[str] = []

    def say(self, *texts: str) -> Speech:
        for text in texts:
            if text:
                self._parts.append(escape(text.strip()))
        return self

    def pause(self, ms: int) -> Speech:
        self._parts.append(f'<break time="{int(ms)}ms"/>')
        return self

    def slowly(self, text: str, before_ms: int = 800, after_ms: int = 1200) -> Speech:
        """The question: a pause, the words at a gentler pace, and time to let it land."""
        self.pause(before_ms)
        self._parts.append(f'<prosody rate="{QUESTION_RATE}">{escape(text.strip())}</prosody>')
        return self.pause(after_ms)

    def name(self, person_id: str | None) -> Speech:
        """A recognised speaker's first name; nothing for anyone else."""
        if person_id and _PERSON_ID.match(person_id):
            self._parts.append(f'<alexa:name type="first" personId={quoteattr(person_id)}/>')
        return self

    def extend(self, other: Speech) -> Speech:
        self._parts.extend(other._parts)
        return self

    def __bool__(self) -> bool:
        return bool(self._parts)

    def inner(self) -> str:
        """The SSML without the <speak> wrapper (ask-sdk adds it)."""
        text = " ".join(self._parts)
        if len(text) + len("<speak></speak>") > MAX_SPEECH_CHARS:
            raise SpeechTooLong(f"speech is {len(text)} characters")
        return text

    def ssml(self) -> str:
        return f"<speak>{self.inner()}</speak>"


def seconds(text: str, pauses_ms: int = 0) -> float:
    """About how long Alexa takes to say `text` (plain words), plus pauses."""
    return len(text.split()) / WORDS_PER_SECOND + pauses_ms / 1000


def plain(ssml: str) -> str:
    """SSML as readable text, pauses shown as "(pause)": for the simulator and logs."""
    text = re.sub(r'<break time="(\d+)ms"/>', lambda m: f" ({int(m.group(1)) / 1000:g}s pause) ",
                  ssml)
    text = re.sub(r'<alexa:name [^>]*/>', "[name]", text)
    text = re.sub(r"<[^>]+>", "", text)
    from xml.sax.saxutils import unescape

    text = unescape(text, {"&quot;": '"', "&apos;": "'"})
    return re.sub(r"\s+", " ", text).strip()
