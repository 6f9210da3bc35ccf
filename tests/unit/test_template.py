"""template.yaml is the source of truth; these check the security defaults it promises."""

import fnmatch
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sklambda_local.template import PROJECT_ROOT, LocalStack
from tests.unit.s3_grants import grants, model_keys, under


@pytest.fixture
def resources(stack: LocalStack):
    return stack.resources


def _statements(stack: LocalStack, function: str) -> list[dict]:
    policies = stack.properties(function)["Policies"]
    return [statement for policy in policies for statement in policy["Statement"]]


def test_bucket_is_encrypted_versioned_private_and_tls_only(stack, resources):
    bucket = stack.properties("ModelBucket")
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    policy = stack.properties("ModelBucketPolicy")["PolicyDocument"]["Statement"]
    assert {
        "Effect": "Deny",
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }.items() <= next(s for s in policy if s["Sid"] == "DenyInsecureTransport").items()


def test_predict_function_can_only_read_models(stack):
    # Capture leaves as log lines (CaptureSubscriptionFilter), so no Firehose permission.
    actions = {
        action
        for statement in _statements(stack, "PredictFunction")
        if statement["Effect"] == "Allow"
        for action in statement["Action"]
    }
    assert actions == {"s3:GetObject", "s3:ListBucket", "kms:Decrypt", "kms:Verify"}
    verify = next(s for s in _statements(stack, "PredictFunction") if "kms:Verify" in s["Action"])
    assert (
        verify["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"]
        == (stack.function_environment("PredictFunction")["MODEL_SIGNING_KEY"])
    )
    model_root = model_keys(stack, "PredictFunction").model_root
    assert grants(stack, "PredictFunction")["s3:GetObject"] == under(model_root)
    assert grants(stack, "PredictFunction")["s3:ListBucket"] == under(model_root)


@pytest.mark.parametrize(("mode", "iam", "key"), [("IAM", True, False), ("API_KEY", False, True)])
def test_the_api_refuses_anonymous_calls_in_either_mode(mode, iam, key):
    stack = LocalStack(parameter_overrides={"ApiAuthMode": mode})
    auth = stack.properties("PredictApi")["Auth"]
    assert (auth.get("DefaultAuthorizer") == "AWS_IAM") is iam
    assert auth["ApiKeyRequired"] is key
    assert stack.condition("UseApiKey") is key


def test_functions_run_python313_on_arm64_with_powertools_settings(stack):
    globals_ = stack.resolve(stack.template["Globals"]["Function"])
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    assert "AWS_ENDPOINT_URL" not in globals_["Environment"]["Variables"]
    variables = globals_["Environment"]["Variables"]
    assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"} <= set(variables)


SAM = shutil.which("sam", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.skipif(SAM is None, reason="the sam CLI is not installed")
def test_sam_validate_lint_passes():
    result = subprocess.run(
        [str(SAM), "validate", "--lint", "--region", "us-east-1"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifests_are_signed_by_an_asymmetric_key_only_publishers_may_sign_with():
    stack = LocalStack()
    key = stack.properties("ModelSigningKey")
    assert (key["KeySpec"], key["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    statements = {s["Sid"]: s for s in key["KeyPolicy"]["Statement"]}
    assert all(s["Effect"] == "Allow" for s in statements.values())
    granted = {
        action: statement["Principal"]["AWS"]
        for statement in statements.values()
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    # The account root administers the key; no wildcard of its actions covers Sign or Verify.
    administer = statements["AdministerTheKey"]["Action"]
    assert not any(
        fnmatch.fnmatchcase(operation, pattern)
        for pattern in administer
        for operation in ("kms:Sign", "kms:Verify")
    )
    assert granted["kms:Sign"] == [stack.arn_of("TrainFunctionRole")]
    assert set(granted["kms:Verify"]) == {
        stack.arn_of(f"{function}Role")
        for function in (
            "PredictFunction",
            "BatchScoreFunction",
            "EvaluateFunction",
            "TrainFunction",
        )
    }
    # A CLI publisher role, when the stack names one, may sign too.
    publisher = "arn:aws:iam::123456789012:role/model-publisher"
    with_cli = LocalStack(parameter_overrides={"ModelPublisherRoleArn": publisher})
    signers = next(
        s
        for s in with_cli.properties("ModelSigningKey")["KeyPolicy"]["Statement"]
        if s["Sid"] == "PublishersSign"
    )["Principal"]["AWS"]
    assert signers == [with_cli.arn_of("TrainFunctionRole"), publisher]


def test_every_function_verifies_with_the_stack_key_and_refuses_unsigned_by_default():
    stack = LocalStack()
    assert stack.parameter("AllowUnsignedModels") == "false"
    alias = stack.properties("ModelSigningKeyAlias")["AliasName"]
    for function in ("PredictFunction", "BatchScoreFunction", "EvaluateFunction"):
        environment = stack.function_environment(function)
        assert environment["MODEL_SIGNING_KEY"] == alias
        assert environment["ALLOW_UNSIGNED_MODELS"] == "false"
