"""The offline simulator: talk to the skill by typing, with no device and no Amazon account.

``checkin chat`` holds a conversation, ``checkin say "..."`` does one turn. What you type is
resolved against ``models/<locale>.json`` the way Alexa would (launch phrasing, one-shots, sample
utterances with slots and entity resolution, the built-in intents, Fallback), sent as a real
request envelope (in-process, or over HTTP with ``--url``), and the answer is printed as readable
text: the speech, the reprompt, whether the microphone stays open, directives, and the Alexa API
calls the skill made (answered by a local :class:`~skill.dev.standin.AlexaStandin` that knows the
device's time zone). A simulated clock (``--at``, ``--tz``) walks a month of nights in seconds.

The modules, each importing only those listed before it:

- ``errors``: :class:`SimulatorError`, a command error the CLI prints as one line;
- ``spoken_time``: spoken times into AMAZON.TIME values, from one language's word tables;
- ``lang``: each language's words (``lang/<lang>.toml``: launch and one-shot phrasing, fillers,
  the built-in intents' phrasings, spoken times) and its time hooks (``lang/<lang>.py``);
- ``resolver``: the interaction model and the utterance resolver;
- ``transcript``: one :class:`Turn` and how it prints;
- ``session``: the :class:`Simulator` (clock, session, sending, state file) and the simulated ids;
- ``commands``: ``checkin chat`` and ``checkin say``.

Tests use the same machinery as a library::

    with Simulator(lambda clock: create_app(config, clock=clock), at="2026-12-01T21:30") as sim:
        turn = sim.say("start our check in")      # Turn: speech, reprompt, listening, ...
        sim.advance(days=1, to="21:30")           # tomorrow evening
        assert "2 nights" in sim.say("open our check in").speech
"""

from .session import Simulator

__all__ = ["Simulator"]
