"""Route each request to the micro model or to a general model (spec rule 5: `unknown` goes to the general one).

Two strategies over the same two :class:`~microllm.predictors.base.Predictor` objects:

* ``keyword``: a request that names one of the in-scope domains goes to the micro model, anything else
  (and anything phrased as a question or a problem report) to the general model. Costs nothing, sees only text.
* ``confidence``: the micro model answers first; an ``unknown`` action, an invalid or unsafe intent, or a
  confidence below ``threshold`` sends the request on to the general model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from microllm.predictors.base import Prediction, Predictor
from microllm.safety import check_intent

STRATEGIES = ("keyword", "confidence")
MICRO, GENERAL = "micro", "general"

# Words that only the supported operations use (DNS, accounts, Samba, mail, PKI, firewall, interfaces).
IN_SCOPE = re.compile(
    r"\b(?:dns|records?|cname|mx|txt|aaaa|ptr|srv|hostname|nameservers?|resolvers?|look\s*up|lookup|nslookup"
    r"|users?|accounts?|passwords?|groups?|members?|lock|unlock"
    r"|shares?|samba|smb|cifs"
    r"|mail|e-?mail|relay|smtp|postfix|alias(?:es)?"
    r"|certs?|certificates?|tls|ssl|csr"
    r"|firewall|ufw|firewalld|iptables|ports?|tcp|udp|ssh|https?"
    r"|interfaces?|nic|eth\d+|ens\d+|enp\w+|wlan\d+|dhcp|gateway|netmask|ip\s+address|static\s+ip)\b",
    re.I,
)
# Questions and problem reports are out of scope even when they name a domain ("Why is my DNS not working?").
OUT_OF_SCOPE = re.compile(
    r"^\s*(?:why|how|what|when|where|who|which|is|are|does|do|can\s+you\s+explain|explain)\b"
    r"|\b(?:not\s+working|doesn'?t\s+work|broken|troubleshoot\w*|error|fails?|failing|slow)\b",
    re.I,
)


def keyword_in_scope(text: str) -> bool:
    """Whether the keyword classifier calls ``text`` an in-scope request (micro model)."""
    return bool(IN_SCOPE.search(text)) and not OUT_OF_SCOPE.search(text)


@dataclass
class RouteResult:
    """The answer the router gives: the final prediction, who made it and why, and what each model cost."""

    prediction: Prediction
    route: str  # "micro" or "general"
    reason: str
    micro_latency_ms: float | None = None  # None: that model was not asked
    general_latency_ms: float | None = None
    micro_prediction: Prediction | None = None

    @property
    def latency_ms(self) -> float:
        return (self.micro_latency_ms or 0.0) + (self.general_latency_ms or 0.0)

    def to_dict(self) -> dict:
        return {"prediction": self.prediction.to_dict(), "route": self.route, "reason": self.reason,
                "micro_latency_ms": self.micro_latency_ms, "general_latency_ms": self.general_latency_ms,
                "latency_ms": self.latency_ms}  # fmt: skip


@dataclass
class LLMRouter:
    """Micro model first where it can answer, the general model otherwise (see the module docstring)."""

    micro: Predictor
    general: Predictor
    strategy: str = "confidence"
    threshold: float = 0.5
    # A predictor without a confidence gives no evidence of doubt; escalate anyway only when asked to.
    escalate_without_confidence: bool = False

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown routing strategy {self.strategy!r}; choose one of {STRATEGIES}")

    def choose(self, text: str, micro_prediction: Prediction | None = None) -> tuple[str, str]:
        """(route, reason) for ``text``; the confidence strategy needs the micro model's prediction."""
        if self.strategy == "keyword":
            if keyword_in_scope(text):
                return MICRO, "in-scope keywords"
            return GENERAL, "question or problem report" if OUT_OF_SCOPE.search(text) else "no in-scope keyword"
        p = micro_prediction
        if p is None:
            raise ValueError("the confidence strategy decides from the micro model's prediction")
        if p.intent is None:
            return GENERAL, f"micro output invalid ({p.error})"
        if p.intent.get("action") == "unknown":
            return GENERAL, "micro says out of scope (unknown)"
        if violations := check_intent(p.intent):
            return GENERAL, f"micro intent unsafe ({violations[0]})"
        if p.confidence is None:
            return (GENERAL, "micro gave no confidence") if self.escalate_without_confidence else (MICRO, "accepted")
        if p.confidence < self.threshold:
            return GENERAL, f"micro confidence {p.confidence:.3f} < {self.threshold:g}"
        return MICRO, f"micro confidence {p.confidence:.3f} >= {self.threshold:g}"

    def route(self, text: str) -> RouteResult:
        """Answer ``text`` with whichever model the strategy picks; latencies are wall-clock per model."""
        micro_pred = micro_ms = None
        if self.strategy == "confidence":
            micro_pred, micro_ms = _timed(self.micro, text)
        where, reason = self.choose(text, micro_pred)
        if where == MICRO:
            if micro_pred is None:
                micro_pred, micro_ms = _timed(self.micro, text)
            return RouteResult(micro_pred, MICRO, reason, micro_ms, None, micro_pred)
        general_pred, general_ms = _timed(self.general, text)
        return RouteResult(general_pred, GENERAL, reason, micro_ms, general_ms, micro_pred)

    __call__ = route


def _timed(predictor: Predictor, text: str) -> tuple[Prediction, float]:
    start = time.perf_counter()
    pred = predictor.predict(text)
    return pred, round((time.perf_counter() - start) * 1000.0, 3)


def routing_quality(rows: Sequence[dict], decisions: Sequence[str | RouteResult]) -> dict:
    """How well routes match scope: in-scope rows (gold action not ``unknown``) should stay on the micro
    model, out-of-scope rows go to the general one. Precision/recall are given for both sides."""
    if len(rows) != len(decisions):
        raise ValueError(f"{len(rows)} rows but {len(decisions)} routing decisions")
    routes = [d.route if isinstance(d, RouteResult) else d for d in decisions]
    if bad := sorted({r for r in routes} - {MICRO, GENERAL}):
        raise ValueError(f"routes must be {MICRO!r} or {GENERAL!r}, got {bad}")
    in_scope = [r["output"]["action"] != "unknown" for r in rows]
    kept = sum(s and r == MICRO for s, r in zip(in_scope, routes, strict=True))  # in-scope on micro
    sent = sum(not s and r == GENERAL for s, r in zip(in_scope, routes, strict=True))  # out-of-scope to general
    n_in, n_out = sum(in_scope), len(rows) - sum(in_scope)
    n_micro, n_general = routes.count(MICRO), routes.count(GENERAL)

    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None  # undefined, not zero, when there is nothing to divide by

    return {
        "n": len(rows), "n_in_scope": n_in, "n_out_of_scope": n_out, "n_micro": n_micro, "n_general": n_general,
        "micro_recall": ratio(kept, n_in),  # in-scope requests kept on the micro model
        "micro_precision": ratio(kept, n_micro),  # of those kept, truly in scope
        "general_recall": ratio(sent, n_out),  # out-of-scope requests sent to the general model
        "general_precision": ratio(sent, n_general),  # of those sent, truly out of scope
        "escalation_rate": ratio(n_general, len(rows)),
        "accuracy": ratio(kept + sent, len(rows)),
    }  # fmt: skip
