"""A locale's overrides (speech/<locale>.toml) over its language's content: tables merge key by
key, a list is replaced whole, or changed item by item with ``replace = [[old, new], ...]``, so a
locale holds only the sentences it says differently and never a stale copy of the rest."""

from __future__ import annotations

import tomllib

import pytest

from speech import ROOT, _merge

BASE = {"tips": {"X": {"name": "x", "tips": ["one", "two", "three"]}}, "phrases": ["a", "b"]}


def test_a_replace_table_changes_only_the_items_it_names_in_place():
    merged = _merge(BASE, {"tips": {"X": {"tips": {"replace": [["two", "deux"]]}}}})
    assert merged["tips"]["X"] == {"name": "x", "tips": ["one", "deux", "three"]}
    assert BASE["tips"]["X"]["tips"] == ["one", "two", "three"], "the base is left as it was"


def test_a_list_given_as_a_list_still_replaces_the_whole_list():
    assert _merge(BASE, {"phrases": ["c"]})["phrases"] == ["c"]


def test_an_item_missing_from_the_base_is_a_loud_error_naming_where():
    """The base sentence was reworded and the override was not: loading fails instead of
    silently keeping the old wording in one locale."""
    with pytest.raises(ValueError, match=r"tips\.X\.tips\.replace: 'four' is not in the base"):
        _merge(BASE, {"tips": {"X": {"tips": {"replace": [["four", "quatre"]]}}}})


@pytest.mark.parametrize("pairs", [["two", "deux"], [["two"]], [["two", 2]], "two"])
def test_a_malformed_replace_is_refused(pairs):
    with pytest.raises(ValueError, match="old, new"):
        _merge(BASE, {"tips": {"X": {"tips": {"replace": pairs}}}})


def _leaves(data: dict, path: tuple = ()):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*path, key))
        else:
            yield (*path, key), value


def test_every_locale_file_replaces_items_that_exist():
    """Each speech/<locale>.toml loads over its language: every replaced sentence is still in
    the base, word for word, and changes only its own place in the list."""
    for override_file in sorted(ROOT.glob("*-*.toml")):
        override = tomllib.loads(override_file.read_text(encoding="utf-8"))
        lang = override_file.stem.split("-")[0]
        base = {name: tomllib.loads((ROOT / lang / f"{name}.toml").read_text(encoding="utf-8"))
                for name in override if (ROOT / lang / f"{name}.toml").exists()}
        merged = _merge(base, override)
        for path, value in _leaves(override):
            if path[-1] != "replace":
                continue
            *where, _ = path
            before, after = base, merged
            for key in where:
                before, after = before[key], after[key]
            changed = {i for i, (a, b) in enumerate(zip(before, after)) if a != b}
            assert len(before) == len(after) and len(changed) == len(value), (override_file, where)
