"""The human review queue: which decisions need a person, and the verbs a reviewer uses (list, verify, correct).

A decision needs review when the model was unsure (confidence < 0.9), its intent failed validation, executing it
failed, or the user gave it a thumbs down. Verified and corrected decisions are what :mod:`.export` turns into
training rows.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the store needs SQLAlchemy; the rule below must not
    from microllm.feedback.store import DecisionStore

REVIEW_THRESHOLD = 0.9


def review_reasons(decision: dict, threshold: float = REVIEW_THRESHOLD) -> list[str]:
    """Why a decision needs a human (empty: it does not)."""
    reasons = []
    confidence = decision.get("confidence")
    if decision.get("intent") is None:
        reasons.append("no intent")
    if confidence is None or confidence < threshold:
        # No confidence at all (a backend without one) is treated as low: nothing vouches for the answer.
        reasons.append(f"confidence {confidence if confidence is None else round(confidence, 3)} < {threshold}")
    if decision.get("validation_ok") is False:
        reasons.append(f"validation failed: {decision.get('validation_reason') or 'no reason given'}")
    if decision.get("execution_ok") is False:
        reasons.append(f"execution {decision.get('execution_status') or 'failed'}")
    if decision.get("feedback") == "down":
        reasons.append("thumbs down")
    return reasons


def queue(store: DecisionStore, limit: int | None = None) -> list[dict]:
    """Pending decisions, oldest first, each with its ``reasons``."""
    rows = store.decisions(status="pending", limit=limit)
    return [{**r, "reasons": review_reasons(r, store.review_threshold)} for r in rows]


def verify(store: DecisionStore, id: int) -> dict:
    """The model's intent was right."""
    return store.review(id, "verified")


def correct(store: DecisionStore, id: int, intent: dict | str) -> dict:
    """The right intent (JSON text or dict); it must pass the schema (microllm.schema), else ValueError."""
    return store.review(id, "corrected", corrected_intent=intent)


def reject(store: DecisionStore, id: int) -> dict:
    """Not usable as an example (nonsense, abuse, a duplicate): kept for the record, never exported."""
    return store.review(id, "rejected")


def format_queue(rows: list[dict]) -> str:
    """One block per pending decision, for the terminal."""
    if not rows:
        return "review queue is empty"
    lines = []
    for r in rows:
        conf = "-" if r["confidence"] is None else f"{r['confidence']:.2f}"
        lines.append(f"#{r['id']}  {r['created_at']:%Y-%m-%d %H:%M}  {r['model']}  conf {conf}  route {r['route']}")
        lines.append(f"    query:  {r['query']}")
        lines.append(f"    intent: {json.dumps(r['intent'], ensure_ascii=False)}")
        lines.append(f"    why:    {'; '.join(r['reasons'])}")
    return "\n".join(lines)


def main_review(args) -> int:
    """What `microllm review list|verify ID|correct ID --intent JSON|reject ID` runs."""
    from microllm.feedback.store import DecisionStore

    store = DecisionStore(args.db)
    if args.action == "list":
        print(format_queue(queue(store, args.limit)))
        return 0
    if args.id is None:
        raise ValueError(f"review {args.action} needs a decision ID")
    if args.action == "verify":
        row = verify(store, args.id)
    elif args.action == "correct":
        if not args.intent:
            raise ValueError("review correct needs --intent JSON (or @file.json)")
        text = open(args.intent[1:]).read() if args.intent.startswith("@") else args.intent
        row = correct(store, args.id, text)
    else:
        row = reject(store, args.id)
    print(f"decision {row['id']}: {row['review_status']}")
    return 0
