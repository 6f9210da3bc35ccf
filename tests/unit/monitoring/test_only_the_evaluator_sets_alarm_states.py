"""Locally, an alarm's state comes from evaluating its metrics, as in CloudWatch: no demo step
or local helper sets one by hand."""

from sklambda_local.template import PROJECT_ROOT


def test_set_alarm_state_is_called_by_the_evaluator_alone():
    callers = sorted(
        path.name
        for path in (PROJECT_ROOT / "sklambda_local").glob("*.py")
        if "set_alarm_state(" in path.read_text()
    )
    assert callers == ["alarms.py"]
