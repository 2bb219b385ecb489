"""In zone-file syntax the number right after ``MX`` is the preference: the spec's ``priority``, never a TTL.

"int.example.net IN MX 10 mx.eu.example.net" gives ``"priority": 10``. A model that has read many more TTLs than
priorities sometimes writes ``"ttl": 10`` for it; the text fixes which one it is (RFC 1035: ``MX <preference>
<exchange>``), so an MX answer with that TTL and no priority has the key renamed. Nothing else is touched: a TTL
stated elsewhere in the request ("3600 IN MX 10 ...") is still the model's to copy.
"""

from __future__ import annotations

import re


def _fixed(step: dict, text: str) -> dict:
    if step.get("action") != "dns_add" or step.get("record_type") != "MX" or "priority" in step:
        return step
    ttl, value = step.get("ttl"), step.get("value")
    if not isinstance(ttl, int) or not isinstance(value, str):
        return step
    after_mx = rf"\bMX\s+0*{ttl}\s+{re.escape(value)}\.?(?![\w.-])"
    if not re.search(after_mx, text, re.IGNORECASE):
        return step
    return {**{k: v for k, v in step.items() if k != "ttl"}, "priority": ttl}


def mx_priority(intent: dict | None, text: str) -> dict | None:
    """``intent``, with an MX record's zone-file preference moved from ``ttl`` to ``priority`` (itself if unchanged)."""
    if not intent:
        return intent
    if intent.get("action") == "multi" and isinstance(intent.get("steps"), list):
        steps = [_fixed(s, text) if isinstance(s, dict) else s for s in intent["steps"]]
        same = all(a is b for a, b in zip(steps, intent["steps"], strict=True))
        return intent if same else {**intent, "steps": steps}
    return _fixed(intent, text)
