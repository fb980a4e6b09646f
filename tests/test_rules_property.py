"""The streak, depth and balancing rules agree between the Lua script that applies them in
Redis (scripts.CHECKIN_LUA) and the Python rules (skill.rules), for random histories; and the
state the script packs into the household's hash reads back the same (scripts.STATUS_LUA)."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill import rules
from skill.storage import Store

history = st.lists(
    st.tuples(st.sampled_from([0, 1, 1, 1, 1, 1, 1, 2, 2, 3, -1, 5, 12, 31]),  # nights after the last
              st.sampled_from(["tonight", "tonight", "tonight", "another", "L", "M", "D"])),
    min_size=1, max_size=70,
)
bank_sizes = st.one_of(st.just((0, 0, 0)), st.tuples(*[st.integers(1, 6)] * 3))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=history, sizes=bank_sizes)
def test_lua_and_python_rules_agree(redis, plan, sizes):
    store = Store(redis)
    household = uuid.uuid4().hex
    night, checkins = 740_000, []
    for gap, mode in plan:
        night += gap
        checkins.append((night, mode))
    expected_steps = list(rules.replay(checkins, dict(zip(rules.DEPTHS, sizes))))
    used = {d: 0 for d in rules.DEPTHS}
    tonight_question, seen = None, []
    for (night, mode), (step, depth) in zip(checkins, expected_steps):
        got = store.record_checkin(household, night, mode, bank_sizes=sizes)
        state = step.state
        assert (got.counted, got.night, got.first_ever, got.rest_used) == \
            (step.counted, step.night, step.first_ever, step.rest_used), (night, mode)
        assert (got.streak, got.longest, got.total, got.rest_night) == \
            (state.streak, state.longest, state.total, state.rest), (night, mode)
        if depth is not None:
            tonight_question = (depth, used[depth])
            used[depth] += 1
        assert (got.depth, got.question_position) == tonight_question, (night, mode)
        seen.append(step)
        asks = [(m, done.night) for (_, m), done in zip(checkins, seen) if m in rules.DEPTHS]
        stored = store.status(household)  # the state as the store packs it, read back
        assert (stored.streak, stored.longest, stored.total, stored.rest_night, stored.last) == \
            (state.streak, state.longest, state.total, state.rest, state.last), (night, mode)
        assert (stored.depth, stored.question_position, stored.tonight_night, stored.used) == \
            (*tonight_question, got.night, used), (night, mode)
        steering = asks[-1] if asks and state.last - asks[-1][1] < rules.ASK_NIGHTS else None
        assert stored.ask == steering, "the last ask, while it can still steer a night"
        met = {done.night for done in seen}
        assert {n for n in range(min(met) - 9, max(met) + 9) if stored.checked_in(n)} == met


def test_the_property_test_can_fail(redis):
    """A history whose rest night the rules must refuse: a second rest within the window."""
    checkins = [(10, "tonight"), (12, "tonight"), (13, "tonight"), (15, "tonight")]
    steps = [step for step, _ in rules.replay(checkins)]
    assert [s.state.streak for s in steps] == [1, 2, 3, 1]
    store = Store(redis)
    assert [store.record_checkin("h-window", n, m).streak for n, m in checkins] == [1, 2, 3, 1]


def test_the_recent_window_is_exactly_thirty_nights(redis):
    """Six nights, the first of them exactly 29 nights before the last: all six are recent."""
    checkins = [(740_100 + n, "tonight") for n in range(5)] + [(740_100 + 29, "tonight")]
    steps = list(rules.replay(checkins))
    assert steps[-1][1] == rules.base_depth(6, 6) == "M"
    store = Store(redis)
    results = [store.record_checkin("h-window-30", n, m) for n, m in checkins]
    assert (results[-1].recent, results[-1].depth) == (6, "M")
    assert store.record_checkin("h-window-30", 740_100 + 30).recent == 6, "night 100 left the window"


@given(size=st.integers(1, 600), seed=st.binary(min_size=16, max_size=16))
@settings(max_examples=40, deadline=None)
def test_a_bank_order_is_a_permutation_and_its_inverse_undoes_it(size, seed):
    """Each pass through a bank draws every item once, and shuffled_position (used to tell which
    of a theme's questions a household has heard this pass) finds each draw's place."""
    drawn = [rules.shuffled_index(seed, at, size) for at in range(size)]
    assert sorted(drawn) == list(range(size))
    assert [rules.shuffled_position(seed, index, size) for index in drawn] == list(range(size))
