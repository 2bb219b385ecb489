"""Grounded decoding: the values the spec says are copied from the request can only be copied from it.

The intent spec (rules 1, 2, 6, 8) has names, passwords, paths, hosts and ports copied as written, never made up.
Constrained decoding alone lets a model write ``"username": "zabin"`` for "zainab" or a ``key_size`` the request
never gave. Here, inside such a value, a token is allowed only when the value stays a piece of the request that
starts at a word boundary, and the value may close only where that piece ends at one; ports and the like must be a
whole number written in the request; an A record's value takes only IPv4 characters, an AAAA's only IPv6 ones.
An interface address given with a dotted netmask (spec rule 6: ``172.16.5.20 netmask 255.255.255.0`` is
``172.16.5.20/24``) can only be one of the request's IPv4 addresses with that mask's prefix length: a 0.5B model's
mask arithmetic was wrong in 6 of 1,028 synthetic test rows. Everything else (actions, enums, ``ttl``/``days``, which
the spec converts from words, addresses without a dotted mask) is left to the grammar. Which fields copy was
measured on the train splits: each one's gold value occurs in its request in every row, except IPv6 values, which
the spec writes in canonical form (those forms are added), and masked addresses (every one of 36 is such a pair).
"""

from __future__ import annotations

import ipaddress
import re

from microllm.backends.decoding import scan

# Spec rule 2: copied exactly as written, case kept (and mail addresses and full names, as in every train row).
CASE_KEPT = frozenset({"username", "group", "share", "password", "path", "comment", "alias", "destination",
                       "full_name"})  # fmt: skip
# Copied, but the spec lower-cases them (host names, services) or case does not matter (IPs, interfaces).
CASE_FREE = frozenset({"name", "value", "common_name", "alt_names", "host", "service", "interface", "source",
                       "gateway", "servers"})  # fmt: skip
NUMBERS = frozenset({"port", "priority", "key_size"})  # integers as written ("ttl", "days" convert words)
_IP = set("0123456789abcdefABCDEF:.")
RECORD_CHARS = {"A": set("0123456789."), "AAAA": _IP}  # spec rule 1: an A record's value is IPv4, AAAA's IPv6
FIELD_CHARS = {"gateway": _IP, "servers": _IP, "source": _IP | {"/"}}  # IPs (a source may be a CIDR block)
FILE_SUFFIXES = frozenset({"pem", "crt", "cer", "key", "csr", "pfx", "p12", "der"})
_WORD = set("_-")  # inside a name: "ylin" is not a piece of "aylin", nor "sofia" a whole name in "sofia.r@x"
_IP_LIKE = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*")


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def as_bytes(text: str) -> str:
    """UTF-8 bytes as a latin-1 string: a token can end inside a multi-byte character, and must match there too."""
    return text.encode("utf-8").decode("latin-1")


def sources(request: str) -> list[str]:
    """The request, plus the canonical text form of every IP address in it (spec rule 1), as :func:`as_bytes`."""
    out = [request]
    for token in _IP_LIKE.findall(request):
        try:
            canonical = str(ipaddress.ip_address(token.strip(".:")))
        except ValueError:
            continue
        if canonical not in request:
            out.append(canonical)
    return [as_bytes(t) for t in out]


def masked_addresses(request: str) -> list[str]:
    """``ip/prefix`` for every IPv4 address and every dotted netmask in the request (empty when it has no mask)."""
    found = re.findall(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])", request)
    prefixes, ips = [], []
    for token in found:
        try:
            if token.startswith("255."):  # a netmask; not 0.0.0.255, which ipaddress would read as a host mask
                prefixes.append(ipaddress.IPv4Network(f"0.0.0.0/{token}").prefixlen)
            else:
                ips.append(str(ipaddress.IPv4Address(token)))
        except ValueError:
            continue  # 999.1.2.3, 255.0.255.0: neither
    return [f"{ip}/{n}" for ip in ips for n in dict.fromkeys(prefixes)]


def _inner(ch: str) -> bool:
    return ch.isalnum() or ch in _WORD or ch >= "\x80"  # bytes of non-ASCII characters count as letters


def _bounded(text: str, piece: str, start: int, complete: bool) -> bool:
    if complete and not any(map(_inner, piece)):
        return False  # punctuation alone ("?", ".") is no value
    end = start + len(piece)
    before = text[start - 1] if start else " "
    lead_dash = before == "-" and (start < 2 or not _inner(text[start - 2]))  # "share: -v.petrov" (a removal)
    left = lead_dash or not (_inner(before) and _inner(piece[0]))
    if not complete or end == len(text) or not _inner(piece[-1]):
        return left
    nxt, word = text[end], re.match(r"[A-Za-z0-9]*", text[end + 1 :]).group()
    if nxt == "." and (not word or word.lower() in FILE_SUFFIXES):
        return left  # a full stop, a host name's trailing dot, or a file name's suffix (host.pem)
    return left and not (_inner(nxt) or nxt in ".@")


def occurs(value: str, texts: list[str], case_kept: bool, complete: bool, chars: set | None = None) -> bool:
    """``value`` is a piece of one of ``texts`` that starts at a word boundary and ends at one; when not
    ``complete``, a start of such a piece (of ``chars`` only, when given), so a value can always be finished."""
    if not value:
        return not complete
    for text in texts:
        # ASCII only: lower-casing latin-1 stand-ins for UTF-8 bytes would merge unrelated bytes (0xC3 and 0xE3).
        hay, needle = (text, value) if case_kept else (text.translate(_ASCII_LOWER), value.translate(_ASCII_LOWER))
        i = hay.find(needle)
        while i >= 0:
            if complete and _bounded(hay, needle, i, True):
                return True
            if not complete and _bounded(hay, needle, i, False) and _finishes(hay, i, i + len(needle), chars):
                return True
            i = hay.find(needle, i + 1)
    return False


def _finishes(text: str, start: int, end: int, chars: set | None) -> bool:
    for j in range(end, len(text) + 1):
        if j > end and chars is not None and text[j - 1] not in chars:
            return False
        if _bounded(text, text[start:j], start, True):
            return True
    return False


def value_ok(
    key: str | None,
    value: str,
    kind: str,
    siblings: dict,
    texts: list[str],
    complete: bool,
    masked: list[str] | tuple = (),
) -> bool:
    """Whether one (possibly partial) value keeps to the request (``masked``: its :func:`masked_addresses`)."""
    if key == "address" and masked:
        return occurs(value, masked, False, complete)
    if kind == "num":
        if key not in NUMBERS:
            return True
        runs = re.findall(r"\d+", texts[0])
        return value in runs if complete else any(r.startswith(value) for r in runs)
    chars = RECORD_CHARS.get(siblings.get("record_type")) if key == "value" else FIELD_CHARS.get(key)
    if chars is not None and not set(value) <= chars:
        return False
    if key in CASE_KEPT or key in CASE_FREE:
        return occurs(value, texts, key in CASE_KEPT, complete, chars)
    return True


class Grounding:
    """Checks whether appending a token's text to the answer so far keeps every copied value in the request."""

    def __init__(self, request: str):
        self.texts = sources(request)
        self.masked = masked_addresses(request)
        self.text = ""
        self._n_closed = 0

    def allows(self, piece: str) -> bool:
        """True when ``self.text + piece`` keeps to the request (values closed by ``piece`` and the open one)."""
        closed, open_ = scan(self.text + piece)
        for key, value, kind, siblings in closed[self._n_closed :]:
            if not value_ok(key, value, kind, siblings, self.texts, complete=True, masked=self.masked):
                return False
        return open_ is None or value_ok(*open_, self.texts, complete=False, masked=self.masked)

    def accept(self, piece: str) -> None:
        """Advance past an emitted token's text."""
        self.text += piece
        self._n_closed = len(scan(self.text)[0])
