"""A required value the request does not give on its own was not given: the answer is ``clarify`` (spec rule 4).

Grounded decoding keeps copied values inside the request, and a model that misses "no account is named here"
still fills the slot, in two ways. (1) Where the request has nothing to copy (no number in "deny tcp traffic on
the firewall"), grounding gives way to the grammar (``GroundedGrammar.relaxed``) and the value is made up
(``"port": 65535``, ``"servers": ["8.8.8.8"]``): it fails grounding's own check. (2) It borrows another slot's
mention: a piece of it ("The new temporary password is Quartz$6256, set it on the account" -> ``"username":
"Quartz"``; "/srv/smb/payroll2024; make that folder a share" -> ``"name": "payroll2024"``) or all of it, for a second
slot ("alias invoices@corp.example.org ->" -> the same address as alias and destination). Each required copied
value needs a mention of its own: one not inside another slot's, and, for two equal values, the later slot in the
spec's field order is the one left without. No gold answer of the train/val/test splits has such a value (a test
checks). Multi-step answers are left as they are, as in :mod:`.unfilled`.
"""

from __future__ import annotations

from microllm.backends.grounding import (
    CASE_FREE,
    CASE_KEPT,
    NUMBERS,
    _bounded,
    as_bytes,
    masked_addresses,
    sources,
    value_ok,
)
from microllm.schema import required_fields

_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def mentions(value: str, request: str, case_kept: bool) -> list[tuple[int, int]]:
    """Every (start, end) where ``value`` is written in ``request`` as a whole piece (grounding's word bounds)."""
    hay, needle = as_bytes(request), as_bytes(value)
    if not case_kept:
        hay, needle = hay.translate(_LOWER), needle.translate(_LOWER)
    out, i = [], hay.find(needle) if needle else -1
    while i >= 0:
        if _bounded(hay, needle, i, True):
            out.append((i, i + len(needle)))
        i = hay.find(needle, i + 1)
    return out


def _values(intent: dict, key: str) -> list:
    value = intent.get(key)
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))]


def invented(intent: dict, request: str) -> list[str]:
    """Required copied fields with a value that breaks grounding: written where grounding gave way."""
    texts, masked = sources(request), masked_addresses(request)
    strings = {k: v for k, v in intent.items() if isinstance(v, str)}  # an A record's value is read by its type
    out = []
    for key in required_fields(intent["action"]):
        if key not in CASE_KEPT | CASE_FREE | NUMBERS:
            continue
        for v in _values(intent, key):
            kind = "num" if isinstance(v, int) else "str"
            if not value_ok(key, as_bytes(str(v)), kind, strings, texts, complete=True, masked=masked):
                out.append(key)
                break
    return out


def borrowed(intent: dict, request: str) -> list[str]:
    """Required copied string fields each of whose mentions lies inside another field's: a longer mention, or the
    same one taken by a field earlier in the spec's order (module docstring)."""
    order = [k for k in required_fields(intent["action"]) if k in CASE_KEPT | CASE_FREE]
    spans = {k: mentions(intent[k], request, k in CASE_KEPT) for k in order if isinstance(intent.get(k), str)}
    rank = {k: i for i, k in enumerate(order)}

    def covers(other: str, key: str, span: tuple[int, int]) -> bool:
        """Whether a mention of ``other`` contains ``span`` and outranks it (longer, or as long and earlier)."""
        a, b = span
        return any(s <= a and b <= e and (e - s, -rank[other]) > (b - a, -rank[key]) for s, e in spans[other])

    return [k for k, own in spans.items()
            if own and all(any(covers(o, k, s) for o in spans if o != k) for s in own)]  # fmt: skip


def not_given(intent: dict, request: str) -> list[str]:
    """The required fields of a one-step intent that the request does not give on its own, sorted."""
    if intent.get("action") in (None, "multi", "clarify", "unknown"):
        return []
    return sorted(set(invented(intent, request)) | set(borrowed(intent, request)))


def clarify_not_given(intent: dict | None, request: str) -> dict | None:
    """``intent``, or the ``clarify`` for it when a required value is not given on its own."""
    missing = not_given(intent, request) if intent else []
    return {"action": "clarify", "intent": intent["action"], "missing": missing} if missing else intent
