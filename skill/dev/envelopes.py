"""Alexa request envelopes as Alexa sends them: for the offline simulator, the benchmark and tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from skill.timestamps import iso


@dataclass
class Device:
    """Who is speaking to which device, and what the device can do."""

    skill_id: str = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
    user_id: str = "amzn1.ask.account.SIMULATED-HOUSEHOLD"
    device_id: str = "amzn1.ask.device.SIMULATED-DEVICE"
    locale: str = "en-US"
    api_endpoint: str | None = None  # tests and the simulator point this at a local stand-in
    api_access_token: str = "simulated-token"
    person_id: str | None = None
    screen: bool = False
    consent_token: str | None = None

    def context(self) -> dict:
        interfaces: dict = {}
        if self.screen:
            interfaces["Alexa.Presentation.APL"] = {"runtime": {"maxVersion": "2023.3"}}
        system: dict = {
            "application": {"applicationId": self.skill_id},
            "user": {"userId": self.user_id},
            "device": {"deviceId": self.device_id, "supportedInterfaces": interfaces},
        }
        if self.api_endpoint:
            system["apiEndpoint"] = self.api_endpoint
            system["apiAccessToken"] = self.api_access_token
        if self.consent_token:
            system["user"]["permissions"] = {"consentToken": self.consent_token}
        if self.person_id:
            system["person"] = {"personId": self.person_id, "accessToken": "simulated"}
        context: dict = {"System": system}
        if self.screen:
            context["Viewport"] = {"shape": "RECTANGLE", "pixelWidth": 1024, "pixelHeight": 600,
                                   "dpi": 160, "currentPixelWidth": 1024,
                                   "currentPixelHeight": 600}
        return context


@dataclass
class Session:
    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    new: bool = True
    attributes: dict = field(default_factory=dict)


def envelope(device: Device, request: dict, ts: float, session: Session | None = None) -> dict:
    request = {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}", "timestamp": iso(ts),
               "locale": device.locale, **request}
    if request["type"].startswith("AlexaSkillEvent."):
        request.setdefault("eventCreationTime", iso(ts))
        request.setdefault("eventPublishingTime", iso(ts))
    body: dict = {"version": "1.0", "context": device.context(), "request": request}
    if session is not None:
        body["session"] = {
            "new": session.new, "sessionId": session.session_id,
            "application": {"applicationId": device.skill_id},
            "user": {"userId": device.user_id}, "attributes": dict(session.attributes),
        }
    return body


def launch() -> dict:
    return {"type": "LaunchRequest"}


def slot(name: str, value: str | None, match_id: str | None = None,
         canonical: str | None = None, slot_type: str = "") -> dict:
    """A slot as Alexa sends it, with entity resolution for custom types."""
    data: dict = {"name": name, "confirmationStatus": "NONE"}
    if value is None:
        return data
    data["value"] = value
    if slot_type and not slot_type.startswith("AMAZON."):
        authority = f"amzn1.er-authority.echo-sdk.skill.{slot_type}"
        if match_id is not None:
            data["resolutions"] = {"resolutionsPerAuthority": [{
                "authority": authority, "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": canonical or value, "id": match_id}}],
            }]}
        else:
            data["resolutions"] = {"resolutionsPerAuthority": [{
                "authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"},
            }]}
    return data


def intent(name: str, slots: dict[str, dict] | None = None) -> dict:
    return {"type": "IntentRequest", "dialogState": "COMPLETED",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": slots or {}}}


def session_ended(reason: str = "USER_INITIATED") -> dict:
    return {"type": "SessionEndedRequest", "reason": reason}


def skill_event(name: str) -> dict:
    return {"type": f"AlexaSkillEvent.{name}", "body": {}}
