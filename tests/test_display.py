"""What a device shows and whom it greets: the APL screen for devices that have one, none for the
rest, and a recognised voice greeted by name."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from intents.display import DOCUMENT_TOKEN
from skill.dev.envelopes import Device, intent, launch, slot

from .conftest import SKILL_ID, Alexa, parse_ssml, spoken_text

DOCUMENT = Path(__file__).resolve().parent.parent / "speech" / "apl" / "question.json"
RENDER = "Alexa.Presentation.APL.RenderDocument"
PERSON = "amzn1.ask.person.ABCDEF0123456789"
EXPRESSION = re.compile(r"\$\{([^}]*)\}")


@pytest.fixture
def night(clock):
    def go(n: int):
        clock.now = datetime(2026, 12, n, 21, tzinfo=ZoneInfo("America/New_York")).timestamp()
    go(1)
    return go


def device(client, clock, ca, api, **kw) -> Alexa:
    return Alexa(client, clock, ca, device=Device(skill_id=SKILL_ID, api_endpoint=api.url, **kw))


@pytest.fixture
def show(client, clock, ca, api, night) -> Alexa:
    return device(client, clock, ca, api, screen=True)


@pytest.fixture
def speaker(client, clock, ca, api, night) -> Alexa:
    return device(client, clock, ca, api, screen=False)


def renders(data: dict) -> list[dict]:
    return [d for d in data["response"].get("directives", []) if d["type"] == RENDER]


def spoken_question(data: dict) -> str:
    """The question (said slowly; on a first night, said twice)."""
    root = parse_ssml(data["response"]["outputSpeech"]["ssml"])
    said = {" ".join("".join(p.itertext()).split()) for p in root.findall("prosody")}
    [question] = said
    return question


def walk(node):
    """Every dict in a JSON tree."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def strings(node):
    for item in walk(node):
        for value in item.values():
            if isinstance(value, str):
                yield value


# -- the document -------------------------------------------------------------------------------

def test_the_apl_document_has_the_structure_the_skill_expects():
    doc = json.loads(DOCUMENT.read_text())
    assert doc["type"] == "APL"
    assert re.fullmatch(r"20\d\d\.\d", doc["version"])
    assert doc["version"] <= "2023.3", "no newer than the devices we declare"
    assert doc["mainTemplate"]["parameters"] == ["payload"]
    assert doc["mainTemplate"]["items"], "something to show"
    components = [n for n in walk(doc["mainTemplate"]) if "type" in n]
    assert {c["type"] for c in components} <= {"Container", "Text"}
    assert all(c.get("text") for c in components if c["type"] == "Text")
    if any(str(c.get("style", "")).startswith("textStyle") for c in components):
        assert {"name": "alexa-styles", "version": "1.6.0"} in doc.get("import", []), \
            "the textStyle* styles come from the alexa-styles package"


def test_every_payload_reference_is_a_key_the_skill_sends(show):
    doc = json.loads(DOCUMENT.read_text())
    expressions = [e for s in strings(doc) for e in EXPRESSION.findall(s)]
    assert expressions
    used = set()
    for expression in expressions:
        roots = set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)\.", expression))
        assert roots <= {"payload"}, f"{expression}: only the payload parameter is bound"
        used |= set(re.findall(r"payload\.checkin\.(\w+)", expression))
        assert "payload." not in re.sub(r"payload\.checkin\.\w+", "", expression), expression
    [directive] = renders(show.send(launch()))
    sent = directive["datasources"]["checkin"]
    assert used == {"title", "question", "streakText"}
    assert used <= set(sent), f"the document reads {used - set(sent)} that the skill never sends"
    assert all(isinstance(sent[key], str) for key in used)


# -- on the screen ------------------------------------------------------------------------------

def test_launch_on_a_screen_renders_tonights_question_once(show, night):
    data = show.send(launch())
    [directive] = renders(data)
    assert len(data["response"]["directives"]) == 1
    assert directive["token"] == DOCUMENT_TOKEN
    assert directive["document"] == json.loads(DOCUMENT.read_text())
    checkin = directive["datasources"]["checkin"]
    assert checkin["question"] == spoken_question(data), "the screen shows what was said"
    assert checkin["title"] == "Tonight's question"
    assert checkin["streakText"] == "", "no streak to show on the first night"
    assert data["response"]["shouldEndSession"] is True

    night(2)
    [directive] = renders(show.send(launch()))
    assert directive["datasources"]["checkin"]["streakText"] == "2 nights in a row"


def test_every_question_delivered_on_a_screen_is_shown(show):
    show.send(launch())
    for request in (intent("AnotherQuestionIntent"), intent("TonightQuestionIntent"),
                    intent("QuestionDepthIntent", {"depth": slot(
                        "depth", "lighter", match_id="LIGHT", slot_type="DepthType")})):
        data = show.send(request)
        [directive] = renders(data)
        assert directive["datasources"]["checkin"]["question"] == spoken_question(data)


def test_a_device_without_a_screen_gets_no_document(speaker):
    for request in (launch(), intent("AnotherQuestionIntent"), intent("TonightQuestionIntent")):
        data = speaker.send(request)
        assert "directives" not in data["response"] or not data["response"]["directives"]


def test_answers_without_a_question_render_nothing(show):
    for request in (intent("ValidationPhraseIntent"), intent("StreakIntent"),
                    intent("AMAZON.HelpIntent")):
        assert renders(show.send(request, in_session=True)) == []


# -- a recognised voice -------------------------------------------------------------------------

def test_a_recognised_speaker_is_greeted_by_name(client, clock, ca, api, night):
    data = device(client, clock, ca, api, person_id=PERSON).send(launch())
    ssml = data["response"]["outputSpeech"]["ssml"]
    assert f'<alexa:name type="first" personId="{PERSON}"/>' in ssml
    name = parse_ssml(ssml).find("{urn:alexa}name")
    assert name is not None and name.get("personId") == PERSON and name.get("type") == "first"
    assert spoken_text(ssml).startswith("Hi")


def test_an_unrecognised_voice_hears_no_name(speaker):
    ssml = speaker.send(launch())["response"]["outputSpeech"]["ssml"]
    assert "alexa:name" not in ssml
    assert not spoken_text(ssml).startswith("Hi")


def test_a_malformed_person_id_is_never_written_into_ssml(client, clock, ca, api, night):
    data = device(client, clock, ca, api, person_id='x"/><audio src="https://evil"/>').send(launch())
    ssml = data["response"]["outputSpeech"]["ssml"]
    assert "alexa:name" not in ssml and "audio" not in ssml
    parse_ssml(ssml)


def test_a_recognised_speaker_on_a_screen_gets_both(client, clock, ca, api, night):
    data = device(client, clock, ca, api, person_id=PERSON, screen=True).send(launch())
    assert "alexa:name" in data["response"]["outputSpeech"]["ssml"]
    assert len(renders(data)) == 1
