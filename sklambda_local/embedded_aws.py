"""The embedded AWS for the demo: a moto server on loopback that every boto3 client uses."""

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

from sklambda_local.template import LOCAL_REGION

LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": LOCAL_REGION,
    "AWS_REGION": LOCAL_REGION,
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def embedded_aws(host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Start moto on loopback and point this process's AWS clients at it; yields the URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = port or free_port(host)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    url = f"http://{host}:{port}"
    saved = {
        key: os.environ.get(key) for key in [*LOCAL_CREDENTIALS, "AWS_ENDPOINT_URL", "MOTO_PORT"]
    }
    # MOTO_PORT tells moto's own Step Functions interpreter where its server listens.
    os.environ.update({**LOCAL_CREDENTIALS, "AWS_ENDPOINT_URL": url, "MOTO_PORT": str(port)})
    try:
        yield url
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
