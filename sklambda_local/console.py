"""Demo output: numbered steps with their duration, so slow parts show progress."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Console:
    def __init__(self, out: TextIO | None = None) -> None:
        self._step = 0
        # Bound now: a handler running in another thread redirects sys.stdout to its log buffer.
        self._out = out or sys.stdout

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self._step += 1
        print(f"\n[{self._step}] {title} …", file=self._out, flush=True)
        started = time.perf_counter()
        yield
        print(f"    done in {time.perf_counter() - started:.1f}s", file=self._out, flush=True)

    def say(self, message: str) -> None:
        print(f"    {message}", file=self._out, flush=True)

    @staticmethod
    def fail(message: str) -> None:
        print(f"error: {message}", file=sys.stderr, flush=True)
