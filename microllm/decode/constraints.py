"""Grounding as constraint data: the intent JSON Schema narrowed, per request, to the values the request can supply.

The intent spec has names, passwords, paths, hosts and ports copied from the request as written, never made up
(:mod:`microllm.backends.grounding` documents which fields copy and why). Instead of checking every decoded token
against the request, the schema itself says it: each copied string field becomes an ``enum`` of the request's spans
that start and end at a word boundary (case-free fields also lower-cased), an A record's value one of the request's
IPv4 addresses, an AAAA's one of its IPv6 ones (canonical forms included), an interface address one of the request's
``ip/prefix`` pairs (given with a dotted netmask, or written in CIDR form: as written and canonical), and ``port`` /
``priority`` / ``key_size`` one of the whole numbers written in it.
A required field for which the request holds no candidate keeps its plain schema (grounding gives way; the intent
rules then say ``clarify`` for a value that was not given); an optional address field with no candidate (a
firewall rule's ``source``, an interface's ``gateway``) is left out of the schema, and address fields take whole
addresses only. The grammar engine (llguidance) compiles such a schema lazily in milliseconds, so a grammar per
request costs less than one forward pass, and a value that only one candidate can finish is forced, not sampled.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
import json
import re

from microllm.backends.grounding import (
    CASE_FREE,
    CASE_KEPT,
    FIELD_CHARS,
    NUMBERS,
    _bounded,
    _inner,
    masked_addresses,
)
from microllm.json_schema import MAX_STRING
from microllm.schema import intent_json_schema

# How the answer is written: one line, ", " and ": " separators (json.dumps' defaults; the training targets,
# microllm.json_schema.ordered_json). Strict whitespace: a model never spends a forward pass on formatting.
JSON_OPTIONS = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": ",
                # uniqueItems (clarify's missing list) is checked by the intent parser, not by the grammar
                "lenient": True}  # fmt: skip
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
_IPV6ISH = re.compile(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
_NUMBER = re.compile(r"\d+")
_SPACE = set(" \t\r\n")
_RECORD_TYPES_IP = {"A", "AAAA"}
_ADDRESS = re.compile(r"(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)(?:/\d{1,3})?")


def spans(request: str) -> list[str]:
    """Every piece of ``request`` that starts and ends at a word boundary (``grounding._bounded``), holds a letter or
    digit, and neither starts nor ends with whitespace; longest values bounded by the schema's ``MAX_STRING``."""
    text, out = request, {}
    n = len(text)
    for start in range(n):
        if text[start] in _SPACE or not _bounded(text, text[start], start, False):
            continue
        for end in range(start + 1, min(n, start + MAX_STRING) + 1):
            piece = text[start:end]
            if piece[-1] in _SPACE:
                continue
            if any(map(_inner, piece)) and _bounded(text, piece, start, True):
                out[piece] = None
    return list(out)


def ipv4_addresses(request: str) -> list[str]:
    """The request's IPv4 addresses as written (only valid ones)."""
    found = []
    for token in _IPV4.findall(request):
        try:
            ipaddress.IPv4Address(token)
        except ValueError:
            continue
        found.append(token)
    return list(dict.fromkeys(found))


def ipv6_addresses(request: str) -> list[str]:
    """The request's IPv6 addresses as written and in canonical form (spec rule 1)."""
    found = []
    for token in _IPV6ISH.findall(request):
        token = token.strip(".:") if token.count(":") < 2 else token.rstrip(".")
        try:
            address = ipaddress.IPv6Address(token)
        except ValueError:
            continue
        found += [token, str(address)]
    return list(dict.fromkeys(found))


def cidr_addresses(request: str) -> list[str]:
    """The request's addresses written with a prefix length (``10.0.0.5/24``, ``2001:0db8::7334/64``), as written
    and in canonical form (spec rule 1: an IPv6 address in canonical form)."""
    found = []
    for m in re.finditer(r"(?<![\w:./])([0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*)/(\d{1,3})(?![\w/])", request):
        address, prefix = m.group(1).rstrip("."), m.group(2)
        try:
            interface = ipaddress.ip_interface(f"{address}/{prefix}")
        except ValueError:
            continue
        found += [f"{address}/{prefix}", f"{interface.ip}/{interface.network.prefixlen}"]
    return list(dict.fromkeys(found))


def numbers(request: str) -> list[int]:
    """Every run of digits in the request, as a number ("two" is not copied; "1.5" gives 1 and 5, as grounding
    always read it)."""
    return list(dict.fromkeys(int(m) for m in _NUMBER.findall(request) if len(m) <= 9))


class Candidates:
    """The values each kind of copied field may take for one request (see the module docstring)."""

    def __init__(self, request: str):
        self.request = request
        self.kept = spans(request)
        ips4, ips6 = ipv4_addresses(request), ipv6_addresses(request)
        self.free = list(dict.fromkeys([*self.kept, *(s.lower() for s in self.kept), *ips6]))
        self.ipv4, self.ipv6 = ips4, ips6
        self.masked = list(dict.fromkeys([*masked_addresses(request), *cidr_addresses(request)]))
        self.numbers = numbers(request)
        self._by_field: dict[str, list[str] | None] = {}

    def for_field(self, key: str) -> list[str] | None:
        """The enum of a copied string field, or None when the field is not copied or the request has nothing."""
        if key not in self._by_field:
            self._by_field[key] = self._values(key)
        return self._by_field[key]

    def _values(self, key: str) -> list[str] | None:
        if key == "address":
            return self.masked or None
        if key in FIELD_CHARS:
            # Whole addresses only (CIDR allowed): a bare number ("tcp port 20") or a piece of an address ("10.0")
            # is never a source, gateway or server. Out-of-range octets stay writable: validation is the validator's.
            chars = FIELD_CHARS[key]
            values = [v for v in self.free if set(v) <= chars and _ADDRESS.fullmatch(v)]
            return values or None
        if key in CASE_KEPT:
            return self.kept or None
        if key in CASE_FREE:
            return self.free or None
        return None


def _string_enum(values: list[str]) -> dict:
    """A reference to the one ``$defs`` entry holding ``values`` (an enum written once, however many fields use it:
    the grammar stays small)."""
    return {"$ref": f"#/$defs/{_ENUM_PREFIX}{_registry().setdefault(tuple(values), len(_registry()))}"}


_ENUM_PREFIX = "Grounded"
_ENUMS: list[dict] = []


def _registry() -> dict:
    return _ENUMS[-1]


def _narrow_object(node: dict, cands: Candidates) -> dict | list[dict]:
    """One object schema with its copied fields narrowed; a DNS record object splits by address family."""
    props = node.get("properties", {})
    out = dict(node)
    new_props = dict(props)
    for key, sub in props.items():
        if key == "action" or not isinstance(sub, dict):
            continue
        if key in NUMBERS and sub.get("type") == "integer":
            if cands.numbers:
                new_props[key] = {"type": "integer", "enum": cands.numbers}
        elif sub.get("type") == "array" and isinstance(sub.get("items"), dict) and sub["items"].get("type") == "string":
            values = cands.for_field(key)
            if values is not None and "enum" not in sub["items"]:
                new_props[key] = {**sub, "items": _string_enum(values)}
        elif sub.get("type") == "string" and "enum" not in sub and "const" not in sub:
            if key == "value" and "record_type" in props:
                continue  # by record type, below
            values = cands.for_field(key)
            if values is not None:
                new_props[key] = _string_enum(values)
            elif key in FIELD_CHARS and key not in node.get("required", ()):
                # An optional address the request does not give (a firewall rule's source, an interface's
                # gateway) cannot be written: it could only be made up. A required one keeps its plain schema.
                del new_props[key]
    out["properties"] = new_props
    if "value" in props and "record_type" in props:
        return _split_record(out, cands)
    return out


def _split_record(node: dict, cands: Candidates) -> dict | list[dict]:
    """A DNS record object as one variant per value family: A takes the request's IPv4 addresses, AAAA its IPv6
    ones, other types its spans (a family the request has no address of keeps the plain value schema)."""
    rtype = node["properties"]["record_type"]
    types = list(rtype.get("enum", [])) or ([rtype["const"]] if "const" in rtype else [])
    families = {"A": cands.ipv4, "AAAA": cands.ipv6}
    variants, rest = [], [t for t in types if t not in _RECORD_TYPES_IP]
    for rt in [t for t in types if t in _RECORD_TYPES_IP]:
        v = copy.deepcopy(node)
        v["properties"]["record_type"] = {"type": "string", "const": rt}
        if families[rt]:
            v["properties"]["value"] = _string_enum(families[rt])
        variants.append(v)
    if rest:
        v = copy.deepcopy(node)
        v["properties"]["record_type"] = {"type": "string", **({"enum": rest} if len(rest) > 1 else {"const": rest[0]})}
        if cands.free:
            v["properties"]["value"] = _string_enum(cands.free)
        variants.append(v)
    return variants[0] if len(variants) == 1 else variants


def _walk(node, cands: Candidates):
    if isinstance(node, list):
        out = []
        for n in node:
            narrowed = _walk(n, cands)
            out += narrowed if isinstance(n, dict) and isinstance(narrowed, list) else [narrowed]
        return out
    if not isinstance(node, dict):
        return node
    walked = {k: (_walk(v, cands) if k in ("oneOf", "anyOf", "$defs", "items", "properties") else v)
              for k, v in node.items()}  # fmt: skip
    if "$defs" in walked:
        walked["$defs"] = {k: _walk(v, cands) for k, v in node["$defs"].items()}
        walked["$defs"] = {k: ({"anyOf": v} if isinstance(v, list) else v) for k, v in walked["$defs"].items()}
    if "properties" in node and isinstance(node["properties"], dict):
        walked["properties"] = node["properties"]  # leaves are narrowed by _narrow_object, not walked
        if "action" in node["properties"]:
            return _narrow_object(walked, cands)
    return walked


@functools.lru_cache(maxsize=1)
def _base_schema() -> str:
    return json.dumps(intent_json_schema())


def grounded_schema(request: str) -> dict:
    """The intent JSON Schema with every copied field narrowed to what ``request`` can supply."""
    _ENUMS.append({})
    try:
        schema = _walk(json.loads(_base_schema()), Candidates(request))
        for values, i in _registry().items():
            schema["$defs"][f"{_ENUM_PREFIX}{i}"] = {"type": "string", "enum": list(values)}
        return schema
    finally:
        _ENUMS.pop()


def plain_schema() -> dict:
    """The intent JSON Schema as it is (constrained decoding without grounding)."""
    return json.loads(_base_schema())
