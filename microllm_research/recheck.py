"""Rechecked decoding: a ``clarify`` answer is decoded again as the operation it names; where the request gives every
value that operation requires, the operation is the answer.

A 270M model that picks ``clarify`` has already named the operation meant (``"intent": "user_add"``), and it also
clarifies requests that give every value ("Add a new user svc_monitor" asked for the user name; "Can the press alias be
deleted" for the alias). The second decode forces that operation's grammar, so every required field is written, under
grounding; the intent rules :mod:`microllm.rules.unfilled` and :mod:`microllm.rules.not_given` then turn each value that
fills nothing or is not given on its own into a ``clarify`` (spec rule 4). Only a fully given operation replaces the
first answer: the checks can confirm that a copied value is in the request, but they are weaker than the model at naming
what is missing (a record type is a choice of the grammar, not a copy, so "change the DNS entry of db-07.example.net"
loses ``record_type``). Chosen on the synthetic validation split (never dev): taking the checks' ``clarify`` as well
fixed 4 and broke 4 of 200 rows there; this rule keeps the 4 fixes and 1 of the breaks. One more rule needs no second
decode: a ``multi`` never repeats a step (no gold answer in train/val/test does, a test checks), so a repeated step is
dropped, and a ``multi`` left with one step is that step (spec rule 3: one action where one suffices). Measured on dev
afterwards (research/grounded-decoding/compare-recheck.yaml) it lowered both v4 Gemma models (0.819 -> 0.806, 0.794 ->
0.769): on human-written requests the checks judge values given that are not. It is no part of the product: it runs only
here, as :class:`RecheckedPredictor` around a grounded llama.cpp predictor, and no recorded score of the product uses
it.
"""

from __future__ import annotations

import time

from microllm.predictors.base import Prediction, Predictor, read_answer
from microllm.schema import MODEL_BY_ACTION, canonical_json


def drop_repeated_steps(intent: dict | None) -> dict | None:
    """``intent`` without the ``multi`` steps that repeat an earlier one; a single step left is the answer."""
    if not intent or intent.get("action") != "multi" or not isinstance(intent.get("steps"), list):
        return intent
    seen: set[str] = set()
    steps = []
    for step in intent["steps"]:
        key = canonical_json(step) if isinstance(step, dict) else repr(step)
        if key not in seen:
            seen.add(key)
            steps.append(step)
    if len(steps) == len(intent["steps"]):
        return intent
    return steps[0] if len(steps) == 1 else {**intent, "steps": steps}


def recheck_target(intent: dict | None) -> str | None:
    """The operation a ``clarify`` answer names (None for any other answer)."""
    if not intent or intent.get("action") != "clarify":
        return None
    meant = intent.get("intent")
    return meant if meant in MODEL_BY_ACTION else None


def rechecked(predictor, text: str, first: Prediction) -> Prediction:
    """``first``, or the answer of a second decode forced to the operation its ``clarify`` names, where that answer
    is the operation itself (every required value given), not a ``clarify`` for it.

    ``predictor`` has ``generate(text, grammar=...)``, ``action_grammar(action)`` and ``finish(intent, text)``, as a
    :class:`RecheckedPredictor` does. Where the second decode fails
    (a backend error, an answer that does not parse) the first answer stands and the error is kept in ``error`` with
    the first answer's: nothing is lost. Latency counts both decodes."""
    action = recheck_target(first.intent)
    if action is None:
        return first
    start = time.perf_counter()
    try:
        raw, confidence = predictor.generate(text, grammar=predictor.action_grammar(action))
    except Exception as e:  # the first answer is still a valid one
        return _kept(first, f"recheck failed: {type(e).__name__}: {e}", start)
    intent, error = read_answer(raw, text, predictor.finish)
    if intent is None:
        return _kept(first, f"recheck failed: {error}", start)
    if intent.get("action") != action:  # the checks found a value not given: the model's own clarify stands
        return _kept(first, None, start)
    return Prediction(intent, raw, confidence, first.latency_ms + _ms(start), None)


def _kept(first: Prediction, note: str | None, start: float) -> Prediction:
    return Prediction(first.intent, first.raw, first.confidence, first.latency_ms + _ms(start), note)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 3)


class RecheckedPredictor(Predictor):
    """Rechecked decoding around a grounded :class:`~microllm.backends.llamacpp.LlamaCppPredictor` (``inner``): its
    answers, with repeated ``multi`` steps dropped, and a ``clarify`` decoded again (:func:`rechecked`).

    The name is the inner predictor's with ``:rechecked``, as the recorded runs of this study are named."""

    def __init__(self, inner):
        if not getattr(getattr(inner, "cfg", None), "ground", False):
            raise ValueError("rechecked decoding needs ground=true (the grounded checks decide what is missing)")
        self.inner = inner
        self.rules = inner.rules
        self.name = f"{inner.name}:rechecked"

    def generate(self, text: str, grammar=None) -> tuple[str, float | None]:
        """The inner predictor's decode, under ``grammar`` when given (one operation's, for the second decode)."""
        return self.inner.generate(text, grammar=grammar)

    def action_grammar(self, action: str):
        """The inner predictor's grammar of one operation."""
        return self.inner.action_grammar(action)

    def finish(self, intent: dict, text: str) -> dict:
        """The inner predictor's intent rules, then no repeated ``multi`` step."""
        return drop_repeated_steps(self.inner.finish(intent, text))

    def predict(self, text: str) -> Prediction:
        """As :meth:`Predictor.predict`; a ``clarify`` answer is then decoded again (:func:`rechecked`)."""
        return rechecked(self, text, super().predict(text))
