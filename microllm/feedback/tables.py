"""The ``ai_decisions`` table (SQLAlchemy 2 ORM) and how its rows leave the database (dicts, UTC times)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Decision(Base):
    """One row of ``ai_decisions``; intents are JSON text so every SQL backend stores them the same way."""

    __tablename__ = "ai_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    query: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str | None] = mapped_column(String(100))
    route: Mapped[str | None] = mapped_column(String(50), index=True)
    confidence: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    validation_ok: Mapped[bool | None] = mapped_column(Boolean)
    validation_reason: Mapped[str | None] = mapped_column(Text)
    execution_status: Mapped[str | None] = mapped_column(String(50))
    execution_ok: Mapped[bool | None] = mapped_column(Boolean)
    execution_message: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(String(10))  # "up" | "down" | NULL
    review_status: Mapped[str] = mapped_column(String(20), index=True)
    corrected_intent: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    arm: Mapped[str | None] = mapped_column(String(50))  # A/B arm: micro | general | shadow:<arm> | header:<arm>


_ADDED_COLUMNS = ("arm",)  # columns newer than the first databases: added in place to an existing table


def add_missing_columns(engine) -> None:
    """Add to an existing ``ai_decisions`` table the nullable columns it predates (old rows get NULL)."""
    from sqlalchemy import inspect, text

    have = {c["name"] for c in inspect(engine).get_columns(Decision.__tablename__)}
    for name in _ADDED_COLUMNS:
        if name not in have:
            kind = Decision.__table__.c[name].type.compile(engine.dialect)
            with engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {Decision.__tablename__} ADD COLUMN {name} {kind}"))


def utcnow() -> dt.datetime:
    """Now, in UTC (every stored time is UTC)."""
    return dt.datetime.now(dt.UTC)


def dumps(intent) -> str | None:
    """An intent as the JSON text stored (None stays NULL)."""
    return None if intent is None else json.dumps(intent, ensure_ascii=False, sort_keys=True)


def loads(text: str | None):
    """A stored JSON text back to an intent."""
    return None if text is None else json.loads(text)


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    # SQLite keeps no timezone: every time written here is UTC, so say so on the way out.
    return t.replace(tzinfo=dt.UTC) if t is not None and t.tzinfo is None else t


def as_dict(row: Decision) -> dict:
    """A row as a plain dict, intents decoded and times UTC-aware."""
    out = {c.name: getattr(row, c.name) for c in Decision.__table__.columns}
    out["intent"], out["corrected_intent"] = loads(row.intent), loads(row.corrected_intent)
    out["created_at"], out["reviewed_at"] = _aware(row.created_at), _aware(row.reviewed_at)
    return out


def sqlite_pragmas(dbapi_connection, _record) -> None:
    """Per-connection SQLite settings (an engine ``connect`` listener)."""
    # WAL: readers never block the writer and a crash leaves the main file intact; FULL: fsync at every commit,
    # so a committed decision survives a killed process (and power loss); busy_timeout: writers queue, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
