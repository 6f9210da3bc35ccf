"""Creates the template's resources in the embedded AWS, with the template's own properties."""

import json
from typing import Any

from sklambda_local.template import LOCAL_ACCOUNT, PROJECT_ROOT, LocalStack


def provision_bucket(stack: LocalStack, s3: Any, logical_id: str) -> str:
    """Create a bucket configured exactly as template.yaml configures it, and its policy."""
    name = stack.name_of(logical_id)
    props = stack.properties(logical_id)
    s3.create_bucket(Bucket=name)
    if "BucketEncryption" in props:
        # CloudFormation says ServerSideEncryptionByDefault where the S3 API says Apply….
        rules = [
            {
                "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                "BucketKeyEnabled": rule.get("BucketKeyEnabled", False),
            }
            for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    if "VersioningConfiguration" in props:
        s3.put_bucket_versioning(
            Bucket=name,
            VersioningConfiguration={"Status": props["VersioningConfiguration"]["Status"]},
        )
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    for policy_id, resource in stack.resources.items():
        if resource["Type"] == "AWS::S3::BucketPolicy":
            policy = stack.properties(policy_id)
            if policy["Bucket"] == name:
                document = _without_unevaluable_denies(policy["PolicyDocument"])
                if document["Statement"]:
                    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(document))
    return name


def _without_unevaluable_denies(document: dict[str, Any]) -> dict[str, Any]:
    """moto ignores Condition blocks, so a conditional Deny (TLS-only) would deny every call.

    Those statements are left out locally; tests check they are in the template instead.
    """
    statements = [
        statement
        for statement in document["Statement"]
        if not (statement["Effect"] == "Deny" and "Condition" in statement)
    ]
    return {**document, "Statement": statements}


def provision_state_machine(stack: LocalStack, sfn: Any, logical_id: str) -> str:
    """Create a state machine from its DefinitionUri file with the template's substitutions."""
    props = stack.properties(logical_id)
    definition = (PROJECT_ROOT / props["DefinitionUri"]).read_text()
    for name, value in props.get("DefinitionSubstitutions", {}).items():
        definition = definition.replace("${" + name + "}", str(value))
    response = sfn.create_state_machine(
        name=stack.name_of(logical_id),
        definition=definition,
        roleArn=f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{stack.name_of(logical_id)}-role",
        type=props.get("Type", "STANDARD"),
    )
    return str(response["stateMachineArn"])


def provision_queue(stack: LocalStack, sqs: Any, logical_id: str) -> str:
    props = stack.properties(logical_id)
    attributes = {
        key: str(props[key]).lower() if isinstance(props[key], bool) else str(props[key])
        for key in ("SqsManagedSseEnabled", "MessageRetentionPeriod")
        if key in props
    }
    response = sqs.create_queue(QueueName=stack.name_of(logical_id), Attributes=attributes)
    return str(response["QueueUrl"])
