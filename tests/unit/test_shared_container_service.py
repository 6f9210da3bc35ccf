"""Two test sessions at once share the podman API service; neither stops it under the other.

A stand-in ``podman`` on PATH serves the Docker API's /_ping on the socket it is given, so the
real start-service.sh runs its acquire and release logic without a container runtime.
"""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sklambda_local.containers import SERVICE_SCRIPT

FAKE_PODMAN = textwrap.dedent(
    f"""\
    #!{sys.executable}
    import http.server, socketserver, sys

    path = sys.argv[-1].removeprefix("unix://")

    class Ping(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args):
            pass

    class Server(socketserver.UnixStreamServer):
        def get_request(self):
            request, _ = super().get_request()
            return request, ("local", 0)

    Server(path, Ping).serve_forever()
    """
)


@pytest.fixture
def service(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    podman = bin_dir / "podman"
    podman.write_text(FAKE_PODMAN)
    podman.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "SKLAMBDA_PODMAN_DIR": str(tmp_path / "svc"),
    }

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(SERVICE_SCRIPT), *arguments],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    yield run
    run("stop")


def _session() -> subprocess.Popen[bytes]:
    """A live process standing for one test session."""
    return subprocess.Popen(["sleep", "300"])


def _answers(run) -> bool:
    return run("status").returncode == 0


def test_the_first_session_to_finish_leaves_the_service_to_the_other(service):
    first, second = _session(), _session()
    try:
        assert service("acquire", str(first.pid)).stdout.startswith("DOCKER_HOST=unix://")
        assert service("acquire", str(second.pid)).returncode == 0
        # When the session that started the service finishes first
        assert service("release", str(first.pid)).returncode == 0
        # Then the other still has it
        assert _answers(service)
        # And the last one out stops it
        assert service("release", str(second.pid)).returncode == 0
        assert not _answers(service)
    finally:
        first.kill()
        second.kill()


def test_a_session_that_died_without_releasing_does_not_keep_the_service(service):
    crashed, live = _session(), _session()
    try:
        service("acquire", str(crashed.pid))
        service("acquire", str(live.pid))
        crashed.kill()
        crashed.wait()
        service("release", str(live.pid))
        assert not _answers(service)
    finally:
        live.kill()


def test_a_service_started_by_hand_is_never_stopped_by_a_session(service):
    session = _session()
    try:
        assert service("start").returncode == 0
        service("acquire", str(session.pid))
        service("release", str(session.pid))
        time.sleep(0.2)
        assert _answers(service)
    finally:
        session.kill()
