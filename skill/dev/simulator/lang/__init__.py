"""How people talk to Alexa in each language, for the simulator: ``lang/<lang>.toml``.

One file per language (``en.toml``, ``de.toml``, ...), read once. A language engineer fills it
without touching Python; every word is written as Alexa hears it (lower case, accents kept, no
punctuation but apostrophes inside words) and a multi-word entry is fine. The tables:

``[invoke]`` how the skill is named in a request ("Alexa, <launch> <invocation name>"; "Alexa,
<one_shot> <invocation name> [<connector>] <request>"; "Alexa, <request> <after> <invocation
name>"):
    ``launch``      words that open the skill ("start", "öffne", "abre", "ouvre"); required
    ``one_shot``    words that open it with a request ("ask", "frage", "pide a", "demande à");
                    the launch words work that way too; required
    ``connectors``  words between the name and the request ("for", "nach", "que"); an entry
                    ending in an apostrophe is glued to the next word (French "qu'", "d'")
    ``after``       words between a request and the name ("from", "von", "de", "sur")
    ``exit``        what ends the session the way Alexa does ("exit")
``[heard]`` words Alexa hears but the request does not mean:
    ``disfluencies``  never meant ("um", "äh", "eh", "euh"); dropped from everything heard
    ``fillers``       usually not meant ("please", "bitte", "por favor", "s'il te plaît"): a
                      phrasing is also tried without them
    ``slot_lead_ins`` said before a slot value ("a", "the", "einen", "un", "une"): a value is
                      also looked up without one
``[builtins]`` the everyday phrasings of the built-in intents, by intent name: Alexa trains
    these itself, so the model holds no samples for them; ``AMAZON.HelpIntent``,
    ``AMAZON.StopIntent``, ``AMAZON.CancelIntent``, ``AMAZON.YesIntent``, ``AMAZON.NoIntent``,
    ``AMAZON.RepeatIntent``, ``AMAZON.StartOverIntent`` and ``AMAZON.NavigateHomeIntent`` are
    required
``[time]`` spoken times for AMAZON.TIME: the fields of :class:`~.spoken_time.TimeWords` (its
    comments say what each holds; ``numbers`` is required).

A language whose time grammar the tables cannot say adds ``lang/<lang>.py`` with either or both
of these functions (the hook contract), each given the heard words as tokens (lead-ins, the half
of the day and "o'clock" already taken off) and the language's :class:`TimeWords`:

``number(tokens, words) -> int | None``
    a number the tables cannot spell (German "fünfundvierzig"), else None;
``hour_minute(tokens, words) -> tuple[int, int] | None``
    (hour, minute) for a shape of the language's own (German "halb neun" is 8:30), else None so
    the shared shapes try. It must not guess: only what Alexa itself fills as that time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import import_module
from pathlib import Path

from ..errors import SimulatorError
from ..spoken_time import TimeWords

HERE = Path(__file__).resolve().parent
REQUIRED_BUILTINS = (
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.YesIntent",
    "AMAZON.NoIntent", "AMAZON.RepeatIntent", "AMAZON.StartOverIntent",
    "AMAZON.NavigateHomeIntent",
)
_LISTS = {
    "invoke": ("launch", "one_shot", "connectors", "after", "exit"),
    "heard": ("disfluencies", "fillers", "slot_lead_ins"),
}
_TIME_FIELDS = {f.name: f for f in fields(TimeWords) if not f.name.endswith("_hook")}


@dataclass(frozen=True)
class Language:
    """One language's ``lang/<lang>.toml``, read."""

    code: str
    launch: tuple[str, ...]
    one_shot: tuple[str, ...]
    connectors: tuple[str, ...]
    after: tuple[str, ...]
    exit: frozenset[str]
    disfluencies: frozenset[str]
    fillers: frozenset[str]  # the disfluencies included
    slot_lead_ins: tuple[str, ...]
    builtins: dict[str, tuple[str, ...]]
    time: TimeWords

    def missing(self) -> list[str]:
        """What the file still lacks before the simulator can speak the language."""
        out = [f"[invoke] {name}" for name in ("launch", "one_shot") if not getattr(self, name)]
        out += [f"[builtins] {name!r}" for name in REQUIRED_BUILTINS if not self.builtins.get(name)]
        if not self.time.numbers:
            out.append("[time] numbers")
        return out


def languages() -> list[str]:
    """Every language with a file."""
    return sorted(p.stem for p in HERE.glob("*.toml"))


def path_of(code: str) -> Path:
    return HERE / f"{code}.toml"


@lru_cache(maxsize=None)
def load(code: str) -> Language:
    """A language's file, checked; a clear SimulatorError for a missing or malformed one."""
    path = path_of(code)
    if not path.is_file():
        raise SimulatorError(f"no simulator language file skill/dev/simulator/lang/{code}.toml "
                             f"(known: {', '.join(languages())})")
    return read(path, code)


def read(path: Path, code: str | None = None) -> Language:
    """A language file at any path (the tests' own); hooks only for the files here."""
    code = code or path.stem
    where = f"skill/dev/simulator/lang/{code}.toml" if path.parent == HERE else str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SimulatorError(f"{where}: {e}") from None
    unknown = sorted(set(data) - {"invoke", "heard", "builtins", "time"})
    if unknown:
        raise SimulatorError(f"{where}: unknown tables {unknown}")
    lists = {name: _words(data, table, name, where) for table, names in _LISTS.items()
             for name in names}
    builtins = data.get("builtins", {})
    if not isinstance(builtins, dict) or not all(
            isinstance(v, list) and all(isinstance(w, str) for w in v) for v in builtins.values()):
        raise SimulatorError(f"{where}: [builtins] holds lists of phrasings, by intent name")
    disfluencies = frozenset(lists["disfluencies"])
    return Language(
        code=code, launch=lists["launch"], one_shot=lists["one_shot"],
        connectors=lists["connectors"], after=lists["after"], exit=frozenset(lists["exit"]),
        disfluencies=disfluencies, fillers=disfluencies | set(lists["fillers"]),
        slot_lead_ins=lists["slot_lead_ins"],
        builtins={name: tuple(v) for name, v in builtins.items()},
        time=_time_words(code if path.parent == HERE else "", data.get("time", {}), where),
    )


def _words(data: dict, table: str, name: str, where: str) -> tuple[str, ...]:
    values = data.get(table, {}).get(name, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise SimulatorError(f"{where}: [{table}] {name} is a list of words")
    unknown = sorted(set(data.get(table, {})) - set(_LISTS[table]))
    if unknown:
        raise SimulatorError(f"{where}: [{table}] has unknown keys {unknown}")
    return tuple(v.strip() for v in values)


def _time_words(code: str, table: dict, where: str) -> TimeWords:
    unknown = sorted(set(table) - set(_TIME_FIELDS))
    if unknown:
        raise SimulatorError(f"{where}: [time] has unknown keys {unknown}")
    values: dict = {}
    for name, value in table.items():
        wants_table = _TIME_FIELDS[name].type.startswith("dict")
        if wants_table != isinstance(value, dict) or (
                not wants_table and not all(isinstance(v, str) for v in value)):
            raise SimulatorError(f"{where}: [time] {name} is a "
                                 f"{'table' if wants_table else 'list of words'}")
        values[name] = dict(value) if wants_table else tuple(value)
    values.setdefault("numbers", {})
    hooks = _hooks(code)
    return TimeWords(**values, number_hook=getattr(hooks, "number", None),
                     time_hook=getattr(hooks, "hour_minute", None))


def _hooks(code: str):
    """The language's hook module (lang/<lang>.py), if it has one."""
    if not code or not (HERE / f"{code}.py").is_file():
        return None
    return import_module(f"{__name__}.{code}")
