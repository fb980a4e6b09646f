"""One turn of a conversation as the transcript prints it: what was said, what was heard, what
Alexa would say (pauses shown, a recognised speaker's name in place), the reprompt, whether the
microphone stays open, the directives and card, and the Alexa API calls the skill made."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape

from speech.ssml import plain


@dataclass
class Turn:
    """One exchange: what was said, what Alexa would say, and what the skill did."""

    text: str
    speech: str  # plain text, pauses shown
    reprompt: str | None
    listening: bool  # the microphone stays open (shouldEndSession false)
    directives: list[str]
    api_calls: list[str]
    raw: dict  # the response JSON
    request: dict | None = None  # the envelope sent
    heard: str = ""  # what the words resolved to
    notes: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"[note] {n}" for n in self.notes]
        if self.heard:
            out.append(f"[heard] {self.heard}")
        if self.speech:
            out.append(f"alexa> {self.speech}")
        elif self.request is not None and self.request["request"]["type"] != "SessionEndedRequest":
            out.append("alexa> (says nothing)")
        if self.reprompt:
            out.append(f"[reprompt] {self.reprompt}")
        out.extend(self.directives)
        if self.request is not None:
            out.append("[listening]" if self.listening else "[session ended]")
        out.extend(f"[api] {c}" for c in self.api_calls)
        out.extend(f"[log] {entry}" for entry in self.logs)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def speech_text(output: dict | None, names: dict[str, str] | None = None) -> str:
    """Readable text; a recognised speaker's <alexa:name/> becomes the name Alexa would say."""
    if not isinstance(output, dict):
        return ""
    if output.get("type") == "PlainText" or "ssml" not in output:
        return str(output.get("text", ""))
    ssml = output["ssml"]
    for person_id, name in (names or {}).items():
        ssml = re.sub(rf'<alexa:name [^>]*personId="{re.escape(person_id)}"[^>]*/>',
                      lambda _m, n=name: xml_escape(n), ssml)
    # "Hi Sam ." reads "Hi Sam."; a space before "?", ":", "!" or ";" stays, as French writes it
    return re.sub(r"\s+([.,])(?=\s|$)", r"\1", plain(ssml))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def describe_directives(response: dict) -> list[str]:
    out = []
    for d in response.get("directives") or []:
        dtype = d.get("type", "?")
        if dtype == "Alexa.Presentation.APL.RenderDocument":
            out.append("[screen] " + " | ".join(_strings(d.get("datasources") or {})))
        elif dtype == "Connections.SendRequest":
            payload = d.get("payload") or {}
            detail = payload.get("permissionScope") or payload.get("@type") or ""
            out.append(f"[directive] Connections.SendRequest {d.get('name', '')} {detail}".rstrip())
        else:
            out.append(f"[directive] {dtype}")
    card = response.get("card")
    if isinstance(card, dict):
        if card.get("type") == "AskForPermissionsConsent":
            out.append("[card] AskForPermissionsConsent " + " ".join(card.get("permissions") or []))
        else:
            body = card.get("content") or card.get("text") or ""
            out.append(f"[card] {card.get('title', '')}: {body}".strip())
    return out


def describe_call(call) -> str:
    text = f"{call.method} {call.path}"
    body = call.body
    if isinstance(body, dict) and isinstance(body.get("trigger"), dict):
        trigger = body["trigger"]
        rules = (trigger.get("recurrence") or {}).get("recurrenceRules") or []
        text += f": {' '.join(rules) or trigger.get('type', '')} in {trigger.get('timeZoneId', '?')}"
    return text
