"""Cached boto3 clients, one per execution environment.

Endpoints come from boto3's own AWS_ENDPOINT_URL* variables, so the same code talks
to AWS in a deployment and to an embedded AWS in tests and the demo.
"""

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=10,
)


@cache
def client(service: str) -> Any:
    """Return the shared client for an AWS service, built on first use."""
    return boto3.session.Session().client(service, config=_CLIENT_CONFIG)  # type: ignore[call-overload]
