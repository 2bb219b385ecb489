"""An MX record typed in zone-file syntax states its preference and TTL by position (RFC 1035).

``<name> [<ttl>] [IN] MX <preference> <exchange>``: "int.example.net IN MX 10 mx.eu.example.net" gives
``"priority": 10``, and nsupdate's "update add home.arpa 3600 MX 30 mx.initech.co.uk" gives ``"ttl": 3600,
"priority": 30``. A model that has read many more TTLs than priorities writes ``"ttl": 10`` for the first, or drops
the priority of the second; where the answer's record is the one the text spells out (same name, same exchange),
the positions decide: the preference becomes ``priority``, a stated TTL ``ttl``, and a TTL equal to the preference
that the text does not state is dropped. A TTL stated elsewhere ("..., ttl 300") is left to the model.
"""

from __future__ import annotations

import re

_HOST = r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+"
MX_LINE = re.compile(
    rf"(?<![\w.-])(?P<name>{_HOST})\.?\s+(?:(?P<ttl>\d+)\s+)?(?:IN\s+)?MX\s+(?P<pref>\d+)\s+(?P<host>{_HOST})\.?"
    r"(?![\w.-])",
    re.IGNORECASE,
)


def mx_lines(text: str) -> dict[tuple[str, str], tuple[int | None, int]]:
    """``(name, exchange)`` (lower-case) -> ``(ttl or None, preference)`` for each zone-file MX line in ``text``."""
    return {(m["name"].lower(), m["host"].lower()): (int(m["ttl"]) if m["ttl"] else None, int(m["pref"]))
            for m in MX_LINE.finditer(text)}  # fmt: skip


def _fixed(step: dict, lines: dict) -> dict:
    if step.get("action") != "dns_add" or step.get("record_type") != "MX":
        return step
    stated = lines.get((str(step.get("name", "")).lower(), str(step.get("value", "")).lower()))
    if stated is None:
        return step
    ttl, pref = stated
    out = {**step, "priority": pref}
    if ttl is not None:
        out["ttl"] = ttl
    elif out.get("ttl") == pref:
        del out["ttl"]  # the preference, misread as a TTL
    return step if out == step else out


def mx_priority(intent: dict | None, text: str) -> dict | None:
    """``intent`` with the zone-file positions of its MX records applied (itself when nothing changes)."""
    lines = mx_lines(text) if intent else {}
    if not lines:
        return intent
    if intent.get("action") == "multi" and isinstance(intent.get("steps"), list):
        steps = [_fixed(s, lines) if isinstance(s, dict) else s for s in intent["steps"]]
        same = all(a is b for a, b in zip(steps, intent["steps"], strict=True))
        return intent if same else {**intent, "steps": steps}
    return _fixed(intent, lines)
