"""Regex primitives for the rules baseline: clean text, quoted strings, hosts, IPs, durations, names.

Everything here is pure and tolerant: a primitive that finds nothing returns ``None`` (or an empty
list), never raises. Per-action extraction built on these lives in :mod:`slots_actions`.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

MAX_CHARS = 2000  # requests are one or two sentences; capping keeps every regex pass cheap
_QUOTE_MAP = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "`": "'"})


def clean(text: object) -> str:
    """Text with control characters removed, curly quotes straightened, whitespace collapsed."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = unicodedata.normalize("NFC", text[:MAX_CHARS]).translate(_QUOTE_MAP)
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(text.split())


# --- quoted strings and tokens ---------------------------------------------------------------
# A single quote only opens a quoted string when not glued to a word, so "john's" is no quote.
QUOTED = re.compile(r"""(?<!\w)'([^']+)'(?!\w)|"([^"]+)\"""")
_TOKEN = re.compile(r"""(?<!\w)'[^']+'(?!\w)|"[^"]+"|[^\s,;()]+""")
_TRAIL = ".,;:!?)"


def quoted(text: str) -> list[str]:
    """The contents of every quoted string, in order."""
    return [a or b for a, b in QUOTED.findall(text)]


def is_quoted(tok: str) -> bool:
    """Whether a token is a whole quoted string."""
    return len(tok) >= 2 and tok[0] == tok[-1] and tok[0] in "'\""


def unquote(tok: str, possessive: bool = True) -> str:
    """A name token as written: quotes dropped, trailing punctuation and "'s" removed."""
    if is_quoted(tok):
        return tok[1:-1]
    tok = tok.rstrip(_TRAIL)
    if possessive and tok.lower().endswith("'s") and len(tok) > 2:
        tok = tok[:-2]
    return tok.lstrip("(")


# Words that never are a name: articles, prepositions, pronoun-free fillers, verbs of the router.
FILLERS = set(
    "a an the new named called name of for is as with id account user username login local system unix linux "
    "existing existent group called: named: = : - mailbox also please".split()
)
STOPS = set(
    "to at on in from with and or into by via please that which so then but out under using having who it this "
    "password passwd passphrase pw pwd should must will would can could needs need is was has have had "
    "are were".split()
)
VERBS = set(
    "add create make remove delete drop set change update lock unlock enable disable give grant revoke put "
    "take let allow deny reset register new include kick suspend reactivate deactivate rename modify switch "
    "bring configure use assign open close block permit renew issue point forward move get shut start stop "
    "restart".split()
)
# Words that end a name search: they are never a name, though a request may put one where a name goes.
NOT_NAMES = set(
    "group groups share shares interface up down someone somebody everyone anyone right another including me us "
    "folder alias record entry".split()
)


def tokens(text: str) -> list[str]:
    """Whitespace/punctuation tokens, keeping quoted strings whole."""
    return _TOKEN.findall(text)


def _name_token(tok: str, skip, stop) -> tuple[str, str | None]:
    """Classify one token: ("take", name), ("skip", None) or ("stop", None)."""
    if is_quoted(tok):
        return "take", unquote(tok)
    low = tok.lower().rstrip(_TRAIL)
    if low in skip or not re.search(r"\w", tok):  # punctuation (":", "->") sits between a keyword and a name
        return "skip", None
    if not low or low in stop or low in VERBS or low in NOT_NAMES or tok.startswith("/") or not re.search(r"\w", tok):
        return "stop", None
    return "take", tok


def word_after(text: str, keywords: str, skip=FILLERS, stop=STOPS, possessive=True) -> str | None:
    """The first name-like token after any keyword match (regex ``keywords``), skipping fillers.

    A quoted token is always taken; a stop word (preposition, conjunction, verb, path) ends the
    search at that keyword occurrence, and the next occurrence is tried.
    """
    for m in re.finditer(rf"\b(?:{keywords})(?!\w)", text, re.I):
        for tok in tokens(text[m.end() :])[:6]:
            kind, val = _name_token(tok, skip, stop)
            if kind == "take":
                return val if is_quoted(tok) else unquote(val, possessive)
            if kind == "stop":
                break
    return None


def word_before(text: str, keyword: str, skip=("the", "a", "an", "new")) -> str | None:
    """The name-like token before ``keyword``, skipping ``skip`` words ("the samba group" -> "samba")."""
    for m in re.finditer(rf"\b(?:{keyword})\b", text, re.I):
        for tok in reversed(tokens(text[: m.start()])[-4:]):
            kind, val = _name_token(tok, skip, STOPS | FILLERS)
            if kind == "take":
                return val if is_quoted(tok) else unquote(val)
            if kind == "stop":
                break
    return None


# --- IP addresses ------------------------------------------------------------------------------
_IPV4 = r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)"
_IPV6 = r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])"
IP_RE = re.compile(rf"(?P<ip>{_IPV4}|{_IPV6})(?:/(?P<prefix>\d{{1,3}}))?")


def canon_ip(value: str) -> str:
    """Canonical text of an IP (``ipaddress``), or the text as written when it is not valid (rule 8)."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def is_ipv6(value: str) -> bool:
    """True for a syntactically valid IPv6 address."""
    try:
        return ipaddress.ip_address(value).version == 6
    except ValueError:
        return False


def find_ips(text: str) -> list[re.Match]:
    """IP matches in order (groups ``ip`` and ``prefix``); IPv6-looking text must parse to count."""
    out = []
    for m in IP_RE.finditer(text):
        ip = m.group("ip")
        if ":" in ip and not is_ipv6(ip):
            continue  # a MAC address or a clock time, not an IPv6 address
        out.append(m)
    return out


def mask_to_prefix(mask: str) -> int | None:
    """Prefix length of a dotted netmask ("255.255.255.0" -> 24), None when not a netmask."""
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except ValueError:
        return None


def ip_with_prefix(m: re.Match, text: str) -> str:
    """An IP match as CIDR when a "/N" or a following "netmask X" / "prefix N" gives the length."""
    ip = canon_ip(m.group("ip"))
    if m.group("prefix"):
        return f"{ip}/{m.group('prefix')}"
    tail = text[m.end() : m.end() + 60]
    nm = re.match(r"\s*,?\s*(?:with\s+)?(?:a\s+)?(?:sub)?(?:net)?mask\s*(?:of\s+|=\s*|:\s*)?(\S+)", tail, re.I)
    if nm:
        raw = nm.group(1).rstrip(_TRAIL)
        prefix = mask_to_prefix(raw) if "." in raw else (raw.lstrip("/") if raw.lstrip("/").isdigit() else None)
        if prefix is not None:
            return f"{ip}/{prefix}"
    pm = re.match(r"\s*,?\s*(?:with\s+)?(?:a\s+)?prefix(?:\s+length)?\s*(?:of\s+)?/?(\d{1,3})\b", tail, re.I)
    if pm:
        return f"{ip}/{pm.group(1)}"
    return ip


# --- host names ---------------------------------------------------------------------------------
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?"
HOST_RE = re.compile(rf"(?<![\w@./:-])((?:\*\.)?{_LABEL}(?:\.{_LABEL})+)\.?(?![\w@-]|\.\w)", re.I)
_NOT_HOSTS = {"e.g", "i.e", "etc", "resolv.conf", "a.m", "p.m"}


def find_hosts(text: str) -> list[re.Match]:
    """Host-name matches (group 1) in order: dotted, last label not numeric, not inside an e-mail/path."""
    out = []
    for m in HOST_RE.finditer(text):
        host = m.group(1).lower()
        last = host.rsplit(".", 1)[-1]
        if host in _NOT_HOSTS or not re.search(r"[a-z]", last) or re.search(r"\.(conf|txt|log|sh)$", host):
            continue
        out.append(m)
    return out


def host(value: str) -> str:
    """A host name as the spec writes it: lower-case, no trailing dot, quotes dropped."""
    return unquote(value).strip().rstrip(".").lower()


# --- numbers and durations ---------------------------------------------------------------------
_NUMBERS = (
    "a=1 an=1 one=1 two=2 three=3 four=4 five=5 six=6 seven=7 eight=8 nine=9 ten=10 eleven=11 twelve=12 "
    "fifteen=15 twenty=20 thirty=30 forty=40 forty-five=45 fifty=50 sixty=60 ninety=90"
)
NUMBER_WORDS = {w: int(n) for w, n in (pair.split("=") for pair in _NUMBERS.split())}
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_UNIT_DAYS = {"d": 1, "w": 7, "mo": 30, "y": 365}
_NUM = r"\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_LONG_UNIT = r"seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?"
_UNIT = _LONG_UNIT + r"|s|m|h|d|w|y"
# One-letter units ("5m", "30d") only after digits, so "a m" in prose is never a duration.
DURATION_RE = re.compile(
    rf"\b(?:(?P<n>{_NUM})(?:\s*-\s*|\s*)(?P<unit>{_LONG_UNIT})|(?P<n2>\d+)\s*(?P<unit2>[smhdwy]))\b", re.I
)


def _parts(m: re.Match) -> tuple[int | None, str]:
    n, unit = (m.group("n"), m.group("unit")) if m.group("n") else (m.group("n2"), m.group("unit2"))
    return _number(n), _unit_key(unit)


def _number(word: str) -> int | None:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def _unit_key(unit: str) -> str:
    unit = unit.lower()
    if unit.startswith("mo"):
        return "mo"
    return unit[0]


def duration_seconds(text: str) -> int | None:
    """Seconds of a duration phrase ("5 minutes" -> 300, "an hour" -> 3600, "300" -> 300)."""
    m = DURATION_RE.match(text.strip())
    if m:
        n, key = _parts(m)
        if key in _UNIT_SECONDS and n is not None:
            return n * _UNIT_SECONDS[key]
    bare = re.match(r"(\d+)\b", text.strip())
    return int(bare.group(1)) if bare else None


def ttl_seconds(text: str) -> int | None:
    """The TTL stated in a request, in seconds: "TTL 300", "ttl of 1 hour", "a 5 minute TTL"."""
    m = re.search(r"\b(?:ttl|time[- ]to[- ]live)\b\s*(?:of|=|:|to|is|set to)?\s*\(?(.{1,20})", text, re.I)
    if m:
        val = duration_seconds(m.group(1))
        if val is not None:
            return val
    m = re.search(rf"\b((?:{_NUM})(?:\s*-?\s*(?:{_UNIT}))?)\s+(?:ttl|time[- ]to[- ]live)\b", text, re.I)
    return duration_seconds(m.group(1)) if m else None


def duration_days(text: str) -> int | None:
    """Days of the first day/week/month/year duration ("a year" -> 365, "2 weeks" -> 14)."""
    for m in DURATION_RE.finditer(text):
        n, key = _parts(m)
        if key in _UNIT_DAYS and n is not None:
            return n * _UNIT_DAYS[key]
    m = re.search(r"\bdays?\s*[=:]?\s*(\d+)\b", text, re.I)
    return int(m.group(1)) if m else None


def first_int(pattern: str, text: str) -> int | None:
    """The integer in group 1 of the first match of ``pattern``, or None."""
    m = re.search(pattern, text, re.I)
    return int(m.group(1)) if m else None
