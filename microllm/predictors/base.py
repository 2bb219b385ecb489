"""The one interface every model, baseline and backend implements: text in, a Prediction out."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from microllm.rules import apply_rules
from microllm.schema import IntentError, parse_intent, validate_intent


@dataclass
class Prediction:
    """What a predictor says about one request.

    ``intent`` is the normalised, schema-valid intent, or None with ``error`` saying why
    (invalid JSON from a model, a schema violation, a bad input). ``raw`` is the text the
    model produced before parsing; ``confidence`` is in [0, 1] where the predictor has one.
    """

    intent: dict | None
    raw: str
    confidence: float | None = None
    latency_ms: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.intent is not None

    def to_dict(self) -> dict:
        return asdict(self)


class Predictor(ABC):
    """Subclasses implement :meth:`generate` (raw text + confidence); parsing, the intent rules and timing are
    shared."""

    name: str = "predictor"
    # Intent rules (microllm.rules) applied to every parsed answer, whatever the backend; a model backend sets them
    # from its ``rules`` option, a baseline keeps none.
    rules: tuple[str, ...] = ()

    @abstractmethod
    def generate(self, text: str) -> tuple[str, float | None]:
        """Return the raw model output for one request and a confidence in [0, 1] (or None)."""

    def predict(self, text: str) -> Prediction:
        """Run one request; never raises for bad model output, it lands in ``Prediction.error``."""
        start = time.perf_counter()
        try:
            raw, confidence = self.generate(text)
        except Exception as e:  # a backend failure is one bad row, not a crashed batch
            return Prediction(None, "", None, _ms(start), f"{type(e).__name__}: {e}")
        parsed = time.perf_counter()
        intent, error = read_answer(raw, text, self.finish)
        usage = getattr(self, "last_usage", None)
        if isinstance(usage, dict) and isinstance(usage.get("stage_ms"), dict):
            usage["stage_ms"]["rules"] = _ms(parsed)  # parsing, validation and the intent rules
        return Prediction(intent, raw, confidence, _ms(start), error)

    def finish(self, intent: dict, text: str) -> dict:
        """The last, rule-based step on a parsed intent: the intent rules :attr:`rules` names (none by default)."""
        return apply_rules(intent, text, self.rules) if self.rules else intent

    def predict_batch(self, texts: Iterable[str]) -> list[Prediction]:
        """Predict each text in order (backends may override with real batching)."""
        return [self.predict(t) for t in texts]


def read_answer(raw: str, text: str, finish: Callable[[dict, str], dict]) -> tuple[dict | None, str | None]:
    """Parse a model's raw text and apply ``finish``: ``(intent, None)``, or ``(None, "kind: message")``."""
    try:
        intent = parse_intent(raw)
        finished = finish(intent, text)
        return (intent if finished is intent else validate_intent(finished)), None
    except IntentError as e:
        return None, f"{e.kind}: {e.message}"


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 3)
