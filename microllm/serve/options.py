"""What a service is allowed to do and for whom: bind address, API keys, limits, docs, the A/B split.

:class:`ServeOptions` is plain data; :func:`options_from_args` builds it from ``microllm serve`` arguments (any
argument the parser does not define takes its default) and refuses a configuration that would expose the service
(a non-loopback address without API keys) before any model is loaded.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

KEYS_ENV = "MICROLLM_API_KEYS"  # comma- or whitespace-separated keys
MIN_KEY_CHARS = 16  # a guessable key is no key


class ServeConfigError(ValueError):
    """A service configuration that must not start (the message says what to change)."""


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the service on this machine (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a hostname: it may resolve to anything, so it counts as a network address
        return False


def load_api_keys(path: str | Path | None = None, env: dict | None = None) -> frozenset[str]:
    """API keys from a token file (one per line; blank lines and ``#`` comments skipped) and ``$MICROLLM_API_KEYS``.

    Keys shorter than :data:`MIN_KEY_CHARS` are refused (the error never quotes a key)."""
    env = os.environ if env is None else env
    keys = set(re.split(r"[\s,]+", env.get(KEYS_ENV, "").strip())) - {""}
    if path:
        p = Path(path).expanduser()
        if not p.is_file():
            raise ServeConfigError(f"API key file {p} does not exist")
        keys |= {s for line in p.read_text(encoding="utf-8").splitlines() if (s := line.strip()) and s[0] != "#"}
    if short := sum(len(k) < MIN_KEY_CHARS for k in keys):
        raise ServeConfigError(f"{short} API key(s) shorter than {MIN_KEY_CHARS} characters: use long random keys "
                               "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")  # fmt: skip
    return frozenset(keys)


@dataclass
class ServeOptions:
    """Service settings; the defaults suit a loopback service for one local user.

    Decision logging is bounded by a cap on rows per minute, per client and in all, rather than by sampling: below
    the cap every decision is kept (reviews and the A/B arms see all traffic), above it the extra rows are dropped
    and counted in ``/health``, so a flood can neither fill the disk nor bury the review queue, and the request is
    still answered.
    """

    host: str = "127.0.0.1"
    api_keys: frozenset[str] = frozenset()
    max_body_bytes: int = 16 * 1024
    rate_per_s: float | None = 10.0  # per client (API key, else address); None or 0: no limit
    rate_burst: int = 30
    docs: bool = False  # /docs, /redoc and /openapi.json
    micro_share: float = 1.0  # share of clients answered by the micro arm (when no rollout state file says)
    shadow: bool = False  # the arm not answering also parses, for comparison only
    rollout_state: Path | None = None  # JSON written by microllm.serve.rollout; re-read when it changes
    log_rows_per_minute: int | None = 300  # decision rows, all clients together; None: no cap
    log_rows_per_client_per_minute: int | None = 60
    max_concurrency: int = 64  # connections and tasks uvicorn accepts at once (503 beyond)
    model_options: dict[str, dict] = field(default_factory=dict)  # role -> what the model was loaded with

    @property
    def require_keys(self) -> bool:
        """Keys are checked whenever some are configured, and must be configured off loopback."""
        return bool(self.api_keys) or not is_loopback(self.host)

    def check(self) -> None:
        """Raise :class:`ServeConfigError` for a configuration that must not start."""
        if not is_loopback(self.host) and not self.api_keys:
            raise ServeConfigError(f"refusing to serve on {self.host} without API keys: give --api-keys-file FILE "
                                   f"(one key per line) or set {KEYS_ENV}, or bind 127.0.0.1")  # fmt: skip
        if not 0.0 <= self.micro_share <= 1.0:
            raise ServeConfigError(f"micro share must be within [0, 1], got {self.micro_share}")
        if self.max_body_bytes < 256:
            raise ServeConfigError(f"max body must be at least 256 bytes, got {self.max_body_bytes}")
        if self.rate_per_s is not None and (self.rate_per_s < 0 or self.rate_burst < 1):
            raise ServeConfigError("rate limit needs a rate >= 0 and a burst >= 1")

    def describe(self) -> dict:
        """The settings as JSON-able data for the start log and ``/health`` (never the keys themselves)."""
        cap = {"per_minute": self.log_rows_per_minute, "per_client_per_minute": self.log_rows_per_client_per_minute}
        return {"host": self.host, "auth": "api_key" if self.require_keys else "none (loopback)",
                "max_body_bytes": self.max_body_bytes,
                "rate_limit": {"per_s": self.rate_per_s, "burst": self.rate_burst} if self.rate_per_s else None,
                "docs": self.docs, "decision_log_cap": cap, "max_concurrency": self.max_concurrency}  # fmt: skip


def options_from_args(args) -> ServeOptions:
    """:class:`ServeOptions` from ``microllm serve`` arguments, checked (:class:`ServeConfigError` when unsafe).

    Read when present: ``host``, ``api_keys_file``, ``max_body``, ``rate_limit`` (requests/s per client, 0: off),
    ``rate_burst``, ``docs``, ``micro_share``, ``shadow``, ``rollout_state``, ``log_rows_per_minute``,
    ``log_rows_per_client``, ``max_concurrency``. A rate or row cap of 0 means no limit."""
    d = ServeOptions()

    def arg(name, default):
        value = getattr(args, name, None)
        return default if value is None else value

    rate = arg("rate_limit", d.rate_per_s)
    state = arg("rollout_state", None)
    opts = ServeOptions(
        host=arg("host", d.host), api_keys=load_api_keys(arg("api_keys_file", None)),
        max_body_bytes=int(arg("max_body", d.max_body_bytes)), rate_per_s=float(rate) or None,
        rate_burst=int(arg("rate_burst", d.rate_burst)), docs=bool(arg("docs", d.docs)),
        micro_share=float(arg("micro_share", d.micro_share)), shadow=bool(arg("shadow", d.shadow)),
        rollout_state=Path(state) if state else None,
        log_rows_per_minute=arg("log_rows_per_minute", d.log_rows_per_minute) or None,
        log_rows_per_client_per_minute=arg("log_rows_per_client", d.log_rows_per_client_per_minute) or None,
        max_concurrency=int(arg("max_concurrency", d.max_concurrency)),
    )  # fmt: skip
    opts.check()
    return opts
