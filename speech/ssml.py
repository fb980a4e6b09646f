"""A small SSML builder: every inserted value is escaped, and the result is checked for size.

Content is plain text; markup only comes from the builder's own methods. Characters XML does not
allow (NUL, other control characters, lone surrogates, U+FFFE/U+FFFF) are dropped from every
value before it is escaped, so no slot value can make the SSML invalid.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

MAX_SPEECH_CHARS = 8000
WORDS_PER_SECOND = 2.5  # how fast Alexa talks, near enough to plan an answer's length by
QUESTION_RATE = "90%"  # slower than Alexa's default for the one sentence that matters
_PERSON_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,256}$")
# what XML 1.0 forbids in text: everything outside its Char production
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# what our builder writes, and nothing else: for SSML that comes back to us (session attributes)
_OWN_TAGS = {"break": {"time"}, "prosody": {"rate"}, "{urn:alexa}name": {"type", "personId"}}


def text_of(value: str) -> str:
    """A value fit for SSML text: XML's forbidden characters dropped, markup escaped."""
    return escape(_NOT_XML.sub("", value).strip())


class SpeechTooLong(ValueError):
    """A response would exceed Alexa's output speech limit."""


class Speech:
    def __init__(self) -> None:
        self._parts: list[str] = []

    def say(self, *texts: str) -> Speech:
        for text in texts:
            if text:
                self._parts.append(text_of(text))
        return self

    def pause(self, ms: int) -> Speech:
        self._parts.append(f'<break time="{int(ms)}ms"/>')
        return self

    def slowly(self, text: str, before_ms: int = 800, after_ms: int = 1200) -> Speech:
        """The question: a pause, the words at a gentler pace, and time to let it land."""
        self.pause(before_ms)
        self._parts.append(f'<prosody rate="{QUESTION_RATE}">{text_of(text)}</prosody>')
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


def is_own_ssml(inner: object) -> bool:
    """Whether SSML that came back from outside (a session attribute) is what this builder
    makes: a string, within the size limit, valid XML, only our elements and attributes."""
    import xml.etree.ElementTree as ET

    if not isinstance(inner, str) or not inner or len(inner) + 15 > MAX_SPEECH_CHARS:
        return False
    if _NOT_XML.search(inner):
        return False
    try:
        root = ET.fromstring(f'<speak xmlns:alexa="urn:alexa">{inner}</speak>')
    except ET.ParseError:
        return False
    for element in root.iter():
        if element is root:
            continue
        allowed = _OWN_TAGS.get(element.tag)
        if allowed is None or not set(element.attrib) <= allowed:
            return False
    return True


def plain(ssml: str) -> str:
    """SSML as readable text, pauses shown as "(pause)": for the simulator and logs."""
    text = re.sub(r'<break time="(\d+)ms"/>', lambda m: f" ({int(m.group(1)) / 1000:g}s pause) ",
                  ssml)
    text = re.sub(r'<alexa:name [^>]*/>', "[name]", text)
    text = re.sub(r"<[^>]+>", "", text)
    from xml.sax.saxutils import unescape

    text = unescape(text, {"&quot;": '"', "&apos;": "'"})
    return re.sub(r"\s+", " ", text).strip()
