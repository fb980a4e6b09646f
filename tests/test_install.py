"""What the service imports in production is installed by `pip install .` alone: every
distribution its import path loads (gunicorn's gevent worker included) is in the requirement
closure of the package without the test extra, which brings more (pytest brings `packaging`,
which gunicorn's gevent worker needs, so a test run alone would never notice it missing)."""

from __future__ import annotations

import importlib.metadata as metadata
import json
import re
import subprocess
import sys

from packaging.requirements import Requirement

OURS = {"skill", "intents", "speech"}
# The production path: gunicorn's master and its gevent worker (skill/server.py, skill/worker.py),
# the app (skill/wsgi.py builds it from the environment: everything it imports is imported here).
PRODUCTION = ("skill.server", "skill.worker", "skill.app", "skill.logline", "skill.metrics",
              "gunicorn.app.base", "gunicorn.workers.ggevent", "gevent.pywsgi")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(name: str) -> set[str]:
    """The distributions `name` installs, with the extras each requirement asks for."""
    seen: set[tuple[str, frozenset]] = set()
    todo = [(name, frozenset())]
    while todo:
        dist, extras = todo.pop()
        if (canonical(dist), extras) in seen:
            continue
        seen.add((canonical(dist), extras))
        for line in metadata.requires(dist) or ():
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate({"extra": e})
                                         for e in {"", *extras}):
                todo.append((req.name, frozenset(req.extras)))
    return {dist for dist, _ in seen}


def imported_distributions() -> set[str]:
    code = (f"import importlib, json, sys\nfor m in {PRODUCTION!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    owners = metadata.packages_distributions()
    tops = set(json.loads(out.stdout)) - set(sys.stdlib_module_names) - OURS
    return {canonical(dist) for top in tops for dist in owners.get(top, ())}


def test_the_production_import_path_needs_nothing_the_package_does_not_declare():
    declared = closure("our-checkin")
    assert "gunicorn" in declared and "pytest" not in declared, declared
    missing = imported_distributions() - declared
    assert not missing, f"imported in production but not installed by `pip install .`: {missing}"
