"""What the service does with one request, without HTTP: pick a model, predict, validate, redact for logs."""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass

from microllm.feedback.redact import redact_intent as _redact_intent
from microllm.feedback.redact import redact_text as _redact_text
from microllm.predictors.base import Prediction, Predictor
from microllm.router import GENERAL, MICRO, LLMRouter
from microllm.safety import check_intent

MASK = "***"


class LockedPredictor(Predictor):
    """One predictor behind a lock: llama.cpp contexts are not thread-safe, the HTTP server is concurrent."""

    def __init__(self, inner: Predictor):
        self.inner, self.name, self.lock = inner, inner.name, threading.Lock()

    def generate(self, text: str) -> tuple[str, float | None]:
        with self.lock:
            return self.inner.generate(text)

    def predict(self, text: str) -> Prediction:
        with self.lock:
            return self.inner.predict(text)


def redact_intent(intent: dict | None) -> dict | None:
    """A copy of ``intent`` with every password (multi steps included) replaced by ``***``.

    The one redactor (:mod:`microllm.feedback.redact`) does the work, so the log and the store agree."""
    return _redact_intent(intent)


def redact_text(text: str, intent: dict | None = None) -> str:
    """``text`` with the intent's password values and every stated password masked (safe to log).

    Delegates to :func:`microllm.feedback.redact.redact_text`: the same cue words, languages and JSON shapes as
    the decision store."""
    return _redact_text(text, intent)


@dataclass
class Decision:
    """One answered request: the prediction, who answered and why, the validation outcome."""

    prediction: Prediction
    model: str
    route: str
    reason: str
    latency_ms: float
    status: str = "ok"  # ok | invalid_output | unsafe_intent
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def validation(self) -> str:
        """One line for logs and the decision store: 'ok' or '<status>: <reasons>' (secrets already masked)."""
        return self.status if self.status == "ok" else f"{self.status}: {'; '.join(self.problems)}"


class NoModel(LookupError):
    """The request asked for a model this service did not load."""


class Engine:
    """Predictors (each behind its own lock, loaded once) and the routing policy of one service."""

    def __init__(self, micro: Predictor, general: Predictor | None = None, router: LLMRouter | None = None):
        locked: dict[int, LockedPredictor] = {}

        def lock(p: Predictor | None) -> LockedPredictor | None:
            # One lock per underlying model, shared by every path that reaches it (direct or routed).
            return None if p is None else locked.setdefault(id(p), LockedPredictor(p))

        self.micro = lock(micro)
        self.general = lock(general if general is not None else (router.general if router else None))
        self.router = None
        if router is not None:
            self.router = dataclasses.replace(router, micro=lock(router.micro), general=lock(router.general))

    def decide(self, query: str, use_micro: bool | None = None) -> Decision:
        """Answer ``query``: the header forces a model (True micro, False general), else the router, else micro."""
        start = time.perf_counter()
        if use_micro is None and self.router is not None:
            r = self.router.route(query)
            pred, route, reason = r.prediction, r.route, r.reason
            model = (self.router.micro if route == MICRO else self.router.general).name
        elif use_micro is False:
            if self.general is None:
                raise NoModel("X-Use-Micro-LLM: false asks for the general model, and none is loaded")
            pred, route, reason = self.general.predict(query), GENERAL, "X-Use-Micro-LLM: false"
            model = self.general.name
        else:
            reason = "X-Use-Micro-LLM: true" if use_micro else "micro model (no router configured)"
            pred, route, model = self.micro.predict(query), MICRO, self.micro.name
        d = Decision(pred, model, route, reason, round((time.perf_counter() - start) * 1000.0, 3))
        return validate(d)


def validate(d: Decision) -> Decision:
    """Mark a decision invalid (no intent) or unsafe (safety violations); reasons never carry a password."""
    intent = d.prediction.intent
    if intent is None:
        d.status, d.problems = "invalid_output", [d.prediction.error or "no intent"]
    elif violations := check_intent(intent):
        d.status, d.problems = "unsafe_intent", [str(v) for v in violations]
    # An error message may quote the model's output, which may quote the request's password.
    d.problems = [redact_text(p, intent) for p in d.problems]
    return d
