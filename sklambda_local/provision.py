"""Creates the template's resources in the embedded AWS, with the template's own properties."""

import json
from typing import Any

from sklambda_local.template import LocalStack


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


_ALARM_INTEGERS = ("Period", "EvaluationPeriods", "DatapointsToAlarm")


def provision_alarms(stack: LocalStack, cloudwatch: Any) -> list[str]:
    """Every AWS::CloudWatch::Alarm of the template, named as the local stack names it."""
    names = []
    for logical_id, resource in stack.resources.items():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        props = stack.properties(logical_id)
        for key in _ALARM_INTEGERS:
            if key in props:
                props[key] = int(props[key])
        props["Threshold"] = float(props["Threshold"])
        name = stack.name_of(logical_id)
        cloudwatch.put_metric_alarm(AlarmName=name, **props)
        names.append(name)
    return names


def provision_dashboards(stack: LocalStack, cloudwatch: Any) -> list[str]:
    names = []
    for logical_id, resource in stack.resources.items():
        if resource["Type"] == "AWS::CloudWatch::Dashboard":
            props = stack.properties(logical_id)
            cloudwatch.put_dashboard(
                DashboardName=props["DashboardName"], DashboardBody=props["DashboardBody"]
            )
            names.append(props["DashboardName"])
    return names


def provision_delivery_stream(stack: LocalStack, firehose: Any, logical_id: str) -> str:
    """A Firehose stream to S3 with the template's destination settings.

    moto writes each PutRecordBatch straight to S3 under the same YYYY/MM/DD/HH/ layout
    Firehose uses, uncompressed (readers accept both).
    """
    name = stack.name_of(logical_id)
    props = stack.properties(logical_id)
    destination = dict(props["ExtendedS3DestinationConfiguration"])
    hints = destination.get("BufferingHints", {})
    destination["BufferingHints"] = {key: int(value) for key, value in hints.items()}
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType=props.get("DeliveryStreamType", "DirectPut"),
        ExtendedS3DestinationConfiguration=destination,
    )
    return name
