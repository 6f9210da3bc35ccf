"""The enforced tier can fail: a function's template role is refused what its policy does not
grant, and a policy narrowed by one prefix breaks the scenario that needs it."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sklambda import aws
from sklambda.registry.manifest import Manifest
from sklambda.registry.store import ModelRegistry
from sklambda_local.iam import enforcement_requested, running_as
from sklambda_local.template import LocalStack
from tests.integration.conftest import FakeLambdaContext, load_event
from tests.integration.narrowing import narrowed

pytestmark = pytest.mark.skipif(
    not enforcement_requested(), reason="SKLAMBDA_ENFORCE_IAM=0 turns IAM enforcement off"
)


def _denied(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return str(raised.value.response["Error"]["Code"])


def test_the_predict_role_reads_the_registry_but_cannot_write_under_models(
    stack: LocalStack, registry: ModelRegistry, champion: Manifest
) -> None:
    version_root = f"models/{registry.model_name}/versions/{champion.version}/"
    with running_as(stack, "PredictFunction"):
        s3 = aws.client("s3")
        s3.get_object(Bucket=registry.bucket, Key=f"{version_root}manifest.json")
        assert (
            _denied(lambda: s3.put_object(Bucket=registry.bucket, Key=f"{version_root}x", Body=b""))
            == "AccessDenied"
        )
        # moto ignores s3:prefix: a listing outside models/<name>/ is not refused here
        # (tests/unit/test_iam_conditions.py pins the condition instead).
        alias = f"models/{registry.model_name}/aliases/champion.json"
        assert (
            _denied(lambda: s3.put_object(Bucket=registry.bucket, Key=alias, Body=b"{}"))
            == "AccessDenied"
        )


def test_the_batch_role_reads_uploads_but_cannot_read_labels(
    stack: LocalStack, registry: ModelRegistry
) -> None:
    s3 = aws.client("s3")
    s3.put_object(Bucket=registry.bucket, Key="incoming/rows.csv", Body=b"a\n1\n")
    s3.put_object(Bucket=registry.bucket, Key="labels/2026/labels.csv", Body=b"id,label\n")
    # moto ignores kms:ViaService, and S3 never calls KMS as the caller here: decrypting is
    # allowed by the bucket key statement alone (pinned in tests/unit/test_iam_conditions.py).
    with running_as(stack, "BatchScoreFunction"):
        batch_s3 = aws.client("s3")
        batch_s3.get_object(Bucket=registry.bucket, Key="incoming/rows.csv")
        assert (
            _denied(
                lambda: batch_s3.get_object(Bucket=registry.bucket, Key="labels/2026/labels.csv")
            )
            == "AccessDenied"
        )


@pytest.mark.parametrize(
    ("policy", "status"),
    [
        (None, 200),
        (
            (
                "ReadModelRegistry",
                "${ModelBucket.Arn}/models/${ModelName}/*",
                "${ModelBucket.Arn}/models/${ModelName}/aliases/*",
            ),
            503,
        ),
    ],
    ids=["as-deployed", "versions-prefix-dropped"],
)
def test_predicting_needs_the_whole_model_prefix(
    stack: LocalStack,
    champion: Manifest,
    predict_env: dict[str, str],
    policy: tuple[str, str, str] | None,
    status: int,
) -> None:
    from predict_handler import dependencies
    from predict_handler.handlers.api import lambda_handler

    role_stack = narrowed("PredictFunction", *policy) if policy else stack
    dependencies.reset()
    with running_as(role_stack, "PredictFunction"):
        response = lambda_handler(load_event("predict_one_row"), FakeLambdaContext())
    dependencies.reset()
    assert response["statusCode"] == status
    assert ("AccessDenied" in response["body"]) is (policy is not None)
