"""Login throttling: failed attempts counted per e-mail address and per client address.

After ``KOERS_LOGIN_MAX_FAILURES`` failures within ``KOERS_LOGIN_WINDOW_MINUTES`` further
attempts on that account are refused until the window has passed, even with the right
password. A client address may fail ten times as often before it is refused too: staff of one
town hall often share one address behind a proxy.

The limits hold exactly across processes and containers: every attempt first *reserves* a
place in both counters under a lock (a Redis transaction, or a database transaction that
serialises per address), and only then is the password checked; a correct password gives the
place back. Counts live in Redis when ``REDIS_URL`` is set and it answers, otherwise — and
whenever Redis fails — in the database, which every process of an instance shares. Only a
keyed hash of an address is stored, never the address itself.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from app.auth.models import LoginFailure
from app.database import db, utcnow

log = logging.getLogger(__name__)
EMAIL, CLIENT = "email", "client"
#: After a Redis failure, the database counts alone for this long (no timeout per sign-in).
REDIS_RETRY_SECONDS = 30


@dataclass(frozen=True)
class Counter:
    scope: str
    key_hash: str
    limit: int


@dataclass
class Attempt:
    """A reserved attempt: ``retry_after`` > 0 means it was refused."""

    retry_after: int = 0
    counters: list[Counter] = field(default_factory=list)
    store: str = ""
    tokens: list[Any] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.retry_after > 0


class DatabaseCounts:
    """Failures as rows of ``login_failures``; one short transaction per attempt."""

    name = "database"

    def reserve(self, counters: list[Counter], window: int) -> tuple[int, list[Any]]:
        now = utcnow()
        cutoff = now - timedelta(seconds=window)
        with Session(db.engine) as session:
            if session.get_bind().dialect.name == "postgresql":
                # Serialise attempts per address; the insert below does it on SQLite.
                for counter in sorted(counters, key=lambda c: c.key_hash):
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                    {"key": int(counter.key_hash[:15], 16)})
            ids = [session.scalar(insert(LoginFailure).values(
                scope=c.scope, key_hash=c.key_hash, failed_at=now).returning(LoginFailure.id))
                for c in counters]
            wait = 0
            for counter in counters:
                recent = (LoginFailure.scope == counter.scope) & (
                    LoginFailure.key_hash == counter.key_hash) & (LoginFailure.failed_at > cutoff)
                count = session.scalar(select(func.count()).where(recent))
                if count > counter.limit:
                    # Free again once the oldest of the last `limit` others has left the window.
                    oldest = session.scalar(
                        select(LoginFailure.failed_at).where(recent, LoginFailure.id.not_in(ids))
                        .order_by(LoginFailure.failed_at.desc()).offset(counter.limit - 1)
                        .limit(1))
                    seconds = (oldest + timedelta(seconds=window) - now).total_seconds() \
                        if oldest else window
                    wait = max(wait, max(1, math.ceil(seconds)))
            if wait:
                session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))
                ids = []
            session.execute(delete(LoginFailure).where(LoginFailure.failed_at < cutoff))
            session.commit()
        return wait, ids

    def succeeded(self, attempt: Attempt, account: Counter) -> None:
        with Session(db.engine) as session:
            session.execute(delete(LoginFailure).where(
                LoginFailure.id.in_(attempt.tokens) | (
                    (LoginFailure.scope == account.scope) &
                    (LoginFailure.key_hash == account.key_hash))))
            session.commit()


class RedisCounts:
    """Failures as members of a sorted set per address, scored by time."""

    name = "redis"

    def __init__(self, url: str, namespace: str) -> None:
        from redis import Redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries: the database counts at once when Redis does not answer.
        self.redis = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1,
                                    retry=Retry(NoBackoff(), 0))
        self.namespace = namespace

    def _key(self, counter: Counter) -> str:
        return f"{self.namespace}:login:{counter.scope}:{counter.key_hash}"

    def reserve(self, counters: list[Counter], window: int) -> tuple[int, list[Any]]:
        now, member = time.time(), uuid.uuid4().hex
        pipe = self.redis.pipeline(transaction=True)
        for counter in counters:
            key = self._key(counter)
            pipe.zremrangebyscore(key, 0, now - window)
            pipe.zadd(key, {member: now})
            pipe.expire(key, window)
            pipe.zcard(key)
        counts = pipe.execute()[3::4]
        wait = 0
        for counter, count in zip(counters, counts, strict=True):
            if count > counter.limit:
                others = [(m, s) for m, s in self.redis.zrevrange(
                    self._key(counter), 0, counter.limit, withscores=True) if m != member.encode()]
                oldest = others[counter.limit - 1][1] if len(others) >= counter.limit else now
                wait = max(wait, max(1, math.ceil(oldest + window - now)))
        if wait:
            for counter in counters:
                self.redis.zrem(self._key(counter), member)
            return wait, []
        return 0, [member]

    def succeeded(self, attempt: Attempt, account: Counter) -> None:
        pipe = self.redis.pipeline(transaction=True)
        for counter in attempt.counters:
            pipe.zrem(self._key(counter), *attempt.tokens)
        pipe.delete(self._key(account))
        pipe.execute()


class LoginThrottle:
    def __init__(self, max_failures: int, window_minutes: int, redis_url: str | None,
                 namespace: str, secret: str) -> None:
        self.max_failures, self.window = max_failures, window_minutes * 60
        self._secret = secret.encode()
        self._database = DatabaseCounts()
        self._redis = RedisCounts(redis_url, namespace) if redis_url else None
        self._redis_down_until = 0.0

    def _hash(self, scope: str, value: str) -> str:
        return hmac.new(self._secret, f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()

    def _counters(self, email: str, client: str) -> list[Counter]:
        return [Counter(EMAIL, self._hash(EMAIL, email.strip().lower()), self.max_failures),
                Counter(CLIENT, self._hash(CLIENT, client), self.max_failures * 10)]

    def _stores(self) -> list[DatabaseCounts | RedisCounts]:
        if self._redis is not None and time.monotonic() >= self._redis_down_until:
            return [self._redis, self._database]
        return [self._database]

    def attempt(self, email: str, client: str) -> Attempt:
        """Reserve an attempt before the password is checked; refused ones wait."""
        from redis.exceptions import RedisError

        counters = self._counters(email, client)
        for store in self._stores():
            try:
                wait, tokens = store.reserve(counters, self.window)
            except RedisError as error:
                log.warning("login throttling: Redis unavailable (%s); counting in the "
                            "database", error.__class__.__name__)
                self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
                continue
            return Attempt(wait, counters, store.name, tokens)
        raise AssertionError("the database store always answers")  # pragma: no cover

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the attempt is no failure, and the account starts afresh
        (other accounts tried from the same address stay counted)."""
        from redis.exceptions import RedisError

        store = self._redis if attempt.store == "redis" else self._database
        try:
            store.succeeded(attempt, attempt.counters[0])  # type: ignore[union-attr]
        except RedisError as error:
            log.warning("login throttling: Redis unavailable (%s) clearing a counter",
                        error.__class__.__name__)
