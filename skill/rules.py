"""The ritual's rules: how nights make a streak, which depth tonight's question has, and the order
in which a household hears each bank. One home for each rule.

``storage.CHECKIN_LUA`` applies the streak and depth rules atomically inside Redis, with the
constants below formatted into it; the functions here are the same rules in Python, used where a
request reads rather than writes (the streak as it stands tonight) and by the property test that
runs random histories through both and requires them to agree (tests/test_rules_property.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

REST_WINDOW = 7  # one missed night in any REST_WINDOW nights is a rest and keeps the streak
MILESTONES = (3, 7, 14, 30, 50, 100, 365)
RECENT_NIGHTS = 30  # depth follows the nights met in this window, and "twelve of the last thirty"
DEPTHS = ("L", "M", "D")  # light, medium, deep
# Depth follows how many nights the household met recently (tonight included), not an unbroken
# streak: the first week is light, then mostly medium, then deep one night in three. The cycle
# turns with the household's total nights, so consecutive nights differ.
LIGHT_UNTIL = 5  # up to this many recent nights: light
MEDIUM_UNTIL = 11  # up to this many: mostly medium
WARMING_CYCLE = ("M", "L", "M")
HABIT_CYCLE = ("D", "L", "M")
ASK_NIGHTS = 7  # an explicit "lighter" or "deeper" steers the depth for this many nights
MODES = ("tonight", "another", *DEPTHS)
PREVIEW_BEFORE_HOUR = 15  # earlier in the day, "tonight's question" is a preview: counts nothing


@dataclass(frozen=True)
class Streak:
    """What the streak rule needs to know of a household."""

    last: int | None = None  # the last night checked in
    streak: int = 0
    longest: int = 0
    total: int = 0
    rest: int | None = None  # the rest night of the current run


@dataclass(frozen=True)
class Advance:
    state: Streak
    counted: bool  # the night was new
    night: int  # the night recorded (a night before the last one counts as the last)
    rest_used: int | None  # the rest night this check-in bridged
    first_ever: bool


def rest_allowed(rest: int | None, missed: int) -> bool:
    """May `missed` be a rest night, given the run's rest night so far?"""
    return rest is None or missed - rest >= REST_WINDOW


def advance(state: Streak, night: int) -> Advance:
    """A check-in on `night` (idempotent for a night already counted)."""
    last = state.last
    if last is not None and night <= last:
        return Advance(state, False, last, None, False)
    rest, rest_used = state.rest, None
    if last is None:
        streak = 1
    elif night - last == 1:
        streak = state.streak + 1
    elif night - last == 2 and rest_allowed(rest, night - 1):
        streak, rest = state.streak + 1, night - 1
        rest_used = rest
    else:
        streak = 1
    if streak == 1:
        rest = None
    new = Streak(last=night, streak=streak, longest=max(state.longest, streak),
                 total=state.total + 1, rest=rest)
    return Advance(new, True, night, rest_used, last is None)


def current_streak(state: Streak, tonight: int) -> int:
    """The streak as it stands tonight: 0 once two nights in a row were missed (or a second
    rest would fall within the window)."""
    if state.last is None:
        return 0
    gap = tonight - state.last
    if gap <= 1:
        return state.streak
    if gap == 2 and rest_allowed(state.rest, tonight - 1):
        return state.streak  # tonight's check-in would use the rest night
    return 0


# -- depth ---------------------------------------------------------------------------------------

def base_depth(recent: int, total: int) -> str:
    """Tonight's depth from the nights met in the last RECENT_NIGHTS (tonight included)."""
    if recent <= LIGHT_UNTIL:
        return "L"
    cycle = WARMING_CYCLE if recent <= MEDIUM_UNTIL else HABIT_CYCLE
    return cycle[total % len(cycle)]


def steered(depth: str, ask: tuple[str, int] | None, night: int) -> str:
    """A recent explicit ask steers the depth: after "lighter", no deep night for a while;
    after "deeper", no light one."""
    if ask is None or not 0 <= night - ask[1] < ASK_NIGHTS:
        return depth
    if ask[0] == "L" and depth == "D":
        return "M"
    if ask[0] == "D" and depth == "L":
        return "M"
    return depth


def choose_depth(mode: str, night: int, tonight: tuple[int | None, str | None],
                 used: dict[str, int], sizes: dict[str, int], *, recent: int, total: int,
                 ask: tuple[str, int] | None = None) -> str | None:
    """The depth of the question to draw, or None to keep tonight's question.

    `tonight` is (night, depth) of the question already chosen, `used` how many of each bank
    the household has drawn, `sizes` the banks' sizes (all 0: no balancing), `recent` the nights
    met in the last RECENT_NIGHTS and `total` all nights (tonight included), `ask` the last
    explicit depth asked for and its night.
    """
    if mode == "tonight":
        if tonight[0] == night:
            return None
        depth = steered(base_depth(recent, total), ask, night)
    elif mode == "another":
        depth = tonight[1] if tonight[0] == night and tonight[1] else "L"
    else:
        return mode
    if all(sizes.get(d, 0) > 0 for d in DEPTHS):
        # never start a second pass through one bank while another still has unheard questions
        best = min(DEPTHS, key=lambda d: used.get(d, 0) / sizes[d])
        best_share = used.get(best, 0) / sizes[best]
        if used.get(depth, 0) // sizes[depth] > int(best_share):
            depth = best
    return depth


# -- the order of each bank ----------------------------------------------------------------------

def _feistel_round(key: bytes, half: int, round_: int, mask: int) -> int:
    digest = hashlib.blake2b(half.to_bytes(4, "big") + bytes((round_,)), key=key,
                             digest_size=4).digest()
    return int.from_bytes(digest, "big") & mask


def shuffled_index(key: bytes, index: int, size: int) -> int:
    """Where `index` lands in a keyed pseudo-random permutation of range(size), in O(1): a
    four-round Feistel network over the next even power of two, walked until it falls inside
    the range. Each household gets its own order without storing or caching a shuffle."""
    half_bits = max(1, ((size - 1).bit_length() + 1) // 2)
    mask = (1 << half_bits) - 1
    value = index
    while True:
        left, right = value >> half_bits, value & mask
        for round_ in range(4):
            left, right = right, left ^ _feistel_round(key, right, round_, mask)
        value = (left << half_bits) | right
        if value < size:
            return value


def shuffled_position(key: bytes, value: int, size: int) -> int:
    """The inverse of shuffled_index: the `index` that lands on `value`."""
    half_bits = max(1, ((size - 1).bit_length() + 1) // 2)
    mask = (1 << half_bits) - 1
    while True:
        left, right = value >> half_bits, value & mask
        for round_ in reversed(range(4)):
            left, right = right ^ _feistel_round(key, left, round_, mask), left
        value = (left << half_bits) | right
        if value < size:
            return value


def _pass_key(household: str, depth: str, cycle: int) -> bytes:
    return hashlib.blake2b(f"{household}:{depth}:{cycle}".encode(), digest_size=16).digest()


def bank_index(household: str, depth: str, position: int, size: int) -> int:
    """The index in a bank of `size` of the household's `position`-th draw from it: every item
    once per pass, and a new order each pass."""
    cycle, index = divmod(position, size)
    return shuffled_index(_pass_key(household, depth, cycle), index, size)


def pass_position(household: str, depth: str, position: int, size: int, index: int) -> int:
    """Where `index` of a bank of `size` comes in the household's pass through the bank that
    holds draw `position`, counted from that pass's start (the inverse of bank_index)."""
    return shuffled_position(_pass_key(household, depth, position // size), index, size)


def unsaved_index(who: str, night: int, size: int) -> int:
    """Tonight's question when storage cannot be reached: the same for the same night."""
    digest = hashlib.sha256(f"{who}:{night}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % size


def rotation_index(key: str, position: int, size: int) -> int:
    """The item at `position` of a per-household rotation through a bank of `size` (tips,
    phrases, greetings...): the household's own order of the bank, walked round and round, so
    any `size` items in a row are all different and none comes twice in a row."""
    if size <= 1:
        return 0
    return shuffled_index(hashlib.blake2b(key.encode(), digest_size=16).digest(),
                          position % size, size)


def recent_nights(history: set[int], night: int) -> int:
    """Nights met in the RECENT_NIGHTS ending with `night`."""
    return sum(1 for n in history if night - RECENT_NIGHTS < n <= night)


def replay(nights_and_modes, sizes: dict[str, int] | None = None):
    """The rules applied to a history of (night, mode) check-ins, as CHECKIN_LUA applies them:
    yields (Advance, depth drawn or None) per check-in. For tests and tools."""
    state, used = Streak(), {d: 0 for d in DEPTHS}
    tonight: tuple[int | None, str | None] = (None, None)
    history: set[int] = set()
    ask: tuple[str, int] | None = None
    for night, mode in nights_and_modes:
        step = advance(state, night)
        state = step.state
        history.add(step.night)
        depth = choose_depth(mode, step.night, tonight, used, sizes or {},
                             recent=recent_nights(history, step.night), total=state.total, ask=ask)
        if mode in DEPTHS:
            ask = (mode, step.night)
        if depth is not None:
            used[depth] += 1
            tonight = (step.night, depth)
        yield step, depth
