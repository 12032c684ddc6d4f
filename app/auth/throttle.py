"""Login throttling: failed attempts counted per e-mail address and per client address.

Counts live in Redis when ``REDIS_URL`` is set (shared by every app container), otherwise in
the process. After ``KOERS_LOGIN_MAX_FAILURES`` failures within ``KOERS_LOGIN_WINDOW_MINUTES``
further attempts on that account are refused until the window has passed, even with the right
password. A client address may fail ten times as often before it is refused too: staff of one
town hall often share one address behind a proxy.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


@dataclass
class LoginThrottle:
    max_failures: int
    window_minutes: int
    storage_uri: str = "memory://"
    namespace: str = "koers"  # the municipality, so instances may share a Redis server

    def __post_init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(self.storage_uri))
        self._account = RateLimitItemPerMinute(self.max_failures, self.window_minutes)
        self._client = RateLimitItemPerMinute(self.max_failures * 10, self.window_minutes)

    def _keys(self, email: str, client: str) -> list[tuple[RateLimitItem, str, str]]:
        return [(self._account, f"{self.namespace}-login-email", email.strip().lower()),
                (self._client, f"{self.namespace}-login-client", client)]

    def retry_after(self, email: str, client: str) -> int:
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        waits = []
        for item, *key in self._keys(email, client):
            if not self._limiter.test(item, *key):
                reset = self._limiter.get_window_stats(item, *key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits, default=0)

    def record_failure(self, email: str, client: str) -> None:
        for item, *key in self._keys(email, client):
            self._limiter.hit(item, *key)

    def clear(self, email: str, client: str) -> None:
        # Only the account's counter: other accounts tried from the same address stay counted.
        item, *key = self._keys(email, client)[0]
        self._limiter.clear(item, *key)
