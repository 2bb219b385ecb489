"""What a mined text states: the mapped intent cut down to the fields its text grounds.

The gold answer of a request is what the request says (spec: optional fields that are not stated are omitted). A
task's arguments often hold more than its ``name:`` says ("Remove the user 'johnd'" with ``remove: yes``), or less
("Create a record using api token"). :func:`ground` keeps an optional field only when the text states its value,
and drops the row (:class:`~microllm.data.mine.mappers.Drop`) when a required value is not in the text: a model
must never learn to produce a value its input does not hold.
"""

from __future__ import annotations

import ipaddress
import re

from microllm.data.mine.mappers import Drop
from microllm.schema import MODEL_BY_ACTION, required_fields

# Words that state a record type without naming it (spec rule 1).
_TYPE_WORDS = {"CNAME": r"\balias\b", "MX": r"\bmail (?:server|exchanger)\b", "PTR": r"\breverse\b"}
# Words that state a boolean field.
_BOOL_WORDS = {"remove_home": r"\bhome\b", "read_only": r"\bread[- ]only\b", "guest_ok": r"\bguests?\b"}


def _contains(text: str, value: str) -> bool:
    """``value`` occurs in ``text`` as a whole token (case-insensitive; a trailing dot of a host name ignored)."""
    value = value.strip()
    candidates = {value, value.rstrip(".")}
    for v in candidates:
        if v and re.search(rf"(?<![\w.-]){re.escape(v)}(?![\w-]|\.\w)", text, re.IGNORECASE):
            return True
    return False


def _ip_in_text(text: str, value: str) -> bool:
    """An IP (or network) value is stated in its own or in any equivalent text form."""
    if _contains(text, value):
        return True
    try:
        wanted = ipaddress.ip_interface(value) if "/" in value else ipaddress.ip_address(value)
    except ValueError:
        return False
    for token in re.findall(r"[0-9A-Fa-f:.]+(?:/\d+)?", text):
        try:
            got = ipaddress.ip_interface(token) if "/" in token else ipaddress.ip_address(token)
        except ValueError:
            continue
        if got == wanted:
            return True
    return False


def is_address(value: str) -> bool:
    """Whether ``value`` is an IP address or network (``10.0.0.5``, ``10.0.0.0/8``, ``2001:db8::1/64``)."""
    try:
        ipaddress.ip_interface(value)
        return True
    except ValueError:
        return False


def field_stated(intent: dict, key: str, text: str) -> bool:
    """Whether ``text`` states field ``key`` of ``intent`` (its value, or for a record type a word that means it)."""
    value = intent[key]
    if key == "record_type":
        if re.search(rf"\b{re.escape(value)}\b", text):  # case-sensitive: the article "a" is not an A record
            return True
        if value in ("A", "AAAA") and "value" in intent and is_address(intent["value"]):
            return _ip_in_text(text, intent["value"])  # spec rule 1: the type follows from the address
        return bool(_TYPE_WORDS.get(value) and re.search(_TYPE_WORDS[value], text, re.IGNORECASE))
    if key == "protocol":
        return bool(re.search(rf"\b{value}\b", text, re.IGNORECASE))
    if isinstance(value, bool):
        return bool(_BOOL_WORDS.get(key) and re.search(_BOOL_WORDS[key], text, re.IGNORECASE))
    if isinstance(value, int):
        return bool(re.search(rf"(?<!\d){value}(?!\d)", text))
    if isinstance(value, list):
        return all(_ip_in_text(text, v) if is_address(v) else _contains(text, v) for v in value)
    if is_address(value):
        return _ip_in_text(text, value)
    return _contains(text, str(value))


def _ground_operation(intent: dict, text: str, trimmed: list[str]) -> dict:
    action = intent["action"]
    required = set(required_fields(action)) | set(getattr(MODEL_BY_ACTION[action], "one_of", ("", ""))) - {""}
    out = {"action": action}
    for key, value in intent.items():
        if key == "action":
            continue
        if field_stated(intent, key, text):
            out[key] = value
        elif key in required:
            raise Drop(f"not_in_text:{key}")
        else:
            trimmed.append(key)
    if action == "dns_add" and "priority" in out and out.get("record_type") != "MX":
        del out["priority"]
    return out


def ground(intent: dict, text: str) -> tuple[dict, list[str]]:
    """``(intent as the text states it, names of the optional fields cut)``; :class:`Drop` when the text lacks a
    required value. A multi keeps the steps whose values the text states (one left: that step alone)."""
    trimmed: list[str] = []
    if intent["action"] != "multi":
        return _ground_operation(intent, text, trimmed), trimmed
    steps, first_error = [], None
    for step in intent["steps"]:
        try:
            steps.append(_ground_operation(step, text, trimmed))
        except Drop as e:
            first_error = first_error or e
            trimmed.append(f"step:{step['action']}")
    if not steps:
        raise first_error or Drop("no_step_in_text")
    return (steps[0] if len(steps) == 1 else {"action": "multi", "steps": steps}), trimmed
