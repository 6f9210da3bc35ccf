"""Demo step: the post-promotion watch. A version that passed its offline checks is promoted
the way a retraining run promotes (PromoteFunction, which starts the watch), fails on live
traffic, the API's own 5xx metrics raise PredictErrorRateAlarm as CloudWatch evaluates it,
and the alarm's state change runs the rollback state machine, which puts the previous
champion back."""

import dataclasses
import time
from typing import TYPE_CHECKING, Any

from sklambda_local import demo_monitoring
from sklambda_local.demo_retrain import follow_run, show_notifications
from sklambda_local.local_api import post_json

if TYPE_CHECKING:
    from sklambda_local.demo import DemoContext

ROLLBACK_RULE = "RollbackStateMachine.PredictServingAlarm"
REQUESTS_PER_MINUTE = 5


def _publish_broken_version(ctx: "DemoContext") -> str:
    """A packaging slip: the model was refit on 29 columns, the manifest still lists 30."""
    from sklearn.base import clone

    from sklambda.registry.bundle import publish_bundle
    from sklambda.training.data import load_bundled
    from sklambda.training.train import save_bundle

    data = load_bundled("breast_cancer")
    estimator = clone(ctx.champion_training.estimator).set_params(model__max_iter=20)
    estimator.fit(data.matrix()[:, :-1], data.target)
    broken = dataclasses.replace(ctx.champion_training, estimator=estimator)
    directory = ctx.workdir / "bundle-broken"
    save_bundle(broken, directory)
    return publish_bundle(ctx.registry, directory).version or ""


def _minute_of_traffic(ctx: "DemoContext", rows: list[list[float]]) -> list[int]:
    statuses = []
    for _ in range(REQUESTS_PER_MINUTE):
        status, _body = post_json(f"{ctx.api_url}/predict", {"instances": rows})
        statuses.append(status)
    return statuses


def run(ctx: "DemoContext") -> None:
    started = time.perf_counter()
    champion = ctx.registry.alias().pointer.version
    broken = _publish_broken_version(ctx)
    ctx.console.say(f"published {broken}: its model was fit on 29 columns, its manifest lists 30")
    promoted: dict[str, Any] = demo_monitoring.invoke(
        ctx,
        "PromoteFunction",
        {
            "run_id": "demo-release",
            "candidate_version": broken,
            "champion_version": champion,
            "reason": "a release that passed its offline checks",
        },
    )
    ctx.console.say(
        f"PromoteFunction: champion {promoted['champion']} (was {promoted['previous']}), "
        f"watched until {promoted['watch_until']}"
    )
    time.sleep(float(ctx.stack.parameter("ModelCacheTtlSeconds")) + 0.1)
    ctx.cloud.clock.advance(60)
    rows = [[float(value) for value in row] for row in demo_monitoring._rows(0, seed=21)[:5]]
    before = len(ctx.cloud.bus.delivered_to(ROLLBACK_RULE))
    for minute in range(1, 6):
        statuses = _minute_of_traffic(ctx, rows)
        results = ctx.cloud.evaluate_alarms()
        alarm = results["PredictErrorRateAlarm"]
        ctx.console.say(
            f"minute {minute}: POST /predict answered {statuses}; "
            f"PredictErrorRateAlarm {alarm.state}"
        )
        if alarm.state == "ALARM":
            ctx.console.say(f"PredictErrorRateAlarm: {alarm.reason}")
            break
        ctx.cloud.clock.advance(60)
    else:
        raise RuntimeError("PredictErrorRateAlarm never fired")
    follow_run(ctx, ROLLBACK_RULE, before)
    show_notifications(ctx, "PredictErrorRateAlarm")
    state = ctx.registry.alias()
    ctx.console.say(f"champion is {state.pointer.version} again ({broken} no longer serves)")
    time.sleep(float(ctx.stack.parameter("ModelCacheTtlSeconds")) + 0.1)
    status, body = post_json(f"{ctx.api_url}/predict", {"instances": rows})
    ctx.console.say(f"POST /predict: {status}, model {body.get('model_version')}")
    ctx.console.say(f"promotion, failures, alarm, rollback: {time.perf_counter() - started:.1f}s")
