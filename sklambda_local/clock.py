"""The local stack's clock: real time plus an offset the demo can move forward.

CloudWatch evaluates alarms over hours of metric data; the demo cannot wait that long. Every
local piece that stamps or reads metric time (the EMF bridge, the API's metrics, the alarm
evaluator) reads this clock, so advancing it by one alarm period makes the next drift run
land in the next period, as the hourly schedule would, without touching what the functions
compute.
"""

import threading
from datetime import UTC, datetime, timedelta


class LocalClock:
    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def local(self, moment: datetime) -> datetime:
        """A real moment (a log line's timestamp) on this clock's timeline."""
        return moment + self._offset

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the local clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()


REAL_TIME = LocalClock()
