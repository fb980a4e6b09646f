"""``checkin faults``: the faults and abuse of issue 16 against a running service, on loopback.

One run starts, on 127.0.0.1 only: a private Redis, the Alexa API stand-in (which can hang or
drip its answers), and the skill under gunicorn with the production settings
(``skill.server.SETTINGS``) and verification ON against a throwaway CA (``skill.dev.bench``'s
app and servers). Then each scenario sends signed launch requests from new devices at a fixed
rate while one fault is on: slow clients, a hanging or dripping time-zone API at 20 and 50 new
devices a second, Redis frozen or stopped, Redis out of memory, a worker killed. It prints one
row per scenario: requests, answers within 8 s and 1.5 s, 5xx, no answer, check-ins lost (the
skill answered as saved, Redis does not have it). Every loop is bounded in count and time.

The modules: ``commands`` (the command), ``scenarios`` (each fault and the table), ``driver``
(the open-loop sender), ``slow`` (connections that send slowly or not at all).
"""

from __future__ import annotations

from skill.errors import CommandError


class FaultsError(CommandError):
    """The fault run could not run; printed as one line."""

    def __str__(self) -> str:
        return f"fault run failed: {super().__str__()}"
