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


def _new_client(service: str, config: Config) -> Any:
    return boto3.session.Session().client(service, config=config)  # type: ignore[call-overload]


@cache
def client(service: str) -> Any:
    """Return the shared client for an AWS service, built on first use."""
    return _new_client(service, _CLIENT_CONFIG)


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
    return _new_client(service, _BEST_EFFORT_CONFIG)


# Loading a model runs inside a request (API Gateway gives up at 29 s, PredictFunction at 30 s):
# a registry that accepts and never answers must cost a cold request a few seconds, not the
# budget. A GET of an alias or manifest answers in milliseconds, so 2 s of silence is a fault;
# the read timeout is per socket read, so a large artifact still streams.
# Worst case: 2 attempts x (1 s connect + 2 s read) + standard mode's backoff (<= 1 s) = 7 s.
_MODEL_LOAD_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 2},
    connect_timeout=1,
    read_timeout=2,
)


@cache
def model_load_client(service: str) -> Any:
    """A client for fetching a model while nothing serves: a few seconds, then a 503."""
    return _new_client(service, _MODEL_LOAD_CONFIG)


def clear_clients() -> None:
    """Forget every cached client (after a SnapStart restore, or between tests)."""
    client.cache_clear()
    best_effort_client.cache_clear()
    model_load_client.cache_clear()
