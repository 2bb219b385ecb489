"""The HTTP service: request text in, a validated intent out (or a 422 that says why), over FastAPI."""

from __future__ import annotations

import ipaddress
import logging
from importlib import metadata

from fastapi import FastAPI, Header, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from microllm import __version__
from microllm.predictors.base import Prediction, Predictor
from microllm.router import LLMRouter
from microllm.runner import _bad_text
from microllm.schema import IntentError, validate_intent
from microllm.serve.engine import Decision, Engine, NoModel, redact_intent, redact_text, validate

log = logging.getLogger("microllm.serve")
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


class ParseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str


class DnsAddRequest(BaseModel):
    """Either ``query`` (free text, parsed by a model) or the record's fields."""

    model_config = ConfigDict(extra="forbid")
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


def _model_info(p: Predictor | None) -> dict | None:
    if p is None:
        return None
    resolved = getattr(getattr(p, "inner", p), "resolved", None)  # behind the lock is the real predictor
    return {"name": p.name, "path": str(resolved.path) if resolved else None,
            "size_mb": round(resolved.size_bytes / 2**20, 1) if resolved else None}  # fmt: skip


def _versions() -> dict:
    out = {"microllm": __version__}
    for dist in ("fastapi", "llama_cpp_python"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def create_app(micro: Predictor, general: Predictor | None = None, router: LLMRouter | None = None,
               store=None) -> FastAPI:  # fmt: skip
    """The service over already-loaded predictors (loaded once, each behind a lock).

    Without ``X-Use-Micro-LLM`` a request goes through ``router`` if given, else to ``micro``; ``true``/``false``
    force the micro/general model. ``store.record(...)`` (optional) gets every model decision; a failing store
    never fails a request.
    """
    engine = Engine(micro, general, router)
    app = FastAPI(title="microllm", version=__version__, description=__doc__)
    app.state.engine = engine
    app.state.store = store

    def finish(d: Decision, query: str) -> dict:
        intent = d.prediction.intent
        safe_query, safe_intent = redact_text(query, intent), redact_intent(intent)
        log.info("route=%s model=%s action=%s validation=%s latency_ms=%.1f query=%r", d.route, d.model,
                 (intent or {}).get("action"), d.validation, d.latency_ms, safe_query)  # fmt: skip
        if store is not None:
            try:
                # The store replaces passwords itself, with consistent synthetic values (microllm.feedback.redact):
                # it needs the originals, since a "***" marker in exported training rows would be learned and copied.
                store.record(query=query, intent=intent, model=d.model, route=d.route,
                             confidence=d.prediction.confidence, latency_ms=d.latency_ms,
                             validation=d.validation)  # fmt: skip
            except Exception as e:  # the store is bookkeeping: it must never cost the caller an answer
                log.warning("decision store failed: %s", type(e).__name__)
        common = {"model": d.model, "route": d.route, "route_reason": d.reason, "latency_ms": d.latency_ms}
        if d.status != "ok":
            raise _reject(d.status, "; ".join(d.problems), intent=safe_intent, **common)
        return {"intent": intent, "confidence": d.prediction.confidence, **common}

    def decide(query: str, header: str | None) -> Decision:
        try:
            return engine.decide(query, _use_micro(header))
        except NoModel as e:
            raise _reject("no_model", str(e)) from None

    @app.exception_handler(RequestValidationError)
    async def bad_body(request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the offending input, which may hold a password: say where and what, not the value.
        reasons = ["/".join(str(x) for x in e["loc"]) + f": {e['msg']}" for e in exc.errors()]
        detail = {"error": "invalid_request", "reason": "; ".join(reasons)}
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.get("/health")
    def health() -> dict:
        """Liveness, the models loaded and the versions serving them."""
        r = engine.router
        return {"status": "ok", "versions": _versions(),
                "models": {"micro": _model_info(engine.micro), "general": _model_info(engine.general)},
                "router": {"strategy": r.strategy, "threshold": r.threshold} if r else None}  # fmt: skip

    @app.post("/api/v1/parse")
    def parse(body: ParseRequest, x_use_micro_llm: str | None = Header(default=None)) -> dict:
        """Request text -> intent, confidence, model, route, latency_ms (422 when invalid or unsafe)."""
        query = _check_query(body.query)
        return finish(decide(query, x_use_micro_llm), query)

    @app.post("/api/v1/dns/add")
    def dns_add(body: DnsAddRequest, x_use_micro_llm: str | None = Header(default=None)) -> dict:
        """Add a DNS record: from ``query`` (header picks the model) or from ``name``/``value``/... fields."""
        fields = body.model_dump(exclude_none=True, exclude={"query"})
        if body.query is not None and fields:
            raise _reject("invalid_request", "give either 'query' or the record's fields, not both")
        if body.query is None:
            return finish(_structured_dns(fields), "")
        query = _check_query(body.query)
        d = decide(query, x_use_micro_llm)
        action = (d.prediction.intent or {}).get("action")
        if d.status == "ok" and action != "dns_add":
            missing = d.prediction.intent.get("missing") if action == "clarify" else None
            d.status = "wrong_action"
            wrong = f"the request parses as {action!r}, not dns_add"
            d.problems = [f"missing {', '.join(missing)}" if missing else wrong]
        return finish(d, query)

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
