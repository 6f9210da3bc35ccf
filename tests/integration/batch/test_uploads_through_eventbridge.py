"""The local stack `make serve` runs scores an upload the way AWS does: S3's own EventBridge
notification, the template's rule, BatchScoreFunction, and the Distributed Map for a large
file, with no event built by hand."""

from collections.abc import Iterator

import pytest

from sklambda import aws
from sklambda_local.cloud import LocalCloud, local_cloud
from sklambda_local.demo_batch import wait_for_run_record
from sklambda_local.provision import provision_queue, provision_state_machine
from sklambda_local.template import LocalStack

RULE = "BatchScoreFunction.ObjectCreated"


@pytest.fixture
def cloud(registry, champion, stack: LocalStack, tmp_path) -> Iterator[LocalCloud]:
    from batch_handler import dependencies

    dependencies.reset()
    provision_state_machine(stack, aws.client("stepfunctions"), "BatchScoreStateMachine")
    provision_queue(stack, aws.client("sqs"), "BatchFailureQueue")
    overrides = {"BatchScoreFunction": {"MODEL_CACHE_DIR": str(tmp_path / "models")}}
    with local_cloud(stack, aws.client, overrides) as running:
        yield running
    dependencies.reset()


def _csv(rows: int, champion) -> str:
    names = [feature.name for feature in champion.feature_schema.features]
    line = ",".join(["1.5"] * len(names))
    return "\n".join([",".join(names), *([line] * rows), "p-bad," + line[4:]]) + "\n"


def test_an_upload_to_incoming_is_scored_and_its_outputs_found(cloud, registry, champion):
    s3 = aws.client("s3")
    s3.put_object(Bucket=registry.bucket, Key="incoming/user/mine.csv", Body=_csv(25, champion))

    record = wait_for_run_record(s3, registry.bucket, "incoming/user/mine.csv", 60)

    assert record["status"] == "succeeded", record
    assert (record["rows_read"], record["rows_scored"], record["rows_rejected"]) == (26, 25, 1)
    assert record["model_version"] == champion.version
    scored = s3.get_object(Bucket=registry.bucket, Key="scored/user/mine.csv")["Body"].read()
    assert len(scored.decode().splitlines()) == 26
    delivery = cloud.bus.wait_for_delivery(RULE, 0)
    assert delivery.event["source"] == "aws.s3"
    assert delivery.event["detail"]["object"]["key"] == "incoming/user/mine.csv"
    assert not delivery.failed


def test_uploads_elsewhere_in_the_bucket_start_nothing(cloud, registry):
    aws.client("s3").put_object(Bucket=registry.bucket, Key="scored/x.csv", Body=b"a\n1\n")
    aws.client("s3").put_object(Bucket=registry.bucket, Key="incoming/y.csv", Body=b"a\n1\n")
    cloud.bus.wait_for_delivery(RULE, 0, 30)
    assert [item.event["detail"]["object"]["key"] for item in cloud.bus.delivered_to(RULE)] == [
        "incoming/y.csv"
    ]


def test_sklambda_score_uploads_waits_and_downloads_the_outputs(
    cloud, registry, champion, tmp_path, capsys
):
    from sklambda_cli.main import main

    source = tmp_path / "patients.csv"
    source.write_text(_csv(12, champion))

    code = main(
        ["score", str(source), "--wait", "--bucket", registry.bucket, "--out", str(tmp_path / "o")]
    )

    printed = capsys.readouterr().out
    assert code == 0, printed
    assert (
        f"succeeded (single): read 13, scored 12, rejected 1, model {champion.version}" in printed
    )
    scored = (tmp_path / "o" / "scored-patients.csv").read_text().splitlines()
    rejected = (tmp_path / "o" / "rejected-patients.csv").read_text().splitlines()
    assert (len(scored), len(rejected)) == (13, 2)
