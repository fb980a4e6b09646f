"""ask-sdk's ``Serializer`` without the per-request reflection, plugged into the skill in place of
``DefaultSerializer`` (for the request envelope, the response, and the Alexa API clients).

``DefaultSerializer.deserialize`` re-parses type strings with regular expressions, imports
classes by name and parses timestamps with dateutil on every request: a quarter of the hot path.
This builds the same ask-sdk-model objects, compiling one converter per type string once, and
takes the JSON the verifier already parsed. ``tests/test_serializer.py`` proves the results equal
ask-sdk's own, for the ask-sdk-model versions pyproject.toml allows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from importlib import import_module
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_model.services import Serializer

from . import timestamps

Converter = Callable[[Any], Any]
_LIST = re.compile(r"list\[(.*)\]$")
_DICT = re.compile(r"dict\(([^,]*), (.*)\)$")


def _primitive(kind: type) -> Converter:
    def convert(value):
        if type(value) is kind:
            return value
        try:
            return kind(value)
        except TypeError:
            return value
        except ValueError:
            raise SerializationException(
                f"Failed to parse {value} into '{kind.__name__}' object") from None
    return convert


def _parse_datetime(value) -> datetime:
    if isinstance(value, str):
        try:
            return timestamps.parse(value, naive_is_utc=False)
        except ValueError:
            pass
    from dateutil.parser import parse  # unusual formats: what ask-sdk would accept

    try:
        return parse(value)
    except (ValueError, TypeError, OverflowError) as e:
        raise SerializationException(f"Failed to parse {value} into 'datetime' object") from e


def _as_date(value) -> date:
    return _parse_datetime(value).date()


@lru_cache(maxsize=None)
def _load_class(name: str) -> type:
    module_name, _, class_name = name.rpartition(".")
    try:
        return getattr(import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as e:
        raise SerializationException(f"Unable to resolve class {name}: {e}") from None


_NATIVE: dict[str, Converter] = {
    "str": _primitive(str), "int": _primitive(int), "float": _primitive(float),
    "bool": _primitive(bool), "long": _primitive(int), "object": lambda v: v,
    "datetime": _parse_datetime, "date": _as_date,
}


@lru_cache(maxsize=None)
def converter(type_name: str) -> Converter:
    type_name = type_name.strip()
    if type_name.startswith("list["):
        match = _LIST.match(type_name)
        if match is None:
            return lambda v: []
        inner = converter(match.group(1))
        return lambda v: [None if item is None else inner(item) for item in v]
    if type_name.startswith("dict("):
        match = _DICT.match(type_name)
        if match is None:
            return lambda v: {}
        inner = converter(match.group(2))
        return lambda v: {k: None if item is None else inner(item) for k, item in v.items()}
    if type_name in _NATIVE:
        return _NATIVE[type_name]
    return _model_converter(_load_class(type_name))


@lru_cache(maxsize=None)
def _plan(cls: type) -> tuple[dict, dict[str, tuple[str, Converter]]]:
    """What ``cls()`` sets (so __init__'s defaults and discriminator values are kept) and, by
    JSON key, the attribute and converter of each field. Converters are resolved once here, so
    building an object costs a dict copy and one call per field."""
    attribute_map = dict(getattr(cls, "attribute_map", {}))
    for name in cls.deserialized_types:
        attribute_map.setdefault(name, name)
    fields = {key: (attr, converter(cls.deserialized_types[attr]))
              for attr, key in attribute_map.items()}
    return dict(vars(cls())), fields


@lru_cache(maxsize=None)
def _model_converter(cls: type) -> Converter:
    if issubclass(cls, Enum):
        def enum(value):
            try:
                return cls(value)
            except ValueError as e:
                raise SerializationException(str(e)) from None
        return enum
    polymorphic = hasattr(cls, "get_real_child_model")
    plans: dict = {}  # discriminator value (or None) -> (class, template, fields), filled lazily

    def plan_for(payload) -> tuple[type, dict, dict]:
        tag = payload.get(cls.json_discriminator_key) if polymorphic else None
        try:
            return plans[tag]
        except (KeyError, TypeError):
            pass
        target = _by_discriminator(cls, payload) if polymorphic else cls
        result = plans[tag] = (target, *_plan(target))
        return result

    def model(payload):
        if not isinstance(payload, dict):
            target = _by_discriminator(cls, payload) if polymorphic else cls
            raise SerializationException(f"{target.__name__} expects an object")
        target, template, fields = plan_for(payload)
        obj = target.__new__(target)
        values = template.copy()
        extras = None
        for key, value in payload.items():
            field = fields.get(key)
            if field is None:
                extras = extras or []
                extras.append(key)
            else:
                values[field[0]] = None if value is None else field[1](value)
        for key in extras or ():  # unknown keys become attributes too, as in ask-sdk, except
            if not key.startswith("__"):  # "__dict__" and the like, which would break the object
                values[key] = payload[key]
        obj.__dict__.update(values)
        return obj
    return model


def _by_discriminator(cls: type, payload) -> type:
    try:
        value = payload[cls.json_discriminator_key]
        name = cls.discriminator_value_class_map[value]
    except (KeyError, TypeError):
        raise SerializationException(
            f"Couldn't resolve object by discriminator type for {cls} class") from None
    return _load_class(name)


def deserialize(payload: Any, obj_type: type | str) -> Any:
    """Build `obj_type` (a class such as RequestEnvelope, or an ask-sdk type string such as
    "list[a.b.C]") from parsed JSON, as ask-sdk would."""
    try:
        if isinstance(obj_type, str):
            return converter(obj_type)(payload)
        if obj_type in (str, int, float, bool):
            return converter(obj_type.__name__)(payload)
        return _model_converter(obj_type)(payload)
    except SerializationException:
        raise
    except Exception as e:  # malformed shapes: the same exception type ask-sdk raises
        raise SerializationException(str(e)) from e


_PRIMITIVES = (str, int, float, bool, bytes)
_EXACT_PRIMITIVES = frozenset((str, int, float, bool, bytes, type(None)))


def _out_fields(cls: type) -> tuple[tuple[str, str], ...]:
    attribute_map = getattr(cls, "attribute_map", {})
    return tuple((attr, attribute_map.get(attr, attr)) for attr in cls.deserialized_types)


_OUT_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}  # model classes seen, and their fields


def _serialize_model(obj: Any, fields: tuple[tuple[str, str], ...]) -> dict:
    out = {}
    for attr, key in fields:
        value = getattr(obj, attr)
        if value is not None:
            out[key] = serialize(value)
    return out


def serialize(obj: Any) -> Any:
    """The response as a JSON-ready dict, exactly as ask-sdk's DefaultSerializer.serialize."""
    kind = type(obj)
    if kind in _EXACT_PRIMITIVES:  # the common cases first, by exact type
        return obj
    if kind in _OUT_FIELDS:
        return _serialize_model(obj, _OUT_FIELDS[kind])
    if isinstance(obj, _PRIMITIVES):
        return obj
    if isinstance(obj, list):
        return [serialize(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(serialize(item) for item in obj)
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {key: serialize(value) for key, value in obj.items()}
    if hasattr(obj, "deserialized_types"):
        fields = _OUT_FIELDS[kind] = _out_fields(kind)
        return _serialize_model(obj, fields)
    from ask_sdk_core.serialize import DefaultSerializer  # anything unusual: the SDK's way

    return DefaultSerializer().serialize(obj)


class AlexaSerializer(Serializer):
    """The Serializer interface over the functions above. ``deserialize`` also takes JSON that
    is already parsed (the endpoint verified and parsed the body once)."""

    def serialize(self, obj: Any) -> Any:
        return serialize(obj)

    def deserialize(self, payload: Any, obj_type: type | str) -> Any:
        if payload is None:
            return None
        if isinstance(payload, (str, bytes)):
            try:
                payload = json.loads(payload)
            except ValueError:
                raise SerializationException(f"Couldn't parse response body: {payload!r:.200}") from None
        return deserialize(payload, obj_type)
