"""What callers pass as a decision's validation and execution outcome, turned into the store's columns.

The HTTP service, the CLI and tests hand these over in different shapes (a bool, "ok" or a reason, the list that
:func:`microllm.safety.check_intent` returns, a dict, a :class:`microllm.execute.Outcome`); the store wants one.
"""

from __future__ import annotations

OK_EXECUTION = ("ok", "changed", "success", "succeeded")


def validation_fields(v) -> tuple[bool | None, str | None]:
    """(ok, reason): None is "not validated", a non-empty list is the reasons it failed."""
    if hasattr(v, "model_dump"):
        v = v.model_dump()
    if v is None or isinstance(v, bool):
        return v, None
    if isinstance(v, str):
        return (True, None) if v.strip().lower() in ("ok", "valid", "") else (False, v)
    if isinstance(v, (list, tuple)):
        return not v, "; ".join(map(str, v)) or None
    if isinstance(v, dict):
        reason = v.get("reason") or v.get("error") or v.get("reasons")
        reason = "; ".join(map(str, reason)) if isinstance(reason, (list, tuple)) else reason
        return bool(v.get("ok", v.get("valid", not reason))), reason or None
    raise TypeError(f"validation must be a bool, str, list or dict, got {type(v).__name__}")


def execution_fields(outcome) -> tuple[str | None, bool | None, str | None]:
    """(status, ok, message) from a status string, a bool, a dict or an Outcome; None is "not executed"."""
    if hasattr(outcome, "to_dict"):
        outcome = outcome.to_dict()
    if outcome is None:
        return None, None, None
    if isinstance(outcome, bool):
        return ("ok" if outcome else "failed"), outcome, None
    if isinstance(outcome, str):
        return outcome, outcome.lower() in OK_EXECUTION, None
    status = str(outcome.get("status", "unknown"))
    ok = outcome.get("ok", status.lower() in OK_EXECUTION)
    return status, bool(ok), (str(outcome.get("message") or outcome.get("reason") or "")[:2000] or None)
