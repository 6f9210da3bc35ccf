"""Creates the template's resources in the embedded AWS, with the template's own properties."""

import json
from typing import TYPE_CHECKING, Any

from sklambda_local.template import LOCAL_ACCOUNT, PROJECT_ROOT, LocalStack

if TYPE_CHECKING:
    from sklambda.registry.store import ModelRegistry


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
    if (
        props.get("NotificationConfiguration", {})
        .get("EventBridgeConfiguration", {})
        .get("EventBridgeEnabled")
    ):
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}}
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


def provision_signing_key(stack: LocalStack, kms: Any) -> str:
    """Create the manifest signing key as template.yaml specifies it; returns its alias."""
    key = stack.properties("ModelSigningKey")
    created = kms.create_key(
        KeySpec=key["KeySpec"], KeyUsage=key["KeyUsage"], Description=key["Description"]
    )
    alias = str(stack.properties("ModelSigningKeyAlias")["AliasName"])
    kms.create_alias(AliasName=alias, TargetKeyId=created["KeyMetadata"]["KeyId"])
    return alias


def provision_registry(stack: LocalStack, s3: Any, kms: Any) -> "ModelRegistry":
    """The model bucket and signing key, and a registry that signs what it publishes."""
    from sklambda.registry.signing import KmsSigner
    from sklambda.registry.store import ModelRegistry

    bucket = provision_bucket(stack, s3, "ModelBucket")
    signer = KmsSigner(kms, provision_signing_key(stack, kms))
    return ModelRegistry(s3, bucket, stack.parameter("ModelName"), signer=signer)


def stack_registry(stack: LocalStack, clients: Any, bucket: str) -> "ModelRegistry":
    """The registry of a provisioned stack, signing with the stack's key."""
    from sklambda.registry.signing import KmsSigner
    from sklambda.registry.store import ModelRegistry

    alias = str(stack.properties("ModelSigningKeyAlias")["AliasName"])
    signer = KmsSigner(clients("kms"), alias)
    return ModelRegistry(clients("s3"), bucket, stack.parameter("ModelName"), signer=signer)


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
    """Every AWS::CloudWatch::Alarm of the template, named as the local stack names it.

    An alarm that already exists as the template defines it is left alone: in AWS an
    update leaves the state unchanged, while moto's PutMetricAlarm would reset it to OK and
    undo what the evaluator raised.
    """
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
        existing = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        if not existing or _differs(existing[0], props):
            cloudwatch.put_metric_alarm(AlarmName=name, **props)
        names.append(name)
    return names


def _differs(described: dict[str, Any], props: dict[str, Any]) -> bool:
    return any(described.get(key) != value for key, value in props.items())


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


# ---------------------------------------------------------------- retraining loop (issue 5)
def provision_topic(stack: LocalStack, sns: Any, logical_id: str) -> str:
    """An SNS topic with the template's attributes (its KMS key id included)."""
    props = stack.properties(logical_id)
    attributes = {
        key: str(props[prop])
        for prop, key in (("KmsMasterKeyId", "KmsMasterKeyId"), ("DisplayName", "DisplayName"))
        if prop in props
    }
    return str(sns.create_topic(Name=stack.name_of(logical_id), Attributes=attributes)["TopicArn"])


def state_machine_definition(stack: LocalStack, logical_id: str) -> str:
    """The ASL file with its DefinitionSubstitutions applied, as SAM would deploy it."""
    props = stack.properties(logical_id)
    text = (PROJECT_ROOT / props["DefinitionUri"]).read_text()
    for key, value in props.get("DefinitionSubstitutions", {}).items():
        text = text.replace(f"${{{key}}}", str(value))
    if "${" in text:
        start = text.index("${")
        raise ValueError(
            f"{props['DefinitionUri']} has no substitution for {text[start : start + 40]}"
        )
    return text


def provision_state_machine(stack: LocalStack, sfn: Any, logical_id: str) -> str:
    arn = str(
        sfn.create_state_machine(
            name=stack.name_of(logical_id),
            definition=state_machine_definition(stack, logical_id),
            roleArn=f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{stack.name_of(logical_id)}-role",
            type=stack.properties(logical_id).get("Type", "STANDARD"),
        )["stateMachineArn"]
    )
    if arn != stack.arn_of(logical_id):
        raise ValueError(
            f"{logical_id} was created as {arn}, the template resolves {stack.arn_of(logical_id)}"
        )
    return arn


def provision_retraining(stack: LocalStack, clients: Any) -> None:
    """Everything the retraining loop needs beside the bucket: topic, alarms, state machines."""
    provision_topic(stack, clients("sns"), "NotificationTopic")
    provision_alarms(stack, clients("cloudwatch"))
    for logical_id, resource in stack.resources.items():
        if resource["Type"] == "AWS::Serverless::StateMachine":
            provision_state_machine(stack, clients("stepfunctions"), logical_id)


def provision_queue(stack: LocalStack, sqs: Any, logical_id: str) -> str:
    props = stack.properties(logical_id)
    attributes = {
        key: str(props[key]).lower() if isinstance(props[key], bool) else str(props[key])
        for key in ("SqsManagedSseEnabled", "MessageRetentionPeriod")
        if key in props
    }
    response = sqs.create_queue(QueueName=stack.name_of(logical_id), Attributes=attributes)
    return str(response["QueueUrl"])


def provision_stack(stack: LocalStack, clients: Any) -> str:
    """Every resource the local loop uses, once; returns the bucket name."""
    bucket = provision_bucket(stack, clients("s3"), "ModelBucket")
    provision_signing_key(stack, clients("kms"))
    provision_delivery_stream(stack, clients("firehose"), "CaptureDeliveryStream")
    provision_delivery_stream(stack, clients("firehose"), "CaptureLogDeliveryStream")
    provision_dashboards(stack, clients("cloudwatch"))
    provision_queue(stack, clients("sqs"), "BatchFailureQueue")
    provision_retraining(stack, clients)
    return bucket
