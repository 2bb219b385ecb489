"""The service's front door, as one ASGI middleware: body size, API key and rate limit, before any route runs.

It works on the raw ASGI messages, so nothing beyond ``max_body + 1`` bytes of a request is ever held in memory: a
declared ``Content-Length`` over the limit is refused unread, and a body without one (chunked) is read only until it
passes the limit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import threading
import time
from collections import OrderedDict

OPEN_PATHS = frozenset({"/health"})  # reachable without a key and never rate limited (cheap, no model)


def key_id(secret: str) -> str:
    """A short, stable, non-reversible name for an API key or client id (safe to log and store)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class RateLimiter:
    """Token buckets per client: ``rate`` tokens a second up to ``burst``; at most ``max_clients`` buckets are kept
    (least recently seen dropped first), so many distinct clients cannot grow memory without bound."""

    def __init__(self, rate: float, burst: float, max_clients: int = 10_000, clock=time.monotonic):
        self.rate, self.burst, self.max_clients, self.clock = float(rate), float(burst), max_clients, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.lock = threading.Lock()

    def take(self, client: str) -> float:
        """Spend one token of ``client``: 0.0 when allowed, else the seconds until one is available."""
        now = self.clock()
        with self.lock:
            tokens, last = self.buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1.0 else ((1.0 - tokens) / self.rate if self.rate > 0 else math.inf)
            self.buckets[client] = (tokens - 1.0 if wait == 0.0 else tokens, now)
            while len(self.buckets) > self.max_clients:
                self.buckets.popitem(last=False)
            return wait


class KeyRing:
    """The configured API keys, compared in constant time by their sha256 (the keys are not kept in the clear)."""

    def __init__(self, keys: frozenset[str]):
        self.digests = [hashlib.sha256(k.encode()).digest() for k in keys]

    def check(self, presented: str | None) -> bool:
        """Whether ``presented`` is one of the keys."""
        if not presented:
            return False
        digest = hashlib.sha256(presented.encode("utf-8", "surrogatepass")).digest()
        return any(hmac.compare_digest(digest, d) for d in self.digests)  # no early exit on a match position


def _header(scope: dict, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k.lower() == name:
            return v.decode("latin-1")
    return None


def presented_key(scope: dict) -> str | None:
    """The API key a request (ASGI scope) carries: ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``."""
    auth = _header(scope, b"authorization") or ""
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return (_header(scope, b"x-api-key") or "").strip() or None


def client_address(scope: dict) -> str:
    """The peer address of a request (``unknown`` when the server gives none)."""
    client = scope.get("client")
    return client[0] if client else "unknown"


async def _refuse(send, status: int, error: str, reason: str, headers: dict | None = None) -> None:
    body = json.dumps({"detail": {"error": error, "reason": reason}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: 413 for a body over ``max_body`` bytes, 401 without a valid key (when ``keys`` is given),
    429 with ``Retry-After`` past the client's rate; ``OPEN_PATHS`` skip the key and rate checks."""

    def __init__(self, app, max_body: int, keys: KeyRing | None = None, limiter: RateLimiter | None = None,
                 refused: dict | None = None):  # fmt: skip
        self.app, self.max_body, self.keys, self.limiter = app, max_body, keys, limiter
        self.refused = refused if refused is not None else {}  # status -> count, shown by /health
        for status in ("401", "413", "429"):
            self.refused.setdefault(status, 0)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > self.max_body):
            return await self._too_large(send)
        if scope["path"] not in OPEN_PATHS:
            key = presented_key(scope)
            if self.keys is not None and not self.keys.check(key):
                self.refused["401"] += 1
                return await _refuse(send, 401, "unauthorized", "a valid API key is required (Authorization: "
                                     "Bearer KEY or X-API-Key)", {"www-authenticate": "Bearer"})  # fmt: skip
            if self.limiter is not None:
                # A verified key names the client; without keys only the address does (an unchecked header could
                # be changed at every request to dodge the limit).
                client = f"key:{key_id(key)}" if self.keys is not None else f"ip:{client_address(scope)}"
                if wait := self.limiter.take(client):
                    self.refused["429"] += 1
                    retry = str(max(1, math.ceil(wait))) if math.isfinite(wait) else "60"
                    return await _refuse(send, 429, "rate_limited", f"too many requests: retry in {retry} s",
                                         {"retry-after": retry})  # fmt: skip
        chunks, size = [], 0
        while True:  # read the body here, never past the limit, then hand it to the app in one message
            message = await receive()
            if message["type"] != "http.request":  # the client left
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body:
                return await self._too_large(send)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: wait for the disconnect, as the app expects
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        return await self.app(scope, replay, send)

    async def _too_large(self, send) -> None:
        self.refused["413"] += 1
        await _refuse(send, 413, "too_large", f"request body over {self.max_body} bytes (or a bad Content-Length)")


class DecisionBudget:
    """How many decision rows may be written: token buckets per client and for all clients together, refilled per
    minute (None: no cap). Rows past either cap are counted in ``dropped``, not written."""

    def __init__(self, per_minute: int | None, per_client_per_minute: int | None):
        self.all = RateLimiter(per_minute / 60.0, per_minute, max_clients=1) if per_minute else None
        self.each = RateLimiter(per_client_per_minute / 60.0, per_client_per_minute) if per_client_per_minute else None
        self.dropped = 0
        self._warned = -math.inf

    def allow(self, client: str) -> bool:
        """Whether a row for ``client`` may be written now (spends the allowance when it may)."""
        if (self.each is None or not self.each.take(client)) and (self.all is None or not self.all.take("all")):
            return True
        self.dropped += 1
        return False

    def warn_now(self) -> bool:
        """True at most once a minute: when to log that rows are being dropped."""
        now = time.monotonic()
        if now - self._warned >= 60.0:
            self._warned = now
            return True
        return False
