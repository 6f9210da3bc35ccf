"""`sklambda retrain` starts a real run of the template's state machine; `runs` lists it."""

import json

from sklambda_cli.main import main
from tests.integration.retraining.conftest import Loop, as_csv, shuffled_labels


def test_retrain_by_hand_then_list_the_run(loop: Loop, breast_cancer, capsys):
    loop.publish_champion(shuffled_labels(breast_cancer))
    loop.seed_training(as_csv(breast_cancer))
    machine = loop.stack.arn_of("RetrainStateMachine")

    assert (
        main(["retrain", "--state-machine", machine, "--reason", "labels arrived", "--wait"]) == 0
    )
    started = capsys.readouterr().out
    assert started.startswith("started manual-")
    assert "SUCCEEDED: sklambda retraining: promoted" in started
    # Each state is printed as the run enters it, before the outcome
    states = [
        line.removeprefix("  -> ") for line in started.splitlines() if line.startswith("  -> ")
    ]
    assert states[-3:] == ["Notify?", "Notify", "Finished"]
    assert "Promote" in states

    assert main(["runs", "--bucket", loop.bucket]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert "promoted" in line
    assert "manual:" in line
    assert f"champion {loop.champion()}" in line

    assert main(["runs", "--bucket", loop.bucket, "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["outcome"] == "promoted"
    assert record["champion_after"] == loop.champion()


def test_retrain_without_a_state_machine_is_one_clear_error(monkeypatch, capsys):
    monkeypatch.delenv("SKLAMBDA_RETRAIN_STATE_MACHINE", raising=False)
    assert main(["retrain"]) == 1
    assert capsys.readouterr().err == (
        "error: no state machine: pass --state-machine ARN or set SKLAMBDA_RETRAIN_STATE_MACHINE "
        "(the stack output RetrainStateMachineArn)\n"
    )


def test_runs_on_an_empty_bucket_says_so(loop: Loop, capsys):
    assert main(["runs", "--bucket", loop.bucket]) == 0
    assert "no retraining runs recorded" in capsys.readouterr().out
    assert main(["runs", "--bucket", loop.bucket, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
