"""What `sam local invoke` sends to each template function, and what its real response must show.

Every function in template.yaml is invoked (tests/local/test_invoke.py parametrizes over the
template). A function is covered by, in this order:

1. an entry in ``SCENARIOS``: the event file, a ``check`` of the response and of what the
   function wrote, optionally a ``prepare`` that seeds what the function reads (and returns
   the event fields known only once seeded, such as a version id) and a ``restore`` that puts
   back what other scenarios rely on (the champion, the retraining lock);
2. the naming convention ``events/local_<snake_case name without "Function">.json`` (for
   ``BatchScoreFunction``: ``events/local_batch_score.json``), checked only for an error-free
   response;
3. neither: the test fails and says which of the two to add.

Scenarios share one session's embedded AWS and run in any order, so each seeds under keys of
its own and leaves the champion, the lock and the watch marker as it found them.
"""

import re
from pathlib import Path

from tests.local.scenarios.batch import BATCH
from tests.local.scenarios.core import Scenario, Seeded, check_no_error
from tests.local.scenarios.monitoring import MONITORING
from tests.local.scenarios.retraining import RETRAINING
from tests.local.scenarios.serving import SERVING

__all__ = ["SCENARIOS", "Scenario", "Seeded", "scenario_for"]

SCENARIOS: dict[str, Scenario] = {**SERVING, **BATCH, **MONITORING, **RETRAINING}


def conventional_event(function: str) -> str:
    stem = function.removesuffix("Function")
    return "local_" + re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()


def scenario_for(function: str) -> Scenario:
    if function in SCENARIOS:
        return SCENARIOS[function]
    fallback = Scenario(conventional_event(function), check_no_error)
    if not fallback.event_path.is_file():
        raise LookupError(
            f"{function} has no local scenario: add one to SCENARIOS in "
            f"{Path(__file__).parent.name}/ or an event events/{fallback.event}.json"
        )
    return fallback
