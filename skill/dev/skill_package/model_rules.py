"""The interaction-model rules ``checkin package`` and the tests apply. Each function returns a
list of problems (empty when the model follows the rule), worded to be fixed from.

Where a rule comes from:
- "Amazon": the Alexa Skills Kit documentation, "Choose the Invocation Name for a Custom Skill"
  (invocation-name requirements; each language's words in lang/<lang>.toml, with sources),
  "Create Intents, Utterances, and Slots" and the "Interaction Model Schema"
  (developer.amazon.com/docs/custom-skills/, /docs/smapi/), as summarised with their
  certification notes in ALEXA.md. Limits we could not confirm there are marked so.
- "ours": house rules that keep the model unambiguous for Alexa's matcher and for our handlers.
"""

from __future__ import annotations

import re
from itertools import combinations

from .lang import RulesError, rules
from .matching import SLOT_RE, Matcher, custom_intents, fold, intents_of, spoken_values, types_of

# --- the invocation name ------------------------------------------------------------------------
# Amazon: lower-case letters, spaces between words, possessive apostrophes ("sam's science
# trivia") and periods in abbreviations ("a. b. c."); numbers spelled out ("twenty one").
_WORD = r"[^\W\d_](?:[^\W\d_]|[.'])*"  # a letter, then letters, apostrophes and periods
INVOCATION_CHARS = re.compile(rf"{_WORD}(?: {_WORD})*")
# Amazon: the words an invocation name may not contain (launch, connecting and wake words,
# "skill", "app") and the articles and prepositions a two-word name may not hold are each
# language's own: lang/<lang>.toml, with their sources.


def invocation_problems(name: str, language: str = "en") -> list[str]:
    problems = []
    if not isinstance(name, str) or not INVOCATION_CHARS.fullmatch(name) or name != name.lower():
        return [f"invocation name {name!r}: only lower-case letters, single spaces, possessive "
                "apostrophes and abbreviation periods (Amazon)"]
    words = [w.strip(".'").removesuffix("'s") for w in name.split()]
    try:
        lang = rules(language)
    except RulesError as e:
        return [f"invocation name {name!r}: {e}"]
    if len(words) < 2 and not lang.one_word_compounds:
        problems.append(f"invocation name {name!r}: needs two or more words (Amazon)")
    if bad := sorted(lang.forbidden & set(words) | {p for p in lang.forbidden if " " in p
                                                    and f" {p} " in f" {name} "}):
        problems.append(f"invocation name {name!r}: may not contain {bad} (launch, connecting "
                        "or wake words, 'skill', 'app': Amazon)")
    if len(words) == 2 and (small := sorted(lang.two_word_excludes & set(words))):
        problems.append(f"invocation name {name!r}: a two-word name may not contain {small} "
                        "(Amazon)")
    return problems


# --- schema shape -------------------------------------------------------------------------------
NAME_RE = re.compile(r"[A-Za-z_]+")  # Amazon: intent, slot and slot-type names
CERTIFICATION_INTENTS = frozenset({  # Amazon (certification): every custom skill has these
    "AMAZON.CancelIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent",
})


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _intent_shape(intent) -> list[str]:
    if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
        return [f"an intent is not an object with a name: {intent!r:.80}"]
    name, out = intent["name"], []
    if not (name.startswith("AMAZON.") or NAME_RE.fullmatch(name)):
        out.append(f"intent {name!r}: names are letters and underscores (Amazon)")
    if not _is_str_list(intent.get("samples", [])):
        out.append(f"{name}: samples must be a list of strings")
    slots = intent.get("slots", [])
    if not isinstance(slots, list) or not all(
            isinstance(s, dict) and isinstance(s.get("name"), str) and isinstance(s.get("type"), str)
            for s in slots):
        out.append(f"{name}: slots must be a list of {{name, type}} objects")
    return out


def _type_shape(slot_type) -> list[str]:
    if not isinstance(slot_type, dict) or not isinstance(slot_type.get("name"), str):
        return [f"a slot type is not an object with a name: {slot_type!r:.80}"]
    values = slot_type.get("values")
    ok = isinstance(values, list) and all(
        isinstance(v, dict) and isinstance(v.get("name"), dict)
        and isinstance(v["name"].get("value"), str) and _is_str_list(v["name"].get("synonyms", []))
        for v in values)
    return [] if ok else [f"slot type {slot_type['name']}: values must be "
                          "[{id, name: {value, synonyms}}]"]


def shape_problems(model) -> list[str]:
    """Amazon's interaction-model schema, as far as the other rules rely on it."""
    language = model.get("interactionModel", {}).get("languageModel") if isinstance(model, dict) else None
    if not isinstance(language, dict):
        return ["no interactionModel.languageModel object"]
    out = []
    if not isinstance(language.get("invocationName"), str):
        out.append("languageModel.invocationName is missing")
    intents = language.get("intents")
    if not isinstance(intents, list) or not intents:
        return out + ["languageModel.intents must be a non-empty list"]
    for intent in intents:
        out += _intent_shape(intent)
    types = language.get("types", [])
    if not isinstance(types, list):
        return out + ["languageModel.types must be a list"]
    for slot_type in types:
        out += _type_shape(slot_type)
    return out


def intent_problems(model: dict) -> list[str]:
    names = [i["name"] for i in model["interactionModel"]["languageModel"]["intents"]]
    out = [f"intent {n} is declared twice (Amazon)" for n in sorted({n for n in names if names.count(n) > 1})]
    missing = sorted(CERTIFICATION_INTENTS - set(names))
    if missing:
        out.append(f"missing built-in intents {missing} (Amazon certification)")
    for name, intent in custom_intents(intents_of(model)).items():
        if not intent.get("samples"):
            out.append(f"{name}: a custom intent needs sample utterances (Amazon)")
    return out


# --- sample utterances --------------------------------------------------------------------------
MAX_SAMPLE_CHARS = 200  # Amazon: a sample utterance
MAX_SLOT_VALUE_CHARS = 140  # Amazon: a slot value or synonym
# Amazon: no numerals (spell them out), no punctuation but apostrophes and abbreviation periods;
# slots written {slotName}. Ours: lower case; no sample takes a phrasing of the built-in
# intents (each language's [samples] builtin_phrases in lang/<lang>.toml).


def _sample_text_problems(name: str, sample: str, builtin_phrases: frozenset[str]) -> list[str]:
    where = f"{name}: sample {sample!r}"
    out = []
    if sample != sample.strip() or "  " in sample or not sample:
        out.append(f"{where}: stray spaces")
    if re.search(r"\d", sample):
        out.append(f"{where}: numbers must be spelled out (Amazon)")
    literal = SLOT_RE.sub("", sample)
    if re.search(r"[^\w.' ]|_", literal) or "{" in literal or "}" in literal:
        out.append(f"{where}: only letters, spaces, apostrophes, periods and {{slot}} (Amazon)")
    if literal != literal.lower():
        out.append(f"{where}: lower case please (ours)")
    if len(sample) > MAX_SAMPLE_CHARS:
        out.append(f"{where}: longer than {MAX_SAMPLE_CHARS} characters (Amazon)")
    if fold(sample) in builtin_phrases:
        out.append(f"{where}: belongs to a built-in intent (ours)")
    return out


def _sample_slot_problems(name: str, intent: dict) -> list[str]:
    declared = [s["name"] for s in intent.get("slots", [])]
    out = [f"{name}: slot {{{s}}} declared twice (Amazon)"
           for s in sorted({s for s in declared if declared.count(s) > 1})]
    out += [f"{name}: slot name {s!r}: letters and underscores (Amazon)"
            for s in declared if not NAME_RE.fullmatch(s)]
    used: set[str] = set()
    for sample in intent.get("samples", []):
        in_sample = SLOT_RE.findall(sample)
        if len(in_sample) != len(set(in_sample)):
            out.append(f"{name}: sample {sample!r} uses a slot twice (Amazon)")
        out += [f"{name}: sample {sample!r} uses {{{s}}}, which is not declared (Amazon)"
                for s in in_sample if s not in declared]
        if re.search(r"[\w']\{|\}[\w']", sample):
            out.append(f"{name}: sample {sample!r}: a slot must stand as a word of its own (ours)")
        used.update(in_sample)
    unused = sorted(set(declared) - used)
    if unused:
        out.append(f"{name}: slots {unused} are declared but no sample uses them (ours)")
    return out


def sample_problems(model: dict, language: str = "en") -> list[str]:
    """Sample text, slots in samples, and each sample in one intent only."""
    out = []
    owner: dict[str, str] = {}
    try:
        builtin_phrases = rules(language).builtin_phrases
    except RulesError as e:
        builtin_phrases, out = frozenset(), [str(e)]
    for name, intent in intents_of(model).items():
        for sample in intent.get("samples", []):
            out += _sample_text_problems(name, sample, builtin_phrases)
            key = fold(sample)
            if key in owner:
                out.append(f"sample {sample!r} is in {owner[key]} and {name} (Amazon: samples are "
                           "unique across and within intents)")
            owner[key] = name
        out += _sample_slot_problems(name, intent)
    return out


# --- slot types ---------------------------------------------------------------------------------


def slot_type_problems(model: dict) -> list[str]:
    types = types_of(model)
    out = []
    for name, intent in intents_of(model).items():
        for slot in intent.get("slots", []):
            if not (slot["type"].startswith("AMAZON.") or slot["type"] in types):
                out.append(f"{name}: slot {slot['name']} has undefined type {slot['type']} (Amazon)")
    for type_name, values in types.items():
        if not NAME_RE.fullmatch(type_name):
            out.append(f"slot type {type_name!r}: letters and underscores (Amazon)")
        ids = [v.get("id") for v in values]
        if len(ids) != len(set(ids)):
            out.append(f"{type_name}: value ids must be unique (Amazon)")
        seen: dict[str, str] = {}
        for value in values:
            for form in [value["name"]["value"], *value["name"].get("synonyms", [])]:
                where = f"{type_name}.{value.get('id')}: {form!r}"
                if form != form.strip() or not fold(form):
                    out.append(f"{where}: empty or stray spaces")
                if re.search(r"\d", form):
                    out.append(f"{where}: numbers must be spelled out (Amazon)")
                if not INVOCATION_CHARS.fullmatch(form) or form != form.lower():
                    out.append(f"{where}: lower-case words only (ours)")
                if len(form) > MAX_SLOT_VALUE_CHARS:
                    out.append(f"{where}: longer than {MAX_SLOT_VALUE_CHARS} characters (Amazon)")
                if fold(form) in seen and seen[fold(form)] != value.get("id"):
                    out.append(f"{where}: also a form of {seen[fold(form)]} (ours: one meaning each)")
                seen.setdefault(fold(form), value.get("id"))
    return out


def ambiguity_problems(model: dict) -> list[str]:
    """Ours: no utterance may fit two intents. A literal sample must not also be reachable
    through another intent's slot sample, and two intents with samples of one shape
    ("a tip on {x}", "a tip on {y}") must not share slot values."""
    intents, types = custom_intents(intents_of(model)), types_of(model)
    matcher = Matcher(intents, types)
    out = []
    for name, intent in intents.items():
        for sample in intent.get("samples", []):
            if SLOT_RE.search(sample):
                continue
            others = [n for n in matcher.match(sample) if n != name]
            if others:
                out.append(f"{name}: sample {sample!r} also fits {others}")
    shapes: dict[str, list[tuple[str, list[str]]]] = {}
    for name, intent in intents.items():
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            shape = fold(SLOT_RE.sub("{}", sample))
            shapes.setdefault(shape, []).append(
                (name, [slot_types.get(s, "") for s in SLOT_RE.findall(sample)]))
    for shape, owners in shapes.items():
        for (a, a_types), (b, b_types) in combinations(owners, 2):
            if a == b:
                continue
            for ta, tb in zip(a_types, b_types):
                if ta.startswith("AMAZON.") or tb.startswith("AMAZON."):
                    out.append(f"{shape!r} in {a} and {b} takes a built-in slot type in both")
                    continue
                overlap = set(spoken_values(types.get(ta, []))) & set(spoken_values(types.get(tb, [])))
                if overlap:
                    out.append(f"{shape!r} in {a} and {b}: shared values {sorted(overlap)}")
    return out


def model_problems(model, language: str = "en") -> list[str]:
    """Every rule above for one locale's model; the shape first, since the others need it."""
    shape = shape_problems(model)
    if shape:
        return shape
    name = model["interactionModel"]["languageModel"]["invocationName"]
    return (invocation_problems(name, language) + intent_problems(model)
            + sample_problems(model, language)
            + slot_type_problems(model) + ambiguity_problems(model))


def consistency_problems(models: dict[str, dict]) -> list[str]:
    """Ours: every locale has the same intents, the same slots with the same types, and the same
    slot types and value ids, so one set of handlers serves them all."""
    def contract(model: dict) -> tuple:
        intents = {n: {s["name"]: s["type"] for s in i.get("slots", [])}
                   for n, i in intents_of(model).items()}
        types = {t: sorted(str(v.get("id")) for v in values) for t, values in types_of(model).items()}
        return intents, types

    out = []
    locales = sorted(models)
    if not locales:
        return ["no interaction models"]
    first_intents, first_types = contract(models[locales[0]])
    for locale in locales[1:]:
        intents, types = contract(models[locale])
        for name in sorted(set(first_intents) ^ set(intents)):
            out.append(f"intent {name} is in {locales[0] if name in first_intents else locale} "
                       f"but not in {locale if name in first_intents else locales[0]}")
        for name in sorted(set(first_intents) & set(intents)):
            if first_intents[name] != intents[name]:
                out.append(f"{name}: slots differ between {locales[0]} and {locale}")
        for type_name in sorted(set(first_types) | set(types)):
            if first_types.get(type_name) != types.get(type_name):
                out.append(f"slot type {type_name}: values differ between {locales[0]} and {locale}")
    return out
