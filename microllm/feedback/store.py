"""The decision store: one row per model decision in the ``ai_decisions`` table (SQLAlchemy 2: SQLite or PostgreSQL).

Every :meth:`DecisionStore.record` is its own committed transaction; on SQLite the database runs in WAL mode with
``synchronous=FULL``, so a process killed mid-write loses no committed decision and the file stays readable.
Passwords are replaced (:mod:`microllm.feedback.redact`) before anything reaches the database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from microllm.feedback.keys import key_path, load_key
from microllm.feedback.outcomes import execution_fields, validation_fields
from microllm.feedback.redact import Redactor
from microllm.feedback.review import REVIEW_THRESHOLD, review_reasons
from microllm.feedback.tables import Base, Decision, add_missing_columns, as_dict, dumps, sqlite_pragmas, utcnow
from microllm.schema import IntentError, validate_intent

DEFAULT_URL = "sqlite:///artifacts/decisions.db"
STATUSES = ("pending", "verified", "corrected", "rejected", "not_needed")
_OPEN = ("pending", "not_needed")  # statuses a machine may still change; the others are a human's decision


def private_sqlite_file(path: Path) -> Path:
    """Make ``path`` (a SQLite database) readable by its owner only, before SQLite opens it.

    The file is created empty with mode 0600 when absent (SQLite gives its -wal and -shm files the mode of the
    database), and an existing database and its companions are set to 0600: decisions hold requests, which may name
    people, hosts and (redacted) credentials."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        os.close(fd)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if p.exists() and not p.is_symlink() and p.stat().st_mode & 0o077:
            os.chmod(p, 0o600)
    return path


class DecisionStore:
    """Record, review and query model decisions. ``key`` (bytes) overrides the redaction key file."""

    def __init__(self, url: str = DEFAULT_URL, key: bytes | None = None, review_threshold: float = REVIEW_THRESHOLD):
        self.url = url
        if url.startswith("sqlite:///") and ":memory:" not in url:
            private_sqlite_file(Path(url[len("sqlite:///") :]))
        self.engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        add_missing_columns(self.engine)  # a database made before the A/B arm column
        self.redactor = Redactor(key or load_key(key_path(url)))
        self.review_threshold = review_threshold

    def _status(self, row: Decision) -> str:
        return "pending" if review_reasons(as_dict(row), self.review_threshold) else "not_needed"

    def record(self, query, intent, model, route, confidence, latency_ms, validation, model_version=None,
               execution=None, arm=None) -> int:  # fmt: skip
        """Store one decision (passwords replaced first) in its own committed transaction; return its id.

        ``arm``: the A/B arm that made it (see :mod:`microllm.serve.rollout`)."""
        ok, reason = validation_fields(validation)
        status, exec_ok, message = execution_fields(execution)
        query, intent, secrets = self.redactor.decision(query or "", intent, reason, message)
        row = Decision(created_at=utcnow(), query=query, intent=dumps(intent), model=str(model),
                       model_version=model_version, route=route,
                       confidence=None if confidence is None else float(confidence),
                       latency_ms=None if latency_ms is None else float(latency_ms),
                       validation_ok=ok, validation_reason=self.redactor.text(reason, secrets),
                       execution_status=status, execution_ok=exec_ok,
                       execution_message=self.redactor.text(message, secrets), arm=arm)  # fmt: skip
        row.review_status = self._status(row)
        with Session(self.engine) as s, s.begin():  # commits on leaving the block, before the id is returned
            s.add(row)
            s.flush()
            return row.id

    def _update(self, id: int, change) -> dict:
        with Session(self.engine) as s, s.begin():
            row = s.get(Decision, id)
            if row is None:
                raise KeyError(f"no decision {id}")
            change(row)
            if row.review_status in _OPEN:  # new evidence (thumbs down, failed run) can put a decision in the queue
                row.review_status = self._status(row)
            return as_dict(row)

    def set_feedback(self, id: int, up: bool | None) -> dict:
        """Thumbs up (True), down (False) or cleared (None)."""
        return self._update(id, lambda r: setattr(r, "feedback", None if up is None else ("up" if up else "down")))

    def set_execution(self, id: int, outcome) -> dict:
        """Record what executing the intent did (status string, bool, dict or Outcome)."""

        def change(row):
            status, ok, message = execution_fields(outcome)
            # The originals are gone (only fakes were stored), so the message's own wording has to reveal them;
            # microllm.execute already keeps passwords out of its outcomes, this is the second line of defence.
            secrets = self.redactor.secrets(message or "", None)
            # and any word whose fake this row already holds: a password the message repeats without a cue
            stored = " ".join(x for x in (row.query, row.intent, row.corrected_intent) if x)
            secrets = sorted(set(secrets) | set(self.redactor.seen_secrets(message, stored)), key=len, reverse=True)
            row.execution_status, row.execution_ok = status, ok
            row.execution_message = self.redactor.text(message, secrets)

        return self._update(id, change)

    def review(self, id: int, status: str, corrected_intent: dict | str | None = None) -> dict:
        """A human's verdict; ``corrected`` needs a schema-valid ``corrected_intent`` (stored normalised)."""
        if status not in STATUSES:
            raise ValueError(f"review status must be one of {STATUSES}, got {status!r}")
        if (status == "corrected") != (corrected_intent is not None):
            raise ValueError("a corrected intent goes with status 'corrected', and only with it")
        fixed = None
        if corrected_intent is not None:
            try:
                obj = json.loads(corrected_intent) if isinstance(corrected_intent, str) else corrected_intent
                fixed = validate_intent(obj)
            except (IntentError, json.JSONDecodeError) as e:
                raise ValueError(f"corrected intent is not a valid intent: {e}") from None

        def change(row):
            if status == "verified" and row.intent is None:
                raise ValueError(f"decision {id} has no intent to verify: correct it instead")
            if fixed is not None:
                # The reviewer saw the redacted query, so fakes already in it stay; anything else is a real secret.
                secrets = [p for p in self.redactor.secrets("", fixed) if p not in row.query]
                row.corrected_intent = dumps(self.redactor.intent(fixed, secrets))
            row.review_status, row.reviewed_at = status, utcnow()

        return self._update(id, change)

    def get(self, id: int) -> dict:
        """One decision as a dict (intents decoded)."""
        with Session(self.engine) as s:
            row = s.get(Decision, id)
            if row is None:
                raise KeyError(f"no decision {id}")
            return as_dict(row)

    def decisions(self, status: str | tuple[str, ...] | None = None, since: dt.datetime | None = None,
                  limit: int | None = None) -> list[dict]:  # fmt: skip
        """Decisions, oldest first, optionally by review status(es) and creation time."""
        q = select(Decision).order_by(Decision.id)
        if status is not None:
            q = q.where(Decision.review_status.in_([status] if isinstance(status, str) else list(status)))
        if since is not None:  # stored times are UTC (and naive in SQLite)
            since = since.astimezone(dt.UTC) if since.tzinfo else since
            q = q.where(Decision.created_at >= since)
        with Session(self.engine) as s:
            return [as_dict(r) for r in s.scalars(q.limit(limit))]

    def count(self) -> int:
        """How many decisions are stored."""
        from sqlalchemy import func

        with Session(self.engine) as s:
            return s.scalar(select(func.count()).select_from(Decision))
