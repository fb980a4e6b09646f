"""The skill package the ASK CLI deploys (``skill-package/`` and ``ask-resources.json``), built
from ``models/`` by ``checkin package`` (build.py) and checked first against Amazon's manifest and
interaction-model rules and ours (validate.py, model_rules.py, matching.py)."""
