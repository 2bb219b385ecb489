"""Per-action slot extraction for the rules baseline: one small function per domain, one table.

Each extractor takes cleaned request text and returns the fields it found (no ``action`` key);
optional fields that the text does not state are left out, required ones that it lacks are left
out too, and :func:`microllm.baselines.rules.extract` turns those into a ``clarify`` intent.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from microllm.baselines.slots import (
    FILLERS,
    STOPS,
    VERBS,
    canon_ip,
    duration_days,
    find_hosts,
    find_ips,
    first_int,
    host,
    ip_with_prefix,
    is_ipv6,
    quoted,
    ttl_seconds,
    unquote,
    word_after,
    word_before,
)

QUOTE_MASK = re.compile(r"""(?<!\w)'[^']+'(?!\w)|"[^"]+\"""")


def mask_quotes(text: str) -> str:
    """Quoted strings replaced by a placeholder, so their words trigger no keyword."""
    return QUOTE_MASK.sub("'Q'", text)


# --- dns --------------------------------------------------------------------------------------
_TYPE_WORDS = [  # (pattern, record type); explicit type names first, then descriptive wording
    (r"\bdig\s+\S+\s+(?:AAAA)\b", "AAAA"),
    (r"\bdig\s+\S+\s+(?:A)\b", "A"),
    (r"\bdig\s+\S+\s+(?:NS)\b", "NS"),
    (r"(?<![\w.-])(?:aaaa|quad[- ]a)(?![\w-]|\.\w)", "AAAA"),
    (r"(?<![\w.-])cname(?![\w-]|\.\w)", "CNAME"),
    (r"(?<![\w.-])mx(?![\w-]|\.\w)", "MX"),
    (r"(?<![\w.-])txt(?![\w-]|\.\w)", "TXT"),
    (r"(?<![\w.-])(?:ptr|reverse)(?![\w-]|\.\w)", "PTR"),
    (r"(?<![\w.-])srv(?![\w-]|\.\w)", "SRV"),
    (r"(?<![\w.-])caa(?![\w-]|\.\w)", "CAA"),
    (r"(?<![\w.-])ns(?:\s+record|\s+entry)", "NS"),
    (r"\b(?:the|an)\s+a\s+(?:record|entry)|\ba-record\b|\bipv4\b", "A"),
    (r"\bipv6\b", "AAAA"),
    (r"\balias\b|\bcanonical name\b", "CNAME"),
    (r"\bmail (?:server|exchanger|exchange|host)\b", "MX"),
    (r"\btext record\b|\bspf\b", "TXT"),
]


def record_type(text: str) -> str | None:
    """An explicitly named record type (quoted text masked): "CNAME", "an A record", "mail server"."""
    masked = mask_quotes(text)
    if re.search(r"(?<![\w.-])A(?:\s+|-)(?:record|entry|rr)\b", masked):  # capital "A" only
        return "A"
    for pattern, rtype in _TYPE_WORDS:
        if re.search(pattern, masked, re.I):
            return rtype
    return None


def _dns_name_and_hosts(masked: str, rtype: str | None) -> tuple[str | None, list[str]]:
    """The record name and the other host names (candidate values) in order.

    The name is the host after "for" when there is one (MX "mail.x for x.com"), except for
    CNAME, whose alias is written first ("alias www.local for server.local").
    """
    hosts = find_hosts(masked)
    if not hosts:
        return _single_label(masked), []
    names = [host(m.group(1)) for m in hosts]
    if rtype in ("CNAME", "MX") and len(hosts) == 1 and re.search(_VALUE_BEFORE, masked[: hosts[0].start()], re.I):
        return None, names  # "a CNAME that points to x.local": the target is given, the name is not
    if rtype == "MX" and len(hosts) == 1:  # "mail.x.com as mail server for local": a one-label zone
        label = _single_label(masked, r"for|of|on|to|domain|zone")
        if label and label != names[0]:
            return label, names
    before = [masked[: m.start()] for m in hosts]
    if rtype == "CNAME":  # the alias comes first, unless it is introduced by "answer as" / "known as"
        pick = [i for i, b in enumerate(before) if re.search(r"\b(?:answer|known|reachable)\s+as\s+$|\baka\s+$", b)]
    else:
        pick = [i for i, b in enumerate(before) if re.search(_NAME_BEFORE, b, re.I)]
        if not pick and rtype == "MX":
            pick = [i for i, b in enumerate(before) if re.search(r"\bto\s+(?:the\s+)?$", b, re.I)]
    idx = pick[0] if pick else 0
    return names[idx], names[:idx] + names[idx + 1 :]


_VALUE_BEFORE = r"\b(?:points?|pointing|target(?:ing)?|resolving)\s+(?:to|at)?\s*$|->\s*$"
_NAME_BEFORE = r"\b(?:for|of|domain|zone)\s+(?:the\s+)?(?:domain\s+|zone\s+|host\s+)?$"


def _dns_value(text: str, masked: str, rtype: str | None, others: list[str], newest: bool):
    """(value, record type) for add/update: an IP, a quoted TXT string or a target host."""
    ips = find_ips(masked)
    if rtype == "TXT":
        q = quoted(text)
        return (q[0] if q else None), rtype
    if ips:
        pick = ips[0]
        if newest and len(ips) > 1:  # "from 10.0.0.5 to 10.0.0.9": the new value follows "to"
            after_to = [m for m in ips if re.search(r"\bto\s+$", masked[: m.start()], re.I)]
            pick = after_to[0] if after_to else ips[-1]
        ip = canon_ip(pick.group("ip"))
        if rtype in (None, "A", "AAAA", "CNAME"):
            rtype = "AAAA" if is_ipv6(ip) else "A"
        return ip, rtype
    if others:
        return others[-1] if newest else others[0], rtype or "CNAME"  # a host target implies CNAME
    return None, rtype


def _dns_write(text: str, newest: bool, with_priority: bool) -> dict:
    masked = mask_quotes(text)
    rtype = record_type(text)
    name, others = _dns_name_and_hosts(masked, rtype)
    value, rtype = _dns_value(text, masked, rtype, others, newest)
    out = {"name": name, "record_type": rtype, "value": value, "ttl": ttl_seconds(masked)}
    if with_priority and rtype == "MX":
        out["priority"] = first_int(r"\b(?:priority|pref(?:erence)?|prio|weight)\s*(?:of|=|:)?\s*(\d+)", masked)
        out["priority"] = out["priority"] or first_int(r"\b(\d+)\s+(?:priority|preference)\b", masked)
    return out


def dns_add(text: str) -> dict:
    """name, record type (explicit or inferred from the value), value, ttl, MX priority."""
    return _dns_write(text, newest=False, with_priority=True)


def dns_update(text: str) -> dict:
    """Like :func:`dns_add`, but a second IP/host is the new value ("from X to Y")."""
    return _dns_write(text, newest=True, with_priority=False)


def _single_label(masked: str, keywords: str = "") -> str | None:
    """A name without dots after "host"/"for"/"to"/"of" ("What is the IP of host fileserver")."""
    keywords = keywords or r"record|entry|host(?:name)?|for|of|on|to|resolve|look\s*up|lookup|dig"
    label = word_after(masked, keywords, skip=_NOT_HOST_WORDS)
    return label.lower() if label and re.fullmatch(r"[a-z][a-z0-9_-]*", label, re.I) else None


_NOT_HOST_WORDS = set(
    "for of on to in at with a an the "
    "dns record records entry entries ip address ipv4 ipv6 host hostname name server "
    "mx cname txt aaaa ptr srv ns it this that".split()
)


def dns_name_only(text: str) -> dict:
    """dns_remove / dns_lookup: the name and an explicitly stated record type.

    Without a dotted name, a single host-like label after "host"/"for"/"of" counts
    ("What is the IP of host fileserver").
    """
    masked = mask_quotes(text)
    name, _ = _dns_name_and_hosts(masked, None)
    return {"name": name, "record_type": record_type(text)}


# --- users and groups -----------------------------------------------------------------------------
_USER_KW = r"user\s*names?|usernames?|logins?|user\s*id|uid"
_USER_WORD = r"users?|accounts?"


_SUBJECT = re.compile(
    r"^([\w.@-]+)\s+(?:\w+\s+)?(?:should|needs?|must|has to|wants?|will|can|is|moved|left|joined|lose|no longer|"
    r"forgot|starts|started|joins|joined)\b",
    re.I,
)
PRONOUNS = set("him her them he she they his their hers".split())
_NOT_SUBJECTS = FILLERS | PRONOUNS | set("we i you it this that there please".split())


def username(text: str, verbs: str | None = None) -> str | None:
    """A user name: after "username"/"user"/"account", "X's account", the object of ``verbs``,
    or the subject of "X should/needs ..." when the object is a pronoun ("give them access")."""
    found = word_after(text, r"user\s*names?|usernames?") or word_after(text, _USER_KW) or word_after(text, _USER_WORD)
    if not found:
        m = re.search(
            r"(\S+?)'s\s+(?:user\s+)?(?:account|password|login|access|home|membership|permissions?)", text, re.I
        )
        found = unquote(m.group(1)) if m and m.group(1).lower() not in FILLERS else None
    if not found and verbs:
        found = word_after(text, verbs, skip=FILLERS | {"out"})
    if found is None or found.lower() in PRONOUNS:
        m = _SUBJECT.match(text)
        return m.group(1) if m and m.group(1).lower() not in _NOT_SUBJECTS else None
    return found


_PW = re.compile(
    r"\b(?:password|passwd|passphrase|pass\s?word|pwd|pw)\b\s*"
    r"(?:(?:for|of)\s+(?:the\s+)?(?:user\s+|account\s+)?\S+\s+)?"
    r"(?:(?:is|to|as|be|being|should\s+be|will\s+be|set\s+to|of)\b\s*|[=:]\s*)*"
    r"(?P<v>'[^']+'|\"[^\"]+\"|\S+)",
    re.I,
)
_NOT_PASSWORDS = {"for", "of", "to", "the", "and", "a", "on", "reset", "change", "please", "with"}


def password(text: str) -> str | None:
    """The password exactly as written, after "password"/"pw"/"passphrase" (quotes dropped)."""
    for m in _PW.finditer(text):
        v = m.group("v")
        if v[0] in "'\"" and v[-1] == v[0] and len(v) > 1:
            return v[1:-1]
        v = v.rstrip(",;") if m.end() < len(text) else v.rstrip(".,;")
        if v.endswith(")") and "(" not in v:  # "(password: x)": the bracket closes the aside
            v = v[:-1]
        if v.lower() not in _NOT_PASSWORDS and re.search(r"\w", v):
            return v
    for pattern in _PW_ELSEWHERE:
        m = re.search(pattern, text, re.I)
        if m:
            return unquote(m.group(1), possessive=False)
    return None


_PW_ELSEWHERE = [  # the password before "password", or after "use"/"->"/"the new one is"
    r"('[^']+'|\"[^\"]+\"|\S+)\s+as\s+(?:the\s+|his\s+|her\s+|their\s+)?(?:new\s+)?password",
    r"\bmake\s+('[^']+'|\"[^\"]+\"|\S+)\s+the\s+new\s+password",
    r"\bpassword\b.*?,?\s+use\s+('[^']+'|\"[^\"]+\"|\S+)",
    r"\bpassword\b.*?\s(?:->|=>)\s*('[^']+'|\"[^\"]+\"|\S+)",
    r"\bnew\s+(?:one|password|pass)\s+(?:is|will be|should be)\s+('[^']+'|\"[^\"]+\"|\S+)",
]


_CAP = r"[A-ZÀ-ÖØ-ÞĀ-ſ][\w'.-]*"  # a capitalised word (Latin-1 and Latin Extended-A capitals)


def full_name(text: str) -> str | None:
    """A full name: after "full name", quoted with a space, in parentheses, or "for John Smith"."""
    m = re.search(
        rf"\b(?:full|real|display)\s*name\s*(?:is|of|=|:)?\s*('[^']+'|\"[^\"]+\"|{_CAP}(?:\s+{_CAP})*)",
        text,
        re.I,
    )
    if m:
        return unquote(m.group(1))
    spaced = [q for q in quoted(text) if " " in q.strip()]
    if spaced:
        return spaced[0]
    m = (
        re.search(r"\((?![^)]*\b(?:password|pw)\b)([^)]*\s[^)]*)\)", text, re.I)
        or re.search(rf"\b(?:for|named|called|name)\s+({_CAP}(?:\s+{_CAP})+)", text)
        or re.search(rf"^({_CAP}(?:\s+{_CAP})+)\s+(?:starts|joins|joined|is joining|begins|arrives)\b", text)
    )
    return m.group(1).strip() if m else None


def group_name(text: str, membership: bool = False) -> str | None:
    """A group name: "group X", "the X group", and for membership "to X" / "from X" / "member of X"."""
    found = word_after(text, r"groups?") or word_before(text, r"groups?")
    if found or not membership:
        return found
    return word_after(text, r"members?\s+of|to|into|in|from|out\s+of", skip={"the", "a", "an"})


def remove_home(text: str) -> bool | None:
    """True for "and his home directory", False for "keep the home directory", None when not said."""
    home = r"(?:(?:his|her|their|the|its|all|user's|[\w.-]+'s)\s+)?(?:home|files|data)"
    if re.search(
        rf"\b(?:keep|keeping|preserve|preserving|retain|retaining|leave|leaving|but not|"
        rf"without (?:removing|deleting|touching))\s+{home}",
        text,
        re.I,
    ):
        return False
    if re.search(
        rf"\b(?:remove|delete|purge|wipe|including|include|with|and|plus|also)\s+{home}|"
        r"--remove-home|\bremove[- ]home\b",
        text,
        re.I,
    ):
        return True
    return None


_MEMBER_VERBS = r"add|put|include|insert|assign|enroll|place|make|remove|delete|drop|kick|take|exclude|get|grant"
_LOCK_VERBS = (
    r"lock(?:\s+out)?|unlock|disable|enable|re-?enable|suspend|unsuspend|deactivate|reactivate|"
    r"freeze|unfreeze|block|unblock|restore"
)


def user_fields(text: str, action: str) -> dict:
    """Fields of every user_* / group_* action (each keeps only its own keys later)."""
    verbs = {
        "user_lock": _LOCK_VERBS,
        "user_unlock": _LOCK_VERBS,
        "user_remove": r"remove|delete",
        "user_add": r"add|create|set\s*up|register|make|provision|onboard",
        "user_set_password": r"(?:password|passwd|passphrase|pwd|pw)\s+(?:for|of)|for|of",
    }.get(action, _MEMBER_VERBS)
    out = {"username": username(text, verbs)}
    if action == "user_add":
        out.update(password=password(text), full_name=full_name(text))
        if out["full_name"] in (out["username"], out["password"]):
            out["full_name"] = None  # the quoted string was the name or the password, not a full name
    elif action == "user_set_password":
        out["password"] = password(text)
    elif action == "user_remove":
        out["remove_home"] = remove_home(text)
    elif action in ("user_add_to_group", "user_remove_from_group"):
        out["group"] = group_name(text, membership=True)
        if out["group"] == out["username"]:  # "Add to the wheel group the user bob"
            out["group"] = word_before(text, r"groups?")
        out["username"] = out["username"] or word_after(text, r"membership\s+for|for")
    elif action in ("group_add", "group_remove"):
        out = {"group": group_name(text)}
    return out


# --- samba -----------------------------------------------------------------------------------------
_SHARE_SKIP = set(
    "the a an new samba smb cifs network file windows folder read-only readonly writable hidden guest-accessible "
    "public-facing".split()
)


PATH_RE = re.compile(r"(?<![\w.:/])(/[^\s,;'\"]*)")


def share_name(text: str) -> str | None:
    """A share name: "the x share", "share called 'x'", "share x", "access to x", "called/named x"."""
    text = PATH_RE.sub("/", text)  # "/srv/shares/x" holds no "share" keyword
    stop = STOPS | {"can", "should", "must", "will", "is", "needs", "was", "over"}
    return (
        word_before(text, r"shares?", skip=_SHARE_SKIP)
        or word_after(text, r"shares?", skip=FILLERS | _SHARE_SKIP | {"add", "create"}, stop=stop)
        or word_after(text, r"called|named|(?:the\s+)?name|as")
        or word_after(text, r"(?:access|rights|permissions?)\s+(?:to|on|for)|no longer see|off|sharing|files in")
        or (m.group(1) if (m := re.match(r"([\w.-]+)\s+(?:holds|contains|stores|has)\b", text)) else None)
    )


def share_path(text: str) -> str | None:
    """An absolute path (quoted when it holds spaces), copied as written."""
    for q in quoted(text):
        if q.startswith("/"):
            return q
    m = PATH_RE.search(text)
    if not m:
        return None
    path = m.group(1).rstrip(".,;:!?")
    return path.rstrip(")") if path.count(")") > path.count("(") else path


def _flag(text: str, yes: str, no: str) -> bool | None:
    if re.search(no, text, re.I):
        return False
    return True if re.search(yes, text, re.I) else None


def share_fields(text: str, action: str) -> dict:
    """Fields of share_create / share_remove."""
    out = {"name": share_name(text)}
    if action == "share_create":
        out["path"] = share_path(text)
        m = re.search(
            r"\b(?:comment|description|described as|labell?ed)\b\s*(?:of|is|=|:|saying)?\s*('[^']+'|\"[^\"]+\")",
            text,
            re.I,
        )
        out["comment"] = m.group(1)[1:-1] if m else None
        words = PATH_RE.sub("/", mask_quotes(text))  # flags come from the words, not from paths or comments
        out["read_only"] = _flag(
            words,
            r"\bread[- ]?only\b|\bro\b|\bnot writ[e]?able\b",
            r"\bwrit[e]?able\b|\bread[- /]?write\b|\bread and write\b|\brw\b|\bnot read[- ]?only\b",
        )
        out["guest_ok"] = _flag(
            words,
            r"\bguests?\b|\banonymous\b",
            r"\bno guests?\b|\bwithout guests?\b|\bguests? (?:not allowed|disabled|off|no)\b|\bguests?\s+"
            r"(?:must|should|may|can|are|is|will)?\s*(?:not|n't|never)\b|\b(?:disallow|deny|no|disable|"
            r"without)\s+guest access\b|\bprivate\b|\bguest[- ]ok\s*=?\s*no\b",
        )
    return out


_GRANT_VERBS = r"give|grant|allow|let|permit|add|revoke|remove|deny|take\s+away|take|withdraw|drop|kick|strip"
_ACCESS_WORDS = set(
    "access read write full permission permissions rights only - read-only read/write read-write "
    "rw ro away back".split()
)


def access_subject(text: str, share: str | None) -> dict:
    """{"group": g} or {"username": u}: who a share grant/revoke is about."""
    grp = word_after(text, r"groups?", stop=STOPS | _ACCESS_WORDS) or word_before(text, r"groups?")
    if not grp:
        m = re.search(r"(?<![\w.])@([\w.-]+)", text)
        grp = m.group(1) if m else None
    if grp:
        return {"group": grp}
    user = username(text, _GRANT_VERBS)
    if user and user != share and user.lower() not in _ACCESS_WORDS:
        return {"username": user}
    for m in re.finditer(r"\b(?:to|for|from)\s+(?:the\s+)?(?:user\s+)?('[^']+'|\"[^\"]+\"|[^\s,;]+)", text, re.I):
        cand = unquote(m.group(1))
        if cand != share and cand.lower() not in FILLERS | STOPS | _ACCESS_WORDS | {"share", "everyone"}:
            return {"username": cand}
    return {}


def access_level(text: str) -> str | None:
    """ "write" for write/read-write/full access, "read" for read/read-only, None when not said."""
    masked = mask_quotes(text)
    if re.search(r"\b(?:write|writ(?:e)?able|read[- /]?write|rw|full|modify|edit)\b", masked, re.I):
        return "write"
    if re.search(r"\b(?:read|read[- ]?only|readonly|ro|view)\b", masked, re.I):
        return "read"
    return None


def share_access_fields(text: str, action: str) -> dict:
    """share_grant_access / share_revoke_access: share, one of username/group, access level (grant)."""
    share = share_name(text)
    out = {"share": share, **access_subject(text, share)}
    if share in (out.get("username"), out.get("group")):  # "Revoke alice's share access": no share named
        out["share"] = None
    if action == "share_grant_access":
        out["access"] = access_level(text)
    return out


# --- mail ---------------------------------------------------------------------------------------------
_ADDR = r"('[^']+'|\"[^\"]+\"|[\w.+-]+@[\w.-]+\w|[\w.+-]+)"
_TO = (
    r"(?:to|->|=>|:|into|pointing\s+(?:to|at)|points?\s+to|forwarding\s+to|forwards?\s+to|that\s+forwards\s+to|"
    r"which\s+forwards\s+to|delivering\s+to|goes\s+to|going\s+to|that\s+goes\s+to|redirect(?:ing)?\s+to|for)"
)


def mail_alias_fields(text: str, action: str) -> dict:
    """alias and destination: "alias sales to bob@x", "webmaster an alias for john", "forward X to Y"."""
    patterns = [  # (regex, alias group, destination group); first match wins
        (rf"{_ADDR}\s+(?:as\s+)?(?:an?\s+)?(?:mail\s+|e-?mail\s+)?alias\s+(?:of\s+|{_TO}\s+){_ADDR}", 1, 2),
        (
            rf"\balias(?:es)?\s+(?:named\s+|called\s+|for\s+|add\s+)?{_ADDR}(?:\s*(?::|->|=>)\s*|\s+{_TO}\s+){_ADDR}",
            1,
            2,
        ),
        (
            rf"\bforward\w*\s+(?:all\s+)?(?:e-?mails?\s+|messages\s+|mail\s+)?(?:for|to|from|addressed\s+to|"
            rf"sent\s+to)\s+{_ADDR}\s+to\s+{_ADDR}",
            1,
            2,
        ),
        (
            rf"\b(?:(?:e-?)?mails?|messages)\s+(?:for|to|sent\s+to|addressed\s+to)\s+{_ADDR}\s+(?:should\s+)?"
            rf"(?:go|goes|be\s+delivered|be\s+forwarded|get\s+forwarded|forward|is\s+forwarded)\s+to\s+{_ADDR}",
            1,
            2,
        ),
        (
            rf"\blet\s+{_ADDR}\s+(?:receive|get|read)\s+(?:the\s+|all\s+)?(?:e-?)?mails?\s+(?:for|to|of)\s+"
            rf"(?:the\s+)?(?:alias\s+|address\s+)?{_ADDR}",
            2,
            1,
        ),
    ]
    bad = FILLERS | STOPS | VERBS | {"alias", "mail", "email", "e-mail", "an"}
    if action == "mail_alias_add":
        for pattern, a, d in patterns:
            for m in re.finditer(pattern, text, re.I):
                alias, dest = unquote(m.group(a)), unquote(m.group(d))
                if alias.lower() not in bad and dest.lower() not in bad:
                    return {"alias": alias, "destination": dest}
    if action == "mail_alias_add":  # "an alias for bob" / "an alias that forwards to bob": bob receives
        dest = word_after(text, r"alias(?:es)?\s+for|(?:forwards?|forwarding|points?|pointing|goes|delivers?)\s+to")
        alias = word_after(text, r"alias(?:es)?", skip=(FILLERS - {"for"}) | {"mail", "email", "e-mail"})
        return {"alias": None if alias == dest else alias, "destination": dest}
    alias = (
        word_after(text, r"alias(?:es)?", skip=FILLERS | {"mail", "email", "e-mail", "rm", "del", "add", "remove"})
        or word_before(text, r"(?:mail\s+|e-?mail\s+)?alias", skip=("the", "a", "an", "mail", "email", "e-mail"))
        or word_after(text, r"(?:mail|e-?mails?|messages)\s+(?:for|to|addressed\s+to)|forwarding\s+(?:for|of|to)")
    )
    m = re.match(r"([\w.+@-]+)\s+(?:no longer|doesn't|does not)\b", text)  # "noc no longer needs to be forwarded"
    return {"alias": alias or (m.group(1) if m and m.group(1).lower() not in FILLERS else None)}


def mail_relay_fields(text: str) -> dict:
    """host (name or IP) and port: "relay through smtp.x.com:587", "smarthost mail.isp.net port 25"."""
    hosts, ips = find_hosts(text), find_ips(text)
    first = min(hosts + ips, key=lambda m: m.start(), default=None)
    value = None
    if first is not None:
        value = host(first.group(1)) if first in hosts else canon_ip(first.group("ip"))
    port = first_int(r"\bport\s*(?:number\s*)?(?:of\s+|=\s*|:\s*)?(\d{1,5})\b", text)
    if port is None and first is not None:
        port = first_int(r"^\]?:(\d{1,5})\b", text[first.end() :])
    return {"host": value, "port": port}


# --- pki --------------------------------------------------------------------------------------------------
_ALT_KW = (
    r"\b(?:alt(?:ernative)?[- ]?names?|sans?|subject[- ]alt(?:ernative)?[- ]names?|additional (?:names?|"
    r"domains?|hosts?)|also (?:valid |good )?(?:for|covering)|covering|plus|extra names?|other names?)\b"
)


def cert_fields(text: str, action: str) -> dict:
    """common name, alt names (hosts after "SAN"/"alt names", or any further hosts), days, key type/size."""
    hosts = find_hosts(mask_quotes(text))
    names = [host(m.group(1)) for m in hosts]
    cn = names[0] if names else None
    if cn is None:
        q = quoted(text)
        cn = q[0] if q else word_after(text, r"common\s+name|cn|for", skip=FILLERS | {"the", "host", "server"})
        cn = host(cn) if cn else None
    out: dict = {"common_name": cn}
    if action == "cert_revoke":
        return out
    out["days"] = duration_days(text)
    if action == "cert_create":
        alt = re.search(_ALT_KW, text, re.I)
        if alt:
            before = [n for m, n in zip(hosts, names, strict=True) if m.start() < alt.start()]
            out["common_name"] = before[0] if before else cn
            rest = [n for m, n in zip(hosts, names, strict=True) if m.start() > alt.start()]
        else:
            rest = names[1:]
        out["alt_names"] = [n for n in rest if n != out["common_name"]] or None
        out.update(_key_fields(text))
    return out


def _key_fields(text: str) -> dict:
    """key_type ("rsa"/"ec") and key_size from "RSA 4096", "4096-bit", "EC P-256", "key size 2048"."""
    ktype = None
    if re.search(r"\brsa\b", text, re.I):
        ktype = "rsa"
    elif re.search(r"\b(?:ec|ecdsa|elliptic[- ]curve|ecc|p-?(?:256|384|521)|secp\d+r1|prime256v1)\b", text, re.I):
        ktype = "ec"
    size = (
        first_int(r"\b(\d{3,5})[- ]?bits?\b", text)
        or first_int(r"\b(?:rsa|ec|ecdsa)[- :]?(\d{3,5})\b", text)
        or first_int(r"\bkey[- ]?(?:size|length)\s*(?:of\s+|=\s*|:\s*)?(\d{3,5})\b", text)
        or first_int(r"\b(?:p-?|secp|prime)(256|384|521)", text)
    )
    return {"key_type": ktype, "key_size": size}


# --- firewall -----------------------------------------------------------------------------------------
SERVICES = (
    "ssh|https?|smtps?|submission|imaps?|pop3s?|dns|ftps?|sftp|tftp|mysql|mariadb|postgresql|postgres|rdp|vnc|"
    "ntp|snmp|ldaps?|samba|smb|nfs|telnet|kerberos|openvpn|wireguard|dhcp|mdns|syslog|redis|mongodb|ipp|"
    "cockpit|squid|rsync|irc|xmpp|sip|mssql|memcached|elasticsearch|zabbix|prometheus|mqtt|ipsec"
)
_PORT_PATTERNS = [  # (regex, port group, protocol group or 0)
    (r"\b(\d{1,5})\s*/\s*(tcp|udp)\b", 1, 2),
    (r"\b(tcp|udp)\s*/\s*(\d{1,5})\b", 2, 1),
    (r"\b(tcp|udp)\s+(?:port\s+)?(\d{1,5})\b", 2, 1),
    (r"\bports?\s*(?:number\s*)?#?\s*(\d{1,5})\b", 1, 0),
    (r"\b(\d{1,5})\s+(tcp|udp)\b", 1, 2),
    # a bare number right after a firewall verb or "rule for": "ufw allow 8000", "close 5000 on the firewall"
    (r"\b(?:allow|open|close|deny|block|reject|permit|drop|for)\s+(\d{1,5})\b(?![./:]\d|\s*(?:days?|weeks?))", 1, 0),
]
_SOURCE = re.compile(
    r"\b(?:from|source|src|for|originating\s+from|coming\s+from)\s+(?:(?:the|ip|host|address|network|"
    r"subnet|range|net|only|any|of|block|cidr)\s+)*(?=\d|[0-9a-f]*:)",
    re.I,
)


def fw_fields(text: str) -> dict:
    """port (int) or service (lower-case), protocol, source IP/CIDR."""
    out: dict = {"protocol": None}
    for pattern, pg, prg in _PORT_PATTERNS:
        m = re.search(pattern, text, re.I)
        if m:
            out["port"] = int(m.group(pg))
            out["protocol"] = m.group(prg).lower() if prg else None
            break
    if "port" not in out:
        m = re.search(rf"\b({SERVICES})\b", text, re.I) or re.search(
            r"\bservice\s+(?:called\s+|named\s+)?([\w-]+)|\b([\w-]+)\s+service\b", text, re.I
        )
        if m:
            svc = next(g for g in m.groups() if g)
            if svc.lower() not in FILLERS | STOPS | {"the", "that", "this"}:
                out["service"] = svc.lower()
    if out["protocol"] is None:
        m = re.search(r"\b(tcp|udp)\b", text, re.I)
        out["protocol"] = m.group(1).lower() if m else None
    out["source"] = fw_source(text)
    return out


def fw_source(text: str) -> str | None:
    """The source IP/CIDR after "from"/"source"; a netmask becomes a prefix length."""
    for pre in _SOURCE.finditer(text):
        for m in find_ips(text):
            if m.start() == pre.end():
                return ip_with_prefix(m, text)
    return None


# --- network ------------------------------------------------------------------------------------------
IFACE_RE = re.compile(
    r"\b(?:eth\d+(?:\.\d+)?|ens\d+\w*|enp\d+s\d+\w*|eno\d+\w*|enx[0-9a-f]+|em\d+|wlan\d+|wlp\d+s\d+\w*|"
    r"wlo\d+|br\d+|bond\d+|vlan\d+|lo|tun\d+|tap\d+|wg\d+|virbr\d+|docker\d+|ib\d+|p\d+p\d+)\b",
    re.I,
)
_GW = r"\b(?:gateway|gw|via|default\s+route|router|route)\s*(?:is\s+|of\s+|to\s+|at\s+|=\s*|:\s*)?$"


def interface(text: str) -> str | None:
    """An interface name as written: a known naming scheme (eth0, ens33, ...) or "interface X"."""
    m = IFACE_RE.search(text)
    if m:
        return m.group(0)
    skip = FILLERS | {"network", "nic", "the"}
    return word_after(text, r"interfaces?|nic|adapter|device", skip=skip) or word_before(
        text, r"(?:network\s+)?interface|nic", skip=("the", "network")
    )


def net_fields(text: str, action: str) -> dict:
    """interface, address (CIDR) and gateway, or the ordered nameserver list."""
    out: dict = {"interface": interface(text)}
    ips = find_ips(text)
    if action == "net_set_nameservers":
        out["servers"] = [canon_ip(m.group("ip")) for m in ips] or None
    elif action == "net_set_address":
        for m in ips:
            before = text[: m.start()]
            if re.search(_GW, before, re.I):
                out.setdefault("gateway", canon_ip(m.group("ip")))
            elif not re.search(r"\b(?:net)?mask\s*(?:of\s+|=\s*|:\s*)?$", before, re.I):
                out.setdefault("address", ip_with_prefix(m, text))
    return out


USER_ACTIONS = tuple(
    "user_add user_remove user_set_password user_add_to_group user_remove_from_group user_lock user_unlock "
    "group_add group_remove".split()
)

# --- the table ---------------------------------------------------------------------------------------
EXTRACTORS: dict[str, Callable[[str, str], dict]] = {
    "dns_add": lambda t, a: dns_add(t),
    "dns_update": lambda t, a: dns_update(t),
    "dns_remove": lambda t, a: dns_name_only(t),
    "dns_lookup": lambda t, a: dns_name_only(t),
    **dict.fromkeys(USER_ACTIONS, user_fields),
    "share_create": share_fields,
    "share_remove": share_fields,
    "share_grant_access": share_access_fields,
    "share_revoke_access": share_access_fields,
    "mail_set_relay": lambda t, a: mail_relay_fields(t),
    "mail_alias_add": mail_alias_fields,
    "mail_alias_remove": mail_alias_fields,
    "cert_create": cert_fields,
    "cert_renew": cert_fields,
    "cert_revoke": cert_fields,
    "fw_allow": lambda t, a: fw_fields(t),
    "fw_deny": lambda t, a: fw_fields(t),
    "fw_remove": lambda t, a: fw_fields(t),
    **dict.fromkeys(("net_set_address", "net_set_dhcp", "net_up", "net_down", "net_set_nameservers"), net_fields),
}
