"""Cached boto3 clients, one per execution environment.

Endpoints and credentials come from boto3's own environment variables (AWS_ENDPOINT_URL*,
AWS_ACCESS_KEY_ID, ...), so the same code talks to AWS in a deployment and to an embedded AWS
in tests and the demo. In Lambda the environment carries the function's role; where several
functions share one process (the in-process test harness), ``signing_as`` gives each its own.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from threading import Lock
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.loaders import Loader, create_loader


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


_signing_credentials: ContextVar[Credentials | None] = ContextVar(
    "sklambda_signing_credentials", default=None
)


@contextmanager
def signing_as(credentials: Credentials | None) -> Iterator[None]:
    """Clients asked for inside this block (in this thread) sign with these credentials;
    None means the environment's."""
    token = _signing_credentials.set(credentials)
    try:
        yield
    finally:
        _signing_credentials.reset(token)


_loader_lock = Lock()


@cache
def _data_loader() -> Loader:
    return create_loader()


def _new_client(service: str, config: Config, credentials: Credentials | None) -> Any:
    # Every session would parse the same service and endpoint JSON again (a tenth of a second
    # per client at cold start); they share one loader, which caches what it parsed.
    core = botocore.session.get_session()
    core.register_component("data_loader", _data_loader())
    with _loader_lock:
        session = (
            boto3.session.Session(
                botocore_session=core,
                aws_access_key_id=credentials.access_key_id,
                aws_secret_access_key=credentials.secret_access_key,
                aws_session_token=credentials.session_token,
            )
            if credentials
            else boto3.session.Session(botocore_session=core)
        )
        # boto3 appends its own data directory to the loader's paths once per session.
        paths = _data_loader().search_paths
        paths[:] = dict.fromkeys(paths)
        return session.client(service, config=config)  # type: ignore[call-overload]


class _ClientCache:
    """One client per service (and per signing identity), built on first use."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._clients: dict[tuple[str, Credentials | None], Any] = {}

    def __call__(self, service: str) -> Any:
        key = (service, _signing_credentials.get())
        if key not in self._clients:
            self._clients[key] = _new_client(service, self._config, key[1])
        return self._clients[key]

    def cache_clear(self) -> None:
        self._clients.clear()


client = _ClientCache(
    Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=10)
)
"""The shared client for an AWS service."""

# Calls made on the side of a prediction (data capture) must fail fast rather than retry:
# losing a sampled record costs less than a slow response.
best_effort_client = _ClientCache(
    Config(
        retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=0.5, read_timeout=1
    )
)
"""A client with short timeouts and no retries, for work a request must not wait on."""

# Loading a model runs inside a request (API Gateway gives up at 29 s, PredictFunction at 30 s):
# a registry that accepts and never answers must cost a cold request a few seconds, not the
# budget. A GET of an alias or manifest answers in milliseconds, so 2 s of silence is a fault;
# the read timeout is per socket read, so a large artifact still streams.
# Worst case: 2 attempts x (1 s connect + 2 s read) + standard mode's backoff (<= 1 s) = 7 s.
model_load_client = _ClientCache(
    Config(retries={"mode": "standard", "total_max_attempts": 2}, connect_timeout=1, read_timeout=2)
)
"""A client for fetching a model while nothing serves: a few seconds, then a 503."""


def clear_clients() -> None:
    """Forget every cached client (after a SnapStart restore, or between tests)."""
    client.cache_clear()
    best_effort_client.cache_clear()
    model_load_client.cache_clear()
