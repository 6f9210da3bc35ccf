"""The parts of the template's IAM that the enforced integration tier cannot check, because
moto does not evaluate them (sklambda_local/iam.py): condition keys, non-S3 resource ARNs and
the bucket policy. Each is pinned here instead."""

from typing import Any

import pytest

from sklambda_local.iam import policy_statements
from sklambda_local.template import LOCAL_REGION, LocalStack

ROLE_TYPES = {
    "AWS::Serverless::Function",
    "AWS::Serverless::StateMachine",
    "AWS::IAM::ManagedPolicy",
}


def _roles(stack: LocalStack) -> list[str]:
    return sorted(
        logical_id
        for logical_id, resource in stack.resources.items()
        if resource["Type"] in ROLE_TYPES
    )


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _allowed(stack: LocalStack) -> list[tuple[str, dict[str, Any]]]:
    return [
        (role, statement)
        for role in _roles(stack)
        for statement in policy_statements(stack, role)
        if statement["Effect"] == "Allow"
    ]


def test_every_role_of_the_template_is_covered(stack: LocalStack) -> None:
    assert {"PredictFunction", "BatchScoreFunction", "ModelPublisherPolicy"} <= set(_roles(stack))


def test_bucket_key_use_on_any_key_is_only_through_s3(stack: LocalStack) -> None:
    """moto ignores kms:ViaService; without it these statements would let a function decrypt
    with any key in the account."""
    for role, statement in _allowed(stack):
        kms_actions = [a for a in _listed(statement["Action"]) if a.startswith("kms:")]
        if kms_actions and statement["Resource"] == "*":
            condition = statement.get("Condition", {}).get("StringEquals", {})
            assert condition.get("kms:ViaService") == f"s3.{LOCAL_REGION}.amazonaws.com", role


def test_every_listing_is_limited_to_named_prefixes(stack: LocalStack) -> None:
    """moto ignores s3:prefix, so a listing outside these prefixes is not refused there; the
    prefixes themselves are compared with the code's keys in the template tests."""
    listings = 0
    for role, statement in _allowed(stack):
        if {"s3:ListBucket", "s3:ListBucketVersions"} & set(_listed(statement["Action"])):
            listings += 1
            prefixes = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix")
            assert prefixes, f"{role} {statement.get('Sid')} lists the whole bucket"
            assert all(p.endswith("/*") and len(p) > 2 for p in _listed(prefixes)), role
    assert listings >= 10


def test_non_s3_grants_name_resources_of_this_stack(stack: LocalStack) -> None:
    """moto checks firehose, states, sns and kms calls against Resource "*", so the tier keeps
    only their actions; the ARNs must be the template's own resources."""
    arns = {stack.arn_of(logical_id) for logical_id in stack.resources}
    for role, statement in _allowed(stack):
        services = {action.split(":", 1)[0] for action in _listed(statement["Action"])}
        if services & {"s3", "kms"}:
            continue
        for resource in _listed(statement["Resource"]):
            assert resource.removesuffix("*").removesuffix(":").rstrip("/") in arns or any(
                resource.startswith(arn.replace(":stateMachine:", ":execution:")) for arn in arns
            ), (role, resource)


@pytest.mark.parametrize("logical_id", ["ModelBucket"])
def test_the_bucket_refuses_plain_http(stack: LocalStack, logical_id: str) -> None:
    """moto evaluates no bucket policy, so aws:SecureTransport is checked here only."""
    (policy,) = [
        stack.properties(policy_id)["PolicyDocument"]
        for policy_id, resource in stack.resources.items()
        if resource["Type"] == "AWS::S3::BucketPolicy"
        and stack.properties(policy_id)["Bucket"] == stack.name_of(logical_id)
    ]
    denials = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert any(
        s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        and s["Action"] == "s3:*"
        for s in denials
    )
