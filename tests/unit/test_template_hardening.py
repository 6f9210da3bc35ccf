"""Infrastructure hardening: what a deployed stack cannot be made to do, and what it records."""

import re
import subprocess

import pytest

from sklambda_local.template import PROJECT_ROOT, LocalStack


def _raw(stack: LocalStack, name: str) -> dict:
    """Properties as written, intrinsic functions unresolved."""
    return stack.template["Resources"][name]["Properties"]


def _endpoint_pattern(stack: LocalStack) -> re.Pattern[str]:
    return re.compile(stack.template["Parameters"]["LocalEndpointUrl"]["AllowedPattern"])


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://127.0.0.1:5000",
        "http://localhost:4566/",
        "http://10.89.3.1:41234",
        "http://172.17.0.1:8080",
        "http://192.168.1.20:9000",
        "http://[::1]:5000",
    ],
)
def test_the_local_endpoint_accepts_loopback_and_private_test_networks(stack, url):
    assert _endpoint_pattern(stack).fullmatch(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.attacker.example",
        "http://attacker.example",
        "http://8.8.8.8",
        "http://169.254.169.254",
        "http://172.32.0.1",
        "https://127.0.0.1",
        "http://127.0.0.1.attacker.example",
        "http://10.0.0.1@attacker.example",
    ],
)
def test_a_deployed_stack_cannot_point_its_functions_elsewhere(stack, url):
    assert not _endpoint_pattern(stack).fullmatch(url)


def test_the_api_writes_json_access_logs_to_a_retained_log_group(stack):
    setting = _raw(stack, "PredictApi")["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["PredictApiAccessLogGroup", "Arn"]}
    assert "$context.requestId" in setting["Format"]
    assert "$context.status" in setting["Format"]
    assert "RetentionInDays" in stack.properties("PredictApiAccessLogGroup")


def test_the_bucket_logs_access_to_a_private_encrypted_log_bucket(stack):
    logging = _raw(stack, "ModelBucket")["LoggingConfiguration"]
    assert logging["DestinationBucketName"] == {"Ref": "AccessLogBucket"}
    target = stack.properties("AccessLogBucket")
    encryption = target["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(target["PublicAccessBlockConfiguration"].values())
    assert len(target["PublicAccessBlockConfiguration"]) == 4
    statements = _raw(stack, "AccessLogBucketPolicy")["PolicyDocument"]["Statement"]
    writers = [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in writers] == [{"Service": "logging.s3.amazonaws.com"}]
    assert writers[0]["Condition"]["ArnLike"]["aws:SourceArn"] == {
        "Fn::GetAtt": ["ModelBucket", "Arn"]
    }


def test_a_label_file_that_fails_every_retry_is_kept_in_a_queue(stack):
    function = _raw(stack, "GroundTruthFunction")
    destination = function["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert destination == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["LabelFailureQueue", "Arn"]},
    }
    rule = function["Events"]["LabelsUploaded"]["Properties"]
    assert rule["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["LabelFailureQueue", "Arn"]}
    assert stack.properties("LabelFailureQueue")["SqsManagedSseEnabled"] is True


def test_the_tracer_does_not_record_handler_responses(stack):
    variables = stack.template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"


@pytest.mark.skipif(
    not (PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov").exists(),
    reason="checkov runs in `make lint`, which creates its environment .venv-checkov",
)
def test_checkov_finds_nothing_that_is_not_suppressed_with_a_reason():
    checkov = PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov"
    result = subprocess.run(
        [str(checkov), "--config-file", ".checkov.yaml"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Failed checks: 0" in result.stdout
    config = (PROJECT_ROOT / ".checkov.yaml").read_text()
    for check in re.findall(r"^  - (CKV\w+)", config, re.MULTILINE):
        before = config.split(f"  - {check}")[0].rstrip().splitlines()[-1]
        assert before.lstrip().startswith("#"), f"{check} is skipped without a reason"
