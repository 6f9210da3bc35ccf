"""The bucket policy's version guard, checked against the writes the registry really makes.

The statement in template.yaml denies a PutObject under ``versions/`` that carries no
If-None-Match; the registry's own publishes must all pass it, a plain overwrite must not.
"""

from fnmatch import fnmatchcase
from typing import Any

import pytest

from sklambda import aws
from sklambda.registry.bundle import publish_bundle
from sklambda_local.template import LocalStack


def _guard(stack: LocalStack) -> dict[str, Any]:
    statements = stack.properties("ModelBucketPolicy")["PolicyDocument"]["Statement"]
    return next(s for s in statements if s["Sid"] == "DenyOverwritingModelVersions")


def _denied(statement: dict[str, Any], stack: LocalStack, key: str, request: dict) -> bool:
    """IAM's reading of the statement for one PutObject: resource wildcards cross '/', and
    ``Null: true`` matches a request without the condition key."""
    resource = f"{stack.arn_of('ModelBucket')}/{key}"
    if statement["Action"] != "s3:PutObject" or not fnmatchcase(resource, statement["Resource"]):
        return False
    ((operator, conditions),) = statement["Condition"].items()
    assert operator == "Null"
    header_of = {"s3:if-none-match": "IfNoneMatch"}
    return all(
        (header_of[condition] not in request) == (expected == "true")
        for condition, expected in conditions.items()
    )


def test_the_guard_is_a_deny_for_everyone(stack):
    guard = _guard(stack)
    assert guard["Effect"] == "Deny"
    assert guard["Principal"] == "*"
    assert guard["Condition"] == {"Null": {"s3:if-none-match": "true"}}


def test_every_write_of_a_publish_passes_and_a_plain_overwrite_is_denied(
    registry, bundle_dir, stack
):
    puts: list[dict[str, Any]] = []
    s3 = aws.client("s3")
    s3.meta.events.register(
        "provide-client-params.s3.PutObject", lambda params, **_: puts.append(dict(params))
    )
    manifest = publish_bundle(registry, bundle_dir)
    registry.promote(manifest.version or "")
    guard = _guard(stack)

    version_puts = [put for put in puts if "/versions/" in put["Key"]]
    assert {put["Key"] for put in version_puts} >= {
        registry.version_key(manifest.version or "", "manifest.json"),
        registry.version_key(manifest.version or "", manifest.artifact.file),
    }
    assert not any(_denied(guard, stack, put["Key"], put) for put in puts)

    overwrite = {"Key": registry.version_key(manifest.version or "", manifest.artifact.file)}
    assert _denied(guard, stack, overwrite["Key"], overwrite)
    # The alias moves with If-Match; it is outside versions/ and not the guard's business.
    alias = next(put for put in puts if put["Key"].endswith("aliases/champion.json"))
    assert not _denied(guard, stack, alias["Key"], {"Key": alias["Key"]})


@pytest.mark.parametrize("other_model", ["another-model", "a.b_c"])
def test_the_guard_covers_every_model_of_the_bucket(stack, other_model):
    key = f"models/{other_model}/versions/v1/model.joblib"
    assert _denied(_guard(stack), stack, key, {"Key": key})
