"""What a function prints (its logs and EMF metrics) goes to a log file locally, as it would go
to CloudWatch Logs in AWS, so demo output stays readable; listeners can act on each line."""

import io
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


class _ThreadRoutedStream(io.TextIOBase):
    """Writes from the invoking thread go to the function's buffer, all others where they went.

    The embedded Step Functions runs functions on its own threads while the CLI or the demo
    prints progress on the main thread; swapping ``sys.stdout`` for everyone would file those
    prints under the function's logs.
    """

    def __init__(self, function_output: io.StringIO, others: Any) -> None:
        super().__init__()
        self._function_output = function_output
        self._others = others
        self._invoking_thread = threading.get_ident()

    def _target(self) -> Any:
        if threading.get_ident() == self._invoking_thread:
            return self._function_output
        return self._others

    def write(self, text: str) -> int:
        return int(self._target().write(text) or 0)

    def flush(self) -> None:
        self._target().flush()

    def writable(self) -> bool:
        return True


@contextmanager
def _function_output_to(buffer: io.StringIO) -> Iterator[None]:
    """Route this thread's stdout, and Powertools' Logger (which holds the sys.stdout it saw at
    import), to the buffer."""
    from sklambda.observability import logger

    previous_stdout = sys.stdout
    sys.stdout = _ThreadRoutedStream(buffer, previous_stdout)
    handler = logger.registered_handler
    stream_handler = handler if isinstance(handler, logging.StreamHandler) else None
    previous_stream = None
    if stream_handler is not None:
        previous_stream = stream_handler.setStream(
            _ThreadRoutedStream(buffer, stream_handler.stream)
        )
    try:
        yield
    finally:
        sys.stdout = previous_stdout
        if stream_handler is not None and previous_stream is not None:
            stream_handler.setStream(previous_stream)


def invoke_capturing_output(
    function_name: str, handler: Callable[[Any, Any], Any], event: Any, context: Any
) -> Any:
    buffer = io.StringIO()
    with _lock, _function_output_to(buffer):
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
