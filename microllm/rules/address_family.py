"""An A record's value is an IPv4 address and an AAAA record's an IPv6 one (spec rule 1), and a record type that
follows from the value is not missing (rule 4): when the answer's address is not one of its record type's family and
the request writes exactly one IP address, that address decides both.

Grounding lets an A record's value take only IPv4 characters, so a model that reads "aaaa minio.home.arpa
2a01:4f8:7eec:91e9::642" as an A record can only close the value on the digits after the last colon
(``"value": "642"``): no address at all. Here the request's one address gives the record type (AAAA) and the value,
in canonical form (rule 1).
"""

from __future__ import annotations

import ipaddress

from microllm.backends.grounding import _IP_LIKE

FAMILY = {4: "A", 6: "AAAA"}


def addresses(text: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The distinct IP addresses written in ``text``, in order (a CIDR block or a netmask counts as written too)."""
    out = []
    for token in _IP_LIKE.findall(text):
        try:
            ip = ipaddress.ip_address(token.strip(".:") if token.count(":") < 2 else token.rstrip("."))
        except ValueError:
            continue
        if ip not in out:
            out.append(ip)
    return out


def _fits(record_type: str, value: str) -> bool:
    try:
        return FAMILY[ipaddress.ip_address(value).version] == record_type
    except ValueError:
        return False


def _record(intent: dict, text: str) -> dict:
    if intent.get("action") not in ("dns_add", "dns_update"):
        return intent
    record_type, value = intent.get("record_type"), intent.get("value")
    if record_type not in ("A", "AAAA") or not isinstance(value, str) or _fits(record_type, value):
        return intent
    found = addresses(text)
    if len(found) != 1:
        return intent
    return {**intent, "record_type": FAMILY[found[0].version], "value": str(found[0])}


def address_family(intent: dict | None, text: str) -> dict | None:
    """``intent`` (or each of its steps) with an A/AAAA record whose value is no address of its family set from the
    request's one address (itself when the value fits, or when the request has no address or several)."""
    if intent and intent.get("action") == "multi" and isinstance(intent.get("steps"), list):
        steps = [_record(s, text) if isinstance(s, dict) else s for s in intent["steps"]]
        same = all(a is b for a, b in zip(steps, intent["steps"], strict=True))
        return intent if same else {**intent, "steps": steps}
    return _record(intent, text) if intent else intent
