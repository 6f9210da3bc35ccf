from tests.local.scenarios.core import Scenario

RETRAINING: dict[str, Scenario] = {}
