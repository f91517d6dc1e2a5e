"""A clock the tests can set and move.

Anything that takes ``clock=`` in the notify layer or the fakes accepts a
zero-argument callable returning POSIX seconds (a float), like ``time.time``.
A :class:`FakeClock` instance is such a callable.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone


class FakeClock:
    """A settable, thread-safe stand-in for ``time.time``."""

    def __init__(self, start: float | datetime = 1_767_225_600.0) -> None:  # 2026-01-01 UTC
        self._lock = threading.Lock()
        self._now = self._to_seconds(start)

    @staticmethod
    def _to_seconds(value: float | datetime) -> float:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            return value.timestamp()
        return float(value)

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def time(self) -> float:
        return self()

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, value: float | datetime) -> None:
        with self._lock:
            self._now = self._to_seconds(value)
