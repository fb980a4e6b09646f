"""French times the [time] table cannot say (the hook contract: lang/__init__.py).

"midi" and "minuit" are hours as well as times: "midi et demi" (12:30), "minuit et quart"
(00:15), "midi moins le quart" (11:45), "minuit dix" (00:10) take the shared shapes with the
hour they name. Alone, they are the table's named times.
"""

from __future__ import annotations

from ..spoken_time import TimeWords, shared_shapes

NAMED_HOURS = {"midi": "12", "minuit": "0"}


def hour_minute(tokens: list[str], words: TimeWords) -> tuple[int, int] | None:
    if len(tokens) < 2 or tokens[0] not in NAMED_HOURS:
        return None
    return shared_shapes([NAMED_HOURS[tokens[0]], *tokens[1:]], words)
