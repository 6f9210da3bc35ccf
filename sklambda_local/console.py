"""Demo output: numbered steps with their duration, so slow parts show progress."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Console:
    def __init__(self) -> None:
        self._step = 0

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self._step += 1
        print(f"\n[{self._step}] {title} …", flush=True)
        started = time.perf_counter()
        yield
        print(f"    done in {time.perf_counter() - started:.1f}s", flush=True)

    @staticmethod
    def say(message: str) -> None:
        print(f"    {message}", flush=True)

    @staticmethod
    def fail(message: str) -> None:
        print(f"error: {message}", file=sys.stderr, flush=True)
