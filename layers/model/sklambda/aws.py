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


# Calls made on the side of a prediction (data capture) must fail fast rather than retry:
# losing a sampled record costs less than a slow response.
_BEST_EFFORT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=0.5,
    read_timeout=1,
)


@cache
def best_effort_client(service: str) -> Any:
    """A client with short timeouts and no retries, for work a request must not wait on."""
    return boto3.session.Session().client(service, config=_BEST_EFFORT_CONFIG)  # type: ignore[call-overload]
