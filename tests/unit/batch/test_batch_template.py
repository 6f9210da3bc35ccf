"""What template.yaml and the ASL promise for batch scoring: least privilege, no dropped event."""

import json
import re

import pytest
from aws_lambda_powertools.utilities.parser import parse

from batch_handler.models import ChunkTask, Invocation, ObjectCreatedEvent, SweepEvent
from sklambda.storage import keys
from sklambda_local.template import PROJECT_ROOT
from tests.conftest import EVENTS
from tests.unit.s3_grants import grants, model_keys, under


def test_batch_function_writes_only_its_output_prefixes(stack):
    granted = grants(stack, "BatchScoreFunction")
    model = model_keys(stack, "BatchScoreFunction")
    assert granted["s3:PutObject"] == under(
        keys.SCORED_PREFIX, keys.REJECTED_PREFIX, keys.BATCH_RUNS_PREFIX, keys.BATCH_WORK_PREFIX
    )
    assert granted["s3:GetObject"] == under(
        keys.INCOMING_PREFIX, keys.BATCH_RUNS_PREFIX, keys.BATCH_WORK_PREFIX, model.model_root
    )
    assert granted["s3:DeleteObject"] == under(keys.BATCH_WORK_PREFIX)
    listed = under(
        keys.INCOMING_PREFIX, keys.BATCH_RUNS_PREFIX, keys.BATCH_WORK_PREFIX, model.model_root
    )
    assert granted["s3:ListBucket"] == granted["s3:ListBucketVersions"] == listed
    # The claim, the manifest and the parts of a run all live in the working area
    run = keys.batch_run_id(f"{keys.INCOMING_PREFIX}a.csv", "v1")
    for key in (
        keys.batch_claim_key(run),
        keys.batch_manifest_key(run),
        keys.batch_part_key(run, "scored", 0),
    ):
        assert key.startswith(keys.BATCH_WORK_PREFIX)
    lifecycle = stack.properties("ModelBucket")["LifecycleConfiguration"]["Rules"]
    assert {"Id": "expire-batch-working-files", "Prefix": keys.BATCH_WORK_PREFIX}.items() <= next(
        rule for rule in lifecycle if rule["Id"] == "expire-batch-working-files"
    ).items()
    # It may start its own state machine and nothing else
    machine = stack.properties("BatchScoreStateMachine")["Name"]
    assert {arn.rsplit(":", 1)[-1] for arn in granted["states:StartExecution"]} == {machine}
    assert stack.function_environment("BatchScoreFunction")["BATCH_STATE_MACHINE_ARN"].endswith(
        f":stateMachine:{machine}"
    )


def test_failed_events_are_retried_then_kept_in_an_encrypted_queue(stack):
    props = stack.properties("BatchScoreFunction")
    invoke = props["EventInvokeConfig"]
    assert int(invoke["MaximumRetryAttempts"]) >= 1
    assert invoke["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    queue = stack.properties("BatchFailureQueue")
    assert queue["SqsManagedSseEnabled"] is True
    rule = props["Events"]["ObjectCreated"]["Properties"]
    assert (
        rule["DeadLetterConfig"]["Arn"] == invoke["DestinationConfig"]["OnFailure"]["Destination"]
    )


def test_uploads_reach_the_function_through_eventbridge_filtered_to_incoming(stack):
    bucket = stack.properties("ModelBucket")
    assert (
        bucket["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"]
        is True
    )
    events = stack.properties("BatchScoreFunction")["Events"]
    pattern = events["ObjectCreated"]["Properties"]["Pattern"]
    assert pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"]["key"] == [{"prefix": keys.INCOMING_PREFIX}]
    assert pattern["detail"]["bucket"]["name"] == [stack.name_of("ModelBucket")]
    assert events["Sweep"]["Properties"]["Schedule"] == stack.parameter("BatchSweepSchedule")


def test_the_state_machine_is_a_distributed_map_over_a_manifest(stack):
    props = stack.properties("BatchScoreStateMachine")
    text = (PROJECT_ROOT / props["DefinitionUri"]).read_text()
    assert set(re.findall(r"\$\{(\w+)\}", text)) == set(props["DefinitionSubstitutions"])
    scoring = json.loads(text)["States"]["ScoreChunks"]
    assert scoring["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert scoring["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    assert scoring["ResultWriter"]["Parameters"]["Prefix"] == keys.MAP_RUNS_PREFIX
    assert {"MaxConcurrencyPath", "ToleratedFailurePercentagePath"} <= set(scoring)
    assert scoring["Catch"][0]["Next"] == "RecordFailure"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("batch_object_created", ObjectCreatedEvent),
        ("batch_scheduled_sweep", SweepEvent),
        ("batch_score_chunk", ChunkTask),
    ],
)
def test_sample_events_parse_as_what_they_are(name, kind):
    event = json.loads((EVENTS / f"{name}.json").read_text())
    assert isinstance(parse(event=event, model=Invocation), kind)
