"""The template's log subscription filters, and the Firehose processing they rely on.

In AWS a subscription filter sends the lines of a log group that match its pattern to a
Firehose stream as gzip CloudWatch Logs envelopes, and the stream's processors (decompress,
extract the messages, add a newline) turn them back into the lines themselves. moto does
neither step, so this function_logs listener does both, driven by the template's
``AWS::Logs::SubscriptionFilter`` and the stream's ``ProcessingConfiguration``, then puts the
result into moto's Firehose, which writes it to S3 as the real stream would.
"""

import gzip
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sklambda_local.filter_pattern import json_filter_pattern
from sklambda_local.template import LOCAL_ACCOUNT, LocalStack


@dataclass(frozen=True)
class Subscription:
    name: str
    log_group: str
    matches: Callable[[str], bool]
    stream_logical_id: str
    stream_name: str
    processors: list[dict[str, Any]]


def subscriptions(stack: LocalStack) -> list[Subscription]:
    streams = {
        stack.arn_of(logical_id): logical_id
        for logical_id, resource in stack.resources.items()
        if resource["Type"] == "AWS::KinesisFirehose::DeliveryStream"
    }
    found = []
    for logical_id, resource in stack.resources.items():
        if resource["Type"] != "AWS::Logs::SubscriptionFilter":
            continue
        props = stack.properties(logical_id)
        stream_id = streams[props["DestinationArn"]]
        destination = stack.properties(stream_id)["ExtendedS3DestinationConfiguration"]
        processing = destination.get("ProcessingConfiguration", {})
        found.append(
            Subscription(
                name=stack.name_of(logical_id),
                log_group=props["LogGroupName"],
                matches=json_filter_pattern(props["FilterPattern"]),
                stream_logical_id=stream_id,
                stream_name=stack.name_of(stream_id),
                processors=processing.get("Processors", []) if processing.get("Enabled") else [],
            )
        )
    return found


def subscription_payload(subscription: Subscription, log_stream: str, messages: list[str]) -> bytes:
    """What CloudWatch Logs puts to the destination: a gzip DATA_MESSAGE envelope."""
    now = int(time.time() * 1000)
    envelope = {
        "messageType": "DATA_MESSAGE",
        "owner": LOCAL_ACCOUNT,
        "logGroup": subscription.log_group,
        "logStream": log_stream,
        "subscriptionFilters": [subscription.name],
        "logEvents": [
            {"id": uuid.uuid4().hex, "timestamp": now, "message": message} for message in messages
        ],
    }
    return gzip.compress(json.dumps(envelope).encode())


def firehose_processing(processors: list[dict[str, Any]], data: bytes) -> bytes:
    """Firehose's built-in processors, in the template's order; any other type raises."""
    for processor in processors:
        parameters = {
            item["ParameterName"]: item["ParameterValue"]
            for item in processor.get("Parameters", [])
        }
        kind = processor["Type"]
        if kind == "Decompression" and parameters.get("CompressionFormat") == "GZIP":
            data = gzip.decompress(data)
        elif (
            kind == "CloudWatchLogProcessing" and parameters.get("DataMessageExtraction") == "true"
        ):
            events = json.loads(data)["logEvents"]
            data = "\n".join(event["message"] for event in events).encode()
        elif kind == "AppendDelimiterToRecord":
            data += b"\n"
        else:
            raise NotImplementedError(f"no local Firehose processor {kind} {parameters}")
    return data


def forward_subscribed_lines(
    stack: LocalStack, firehose_client: Callable[[], Any]
) -> Callable[[str, str], None]:
    """A function_logs listener: lines a subscription selects go on to its Firehose stream."""
    by_function: dict[str, list[Subscription]] = {}
    for subscription in subscriptions(stack):
        for function_id in stack.function_ids:
            if subscription.log_group == f"/aws/lambda/{stack.name_of(function_id)}":
                by_function.setdefault(function_id, []).append(subscription)

    def listen(function_name: str, line: str) -> None:
        for subscription in by_function.get(function_name, []):
            if not subscription.matches(line):
                continue
            payload = subscription_payload(subscription, f"local/{function_name}", [line])
            firehose_client().put_record_batch(
                DeliveryStreamName=subscription.stream_name,
                Records=[{"Data": firehose_processing(subscription.processors, payload)}],
            )

    return listen
