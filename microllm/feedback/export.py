"""Reviewed decisions -> training rows in the synthetic data's format (JSONL), with every refused row reported.

A verified decision contributes its intent, a corrected one its corrected intent. A row is refused, with its reason,
when the intent fails the schema, the request is not a usable input, it is a held-out evaluation request (training
on it would inflate every score), or the intent holds a password the request does not contain (a model would learn
to invent passwords). Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from microllm.data import contract
from microllm.data.io import write_jsonl
from microllm.feedback.redact import intent_passwords
from microllm.runner import _bad_text
from microllm.schema import DOMAIN_OF_ACTION, IntentError, validate_intent

if TYPE_CHECKING:
    from microllm.feedback.store import DecisionStore

EXPORTED = ("verified", "corrected")


def _key(text: str) -> str:
    return " ".join(text.split()).lower()


def to_row(decision: dict) -> dict:
    """One reviewed decision as a training row; raises ValueError saying why it cannot be one."""
    status = decision["review_status"]
    if status not in EXPORTED:
        raise ValueError(f"review status {status!r} is not exported (only {EXPORTED})")
    intent = decision["corrected_intent"] if status == "corrected" else decision["intent"]
    if intent is None:
        raise ValueError("no intent")
    try:
        output = validate_intent(intent)
    except IntentError as e:
        raise ValueError(f"schema: {e.message}") from None
    query = decision["query"]
    if not isinstance(query, str) or (bad := _bad_text(query)):
        raise ValueError(f"request: {bad if isinstance(query, str) else 'not text'}")
    missing = [p for p in intent_passwords(output) if p not in query]
    if missing:
        raise ValueError("the intent has a password that the request does not contain")
    action = output["action"]
    return {"id": f"fb-{decision['id']:06d}", "split": "train", "category": DOMAIN_OF_ACTION[action],
            "action": action, "template": f"feedback.{status}", "input": query, "output": output}  # fmt: skip


def export_rows(decisions: Iterable[dict], exclude_inputs: Iterable[str] = ()) -> tuple[list[dict], list[dict]]:
    """(rows, rejects) from reviewed decisions; a reject is ``{"id", "status", "input", "reason"}``.

    ``exclude_inputs``: held-out requests (test split, dev set) that must never become training rows. When the
    same request was reviewed more than once, the latest review wins and the older ones are reported."""
    excluded = {_key(t) for t in exclude_inputs}
    reviewed = [d for d in decisions if d["review_status"] in EXPORTED]
    reviewed.sort(key=lambda d: (d.get("reviewed_at") or d["created_at"], d["id"]))
    rows: dict[str, dict] = {}
    rejects: list[dict] = []
    for d in reviewed:
        try:
            row = to_row(d)
            if _key(row["input"]) in excluded:
                raise ValueError("the request is in a held-out evaluation set")
        except ValueError as e:
            rejects.append({"id": d["id"], "status": d["review_status"], "input": d["query"], "reason": str(e)})
            continue
        older = rows.pop(_key(row["input"]), None)
        if older is not None:
            reason = f"superseded by a later review ({row['id']})"
            rejects.append({"id": int(older["id"][3:]), "status": older["template"].split(".")[1],
                            "input": older["input"], "reason": reason})  # fmt: skip
        rows[_key(row["input"])] = row
    return sorted(rows.values(), key=lambda r: r["id"]), rejects


def export_jsonl(store: DecisionStore, path: str | Path, exclude_inputs: Iterable[str] = ()) -> dict:
    """Write the exportable rows of ``store`` to ``path``; return ``{"path", "rows", "rejects"}``."""
    rows, rejects = export_rows(store.decisions(status=EXPORTED), exclude_inputs)
    return {"path": write_jsonl(rows, path), "rows": len(rows), "rejects": rejects}


def combined_train_file(train_file: str | Path, rows: list[dict], path: str | Path, repeat: int = 1) -> Path:
    """The train split plus ``rows`` (each ``repeat`` times) written to ``path``; a synthetic row with the same
    request as a reviewed one goes, since a human's answer outranks the generator's. Both sides are read under the
    evaluation contract: a test or dev file is refused, and a row (reviewed or not) whose input is held out is dropped
    with a :class:`~microllm.data.contract.HeldOutRowsWarning` counting it."""
    base = contract.read_rows_and_warn(train_file, role="train")
    rows, dropped = contract.filter_rows(rows)
    contract.warn_dropped("reviewed decisions", dropped)
    reviewed = {_key(r["input"]) for r in rows}
    base = [r for r in base if _key(r["input"]) not in reviewed]
    return Path(write_jsonl(base + rows * repeat, path))
