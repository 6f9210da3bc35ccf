"""What a function prints (its logs and EMF metrics) goes to a log file locally, as it would go
to CloudWatch Logs in AWS, so demo output stays readable; listeners can act on each line."""

import io
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

LineListener = Callable[[str, str], None]
_listeners: list[LineListener] = []
_lock = threading.Lock()
_log_path: Path | None = None


def write_function_logs_to(path: Path) -> None:
    global _log_path
    _log_path = path
    path.parent.mkdir(parents=True, exist_ok=True)


def add_listener(listener: LineListener) -> None:
    """Called with (function name, line) for every line a function prints, e.g. EMF → metrics."""
    _listeners.append(listener)


@contextmanager
def _logger_writes_to(buffer: io.StringIO) -> Iterator[None]:
    """Powertools' Logger holds the sys.stdout it saw at import; point it at the buffer too."""
    from sklambda.observability import logger

    handler = logger.registered_handler
    if not isinstance(handler, logging.StreamHandler):
        yield
        return
    previous = handler.setStream(buffer)
    try:
        yield
    finally:
        if previous is not None:
            handler.setStream(previous)


def invoke_capturing_output(
    function_name: str, handler: Callable[[Any, Any], Any], event: Any, context: Any
) -> Any:
    buffer = io.StringIO()
    with _lock, redirect_stdout(buffer), _logger_writes_to(buffer):
        result = handler(event, context)
    lines = buffer.getvalue().splitlines()
    if _log_path is not None:
        with _log_path.open("a") as log:
            log.writelines(f"[{function_name}] {line}\n" for line in lines)
    for line in lines:
        for listener in _listeners:
            listener(function_name, line)
    return result


def remove_listener(listener: LineListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)
