"""The HTTP service: request text in, a validated intent out (or a 422 that says why), over FastAPI.

A request without ``X-Use-Micro-LLM`` is answered by its client's A/B arm (:mod:`microllm.serve.rollout`): the micro
arm (the router, else the micro model) or the general arm (the general model alone); the arm goes into the log, the
response and the decision store. :class:`~microllm.serve.options.ServeOptions` says who may call (API keys) and how
much (body size, rate, decision rows); :class:`~microllm.serve.guard.Guard` enforces it before any route runs.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from importlib import metadata

from fastapi import BackgroundTasks, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from microllm import __version__
from microllm.predictors.base import Prediction, Predictor
from microllm.router import LLMRouter
from microllm.runner import _bad_text
from microllm.schema import IntentError, validate_intent
from microllm.serve.engine import Decision, Engine, NoModel, redact_intent, redact_text, validate
from microllm.serve.guard import DecisionBudget, Guard, KeyRing, RateLimiter, client_address, key_id, presented_key
from microllm.serve.options import ServeConfigError, ServeOptions
from microllm.serve.rollout import BUCKETS, GENERAL, MICRO, ShareWatcher, arm_for

log = logging.getLogger("microllm.serve")
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}
HASH_LIMIT = 1 << 30  # model files up to 1 GiB are hashed at start (about a second); larger ones only when known
MAX_CLIENT_ID = 200


class ParseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    query: str


class DnsAddRequest(BaseModel):
    """Either ``query`` (free text, parsed by a model) or the record's fields. Types are strict (``"300"`` is no
    TTL): a caller that sends the wrong type has a bug it should hear about."""

    model_config = ConfigDict(extra="forbid", strict=True)
    query: str | None = None
    name: str | None = None
    record_type: str | None = None
    value: str | None = None
    ttl: int | None = None
    priority: int | None = None


def _reject(error: str, reason: str, **extra) -> HTTPException:
    return HTTPException(422, detail={"error": error, "reason": reason, **extra})


def _check_query(query: str) -> str:
    if problem := _bad_text(query):  # empty, over the length limit, control characters
        raise _reject("invalid_request", problem)
    return query.strip()


def _use_micro(header: str | None) -> bool | None:
    if header is None:
        return None
    if header.strip().lower() in _TRUE | _FALSE:
        return header.strip().lower() in _TRUE
    raise _reject("invalid_request", f"X-Use-Micro-LLM must be true or false, got {header[:20]!r}")


def _file_info(path, known_sha256: str | None = None) -> dict:
    from microllm.provenance import file_sha256

    size = path.stat().st_size
    sha = known_sha256 or (file_sha256(path) if size <= HASH_LIMIT else None)
    return {"path": str(path), "size_bytes": size, "sha256": sha}


def model_info(p: Predictor | None, options: dict | None = None) -> dict | None:
    """Name, weight files (path, size, sha256 when known or cheap) and load options of one predictor."""
    if p is None:
        return None
    resolved = getattr(getattr(p, "inner", p), "resolved", None)  # behind the lock is the real predictor
    files = []
    if resolved is not None:
        entry = resolved.entry  # a catalog GGUF was checked against its pinned hash when it loaded
        known = entry.sha256 if entry is not None and resolved.kind == "gguf" and entry.sha256 else None
        files = [_file_info(resolved.path, known)] if resolved.path.is_file() else []
        if resolved.adapter is not None and resolved.adapter.is_file():
            files.append(_file_info(resolved.adapter))
    return {"name": p.name, "path": str(resolved.path) if resolved else None,
            "size_mb": round(resolved.size_bytes / 2**20, 1) if resolved else None,
            "files": files, "options": options or {}}  # fmt: skip


def _versions() -> dict:
    out = {"microllm": __version__}
    for dist in ("fastapi", "llama_cpp_python"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def create_app(micro: Predictor, general: Predictor | None = None, router: LLMRouter | None = None,
               store=None, options: ServeOptions | None = None) -> FastAPI:  # fmt: skip
    """The service over already-loaded predictors (loaded once, each behind a lock).

    ``X-Use-Micro-LLM: true``/``false`` forces the micro/general model; otherwise the client's A/B arm answers
    (``options.micro_share``, or the rollout state file's share; with no general model, the micro arm).
    ``store.record(...)`` (optional) gets every decision with its arm, within ``options``' row caps; a failing
    store never fails a request. Raises :class:`ServeConfigError` for a configuration that must not serve.
    """
    options = options or ServeOptions()
    options.check()
    engine = Engine(micro, general, router)
    watcher = ShareWatcher(options.rollout_state, options.micro_share, options.shadow)
    share, shadow = watcher.current()
    if engine.general is None and (share < 1.0 or shadow):
        raise ServeConfigError(f"micro share {share} / shadow {shadow} needs a general model to answer the "
                               "other arm: load one (--general) or use share 1 without shadow")  # fmt: skip
    docs = options.docs
    app = FastAPI(title="microllm", version=__version__, description=__doc__, docs_url="/docs" if docs else None,
                  redoc_url="/redoc" if docs else None, openapi_url="/openapi.json" if docs else None)  # fmt: skip
    counters = {"refused": {}, "shadow": {"n": 0, "agree": 0, "failed": 0}}
    keys = KeyRing(options.api_keys) if options.require_keys else None
    limiter = RateLimiter(options.rate_per_s, options.rate_burst) if options.rate_per_s else None
    app.add_middleware(Guard, max_body=options.max_body_bytes, keys=keys, limiter=limiter,
                       refused=counters["refused"])  # fmt: skip
    budget = DecisionBudget(options.log_rows_per_minute, options.log_rows_per_client_per_minute)
    app.state.engine, app.state.store, app.state.options, app.state.watcher = engine, store, options, watcher
    models = {"micro": model_info(engine.micro, options.model_options.get("micro")),
              "general": model_info(engine.general, options.model_options.get("general"))}  # fmt: skip
    r = engine.router
    routing = {"strategy": r.strategy, "threshold": r.threshold} if r else None
    for role, info in models.items():
        if info is not None:
            log.info("%s model: %s", role, json.dumps(info, sort_keys=True))
    log.info("router: %s; A/B: micro share %s, shadow %s (from %s); service: %s", routing, share, shadow,
             watcher.source, json.dumps(options.describe(), sort_keys=True))  # fmt: skip

    def who(request: Request) -> tuple[str, str]:
        """(the client as the limits know it, the key its A/B arm is drawn from)."""
        key = presented_key(request.scope)
        # Only a checked key names a client; without keys the peer address does.
        client = f"key:{key_id(key)}" if keys is not None and key else f"ip:{client_address(request.scope)}"
        chosen = (request.headers.get("x-client-id") or "").strip()
        if len(chosen) > MAX_CLIENT_ID:
            raise _reject("invalid_request", f"X-Client-Id longer than {MAX_CLIENT_ID} characters")
        return client, chosen or (key_id(key) if keys is not None and key else client)

    def record(d: Decision, query: str, arm: str, client: str) -> None:
        if store is None:
            return
        if not budget.allow(client):
            if budget.warn_now():
                log.warning("decision log cap reached: rows dropped so far %d", budget.dropped)
            return
        try:
            # The store replaces passwords itself, with consistent synthetic values (microllm.feedback.redact):
            # it needs the originals, since a "***" marker in exported training rows would be learned and copied.
            store.record(query=query, intent=d.prediction.intent, model=d.model, route=d.route,
                         confidence=d.prediction.confidence, latency_ms=d.latency_ms, validation=d.validation,
                         arm=arm)  # fmt: skip
        except Exception as e:  # the store is bookkeeping: it must never cost the caller an answer
            log.warning("decision store failed: %s", type(e).__name__)

    def finish(d: Decision, query: str, arm: str, client: str) -> dict:
        intent = d.prediction.intent
        safe_query, safe_intent = redact_text(query, intent), redact_intent(intent)
        log.info("arm=%s route=%s model=%s action=%s validation=%s latency_ms=%.1f client=%s query=%r", arm,
                 d.route, d.model, (intent or {}).get("action"), d.validation, d.latency_ms, key_id(client),
                 safe_query)  # fmt: skip
        record(d, query, arm, client)
        common = {"model": d.model, "route": d.route, "route_reason": d.reason, "arm": arm,
                  "latency_ms": d.latency_ms}  # fmt: skip
        if d.status != "ok":
            raise _reject(d.status, "; ".join(d.problems), intent=safe_intent, **common)
        return {"intent": intent, "confidence": d.prediction.confidence, **common}

    def run_arm(arm: str, query: str, share: float) -> Decision:
        if arm == MICRO:
            return engine.decide(query, None)
        d = engine.decide(query, False)
        d.reason = f"A/B general arm (micro share {share:g})"
        return d

    def shadow_run(arm: str, query: str, share: float, client: str, answered: Decision) -> None:
        """The other arm's decision on the same request, after the answer went out: recorded, never returned."""
        try:
            d = run_arm(arm, query, share)
        except Exception as e:  # a shadow must never disturb the service
            counters["shadow"]["failed"] += 1
            log.warning("shadow %s failed: %s", arm, type(e).__name__)
            return
        agree = d.prediction.intent == answered.prediction.intent
        counters["shadow"]["n"] += 1
        counters["shadow"]["agree"] += agree
        log.info("arm=shadow:%s route=%s model=%s agree=%s latency_ms=%.1f", arm, d.route, d.model, agree,
                 d.latency_ms)  # fmt: skip
        record(d, query, f"shadow:{arm}", client)

    def decide(request: Request, background: BackgroundTasks, query: str,
               header: str | None) -> tuple[Decision, str, str]:  # fmt: skip
        forced = _use_micro(header)
        client, ab_key = who(request)
        try:
            if forced is not None:
                return engine.decide(query, forced), f"header:{MICRO if forced else GENERAL}", client
            share, shadow = watcher.current()
            arm = arm_for(ab_key, share) if engine.general is not None else MICRO
            d = run_arm(arm, query, share)
        except NoModel as e:
            raise _reject("no_model", str(e)) from None
        if shadow and engine.general is not None:
            background.add_task(shadow_run, GENERAL if arm == MICRO else MICRO, query, share, client, d)
        return d, arm, client

    @app.exception_handler(RequestValidationError)
    async def bad_body(request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the offending input, which may hold a password: say where and what, not the value.
        reasons = ["/".join(str(x) for x in e["loc"]) + f": {e['msg']}" for e in exc.errors()]
        detail = {"error": "invalid_request", "reason": "; ".join(reasons)}
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.get("/health")
    def health() -> dict:
        """Liveness, the models loaded (files, sizes, hashes, options), the A/B split, limits and counters."""
        share_now, shadow_now = watcher.current()
        ab = {"micro_share": share_now, "shadow": shadow_now, "source": watcher.source,
              "bucketing": f"sha256(client key) mod {BUCKETS} < micro_share * {BUCKETS}"}  # fmt: skip
        return {"status": "ok", "versions": _versions(), "models": models, "router": routing, "ab": ab,
                "service": options.describe(),
                "counters": {**counters, "decisions_dropped": budget.dropped}}  # fmt: skip

    @app.post("/api/v1/parse")
    def parse(body: ParseRequest, request: Request, background: BackgroundTasks,
              x_use_micro_llm: str | None = Header(default=None)) -> dict:  # fmt: skip
        """Request text -> intent, confidence, model, route, arm, latency_ms (422 when invalid or unsafe)."""
        query = _check_query(body.query)
        d, arm, client = decide(request, background, query, x_use_micro_llm)
        return finish(d, query, arm, client)

    @app.post("/api/v1/dns/add")
    def dns_add(body: DnsAddRequest, request: Request, background: BackgroundTasks,
                x_use_micro_llm: str | None = Header(default=None)) -> dict:  # fmt: skip
        """Add a DNS record: from ``query`` (header picks the model) or from ``name``/``value``/... fields."""
        fields = body.model_dump(exclude_none=True, exclude={"query"})
        if body.query is not None and fields:
            raise _reject("invalid_request", "give either 'query' or the record's fields, not both")
        if body.query is None:
            return finish(_structured_dns(fields), "", "structured", who(request)[0])
        query = _check_query(body.query)
        d, arm, client = decide(request, background, query, x_use_micro_llm)
        action = (d.prediction.intent or {}).get("action")
        if d.status == "ok" and action != "dns_add":
            missing = d.prediction.intent.get("missing") if action == "clarify" else None
            d.status = "wrong_action"
            wrong = f"the request parses as {action!r}, not dns_add"
            d.problems = [f"missing {', '.join(missing)}" if missing else wrong]
        return finish(d, query, arm, client)

    return app


def _structured_dns(fields: dict) -> Decision:
    """A dns_add intent from fields: the record type follows from an IP value when not given (spec rule 1)."""
    if not fields.get("name") or not fields.get("value"):
        raise _reject("invalid_request", "a DNS record needs 'name' and 'value' (or a 'query')")
    if "record_type" not in fields:
        try:
            fields["record_type"] = "A" if ipaddress.ip_address(fields["value"]).version == 4 else "AAAA"
        except ValueError:
            raise _reject("invalid_request", "'record_type' is needed when 'value' is not an IP address") from None
    try:
        intent = validate_intent({"action": "dns_add", **fields})
    except IntentError as e:
        raise _reject("invalid_request", e.message) from None
    return validate(Decision(Prediction(intent, "", None), "none", "structured", "fields given", 0.0))
