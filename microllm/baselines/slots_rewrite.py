"""Request rewrites run before routing: typo repair, ticket/politeness prefixes, shell commands, passives.

Each rewrite turns an unusual but unambiguous wording into the plain imperative the router and
the extractors already understand ("userdel bob" -> "delete user bob", "The group x should be
removed" -> "remove the group x"), so the pattern tables stay small.
"""

from __future__ import annotations

import re

# Keywords the router and extractors rely on. A token that is one adjacent-letter swap away from
# one of them ("gropu", "acocunt") is read as that keyword: the commonest typing slip.
KEYWORDS = set(
    "group groups share shares access remove account accounts should interface server password firewall please "
    "allow certificate entry pointing change relay static switch create created priority directory renew "
    "gateway address resolve resolves samba email record records delete deleted users enable disable unlock "
    "alias forward block open close lock update revoke issue netmask nameserver nameservers dhcp domain "
    "members member grant write read only guest comment path port ports rule rules service source days valid "
    "home mail smarthost cname update point points remove removed added lookup subnet deny changed "
    "updated forwarded relayed".split()
)


def _swaps(word: str) -> list[str]:
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)]


_TYPO = {swap: kw for kw in KEYWORDS if len(kw) >= 4 for swap in _swaps(kw) if swap not in KEYWORDS}


def fix_typos(text: str) -> str:
    """Repair keyword typos that swap two adjacent letters; names and other words are left alone."""
    return re.sub(r"\b[a-z]{4,}\b", lambda m: _TYPO.get(m.group(0), m.group(0)), text)


_TICKET = re.compile(r"^\s*(?:\[?(?:[A-Z]{2,}[- ]?|#)\d+\]?\s*[:\-]?\s+)+")  # "TICKET-123: ", "#31986: "
_POLITE = re.compile(
    r"^(?:(?:hey|hi|hello|ok|okay|so|now|yo)\b[,!.]?\s*)?(?:(?:please|pls|plz|kindly|can you|could you|"
    r"would you|will you|can u|could u|i need you to|i want you to|i'd like you to|i would like you to|"
    r"i need to|i want to|i'd like to|i would like to|we need to|we want to|let's|lets|go ahead and|quickly|"
    r"just|also|and|then|first|first of all|next|finally|now|asap)\b[,:]?\s*)+",
    re.I,
)
_TRAILING = re.compile(r"[,\s]*\b(?:please|thanks|thank you|thx|asap|right away|today)\b[.!]*$", re.I)

# Shell commands sysadmins type as requests: (pattern, replacement), anchored at the start.
_COMMANDS = [
    (r"^useradd\s+(?:-m\s+)?", "add user "),
    (r"^userdel\s+-r\s+(\S+)", r"delete user \1 and remove the home directory"),
    (r"^userdel\s+", "delete user "),
    (r"^(?:addgroup|groupadd)\s+", "create group "),
    (r"^(?:delgroup|groupdel)\s+", "delete group "),
    (r"^(?:passwd\s+-l|usermod\s+-L)\s+", "lock user "),
    (r"^(?:passwd\s+-u|usermod\s+-U)\s+", "unlock user "),
    (r"^gpasswd\s+-a\s+(\S+)\s+(\S+)", r"add user \1 to group \2"),
    (r"^gpasswd\s+-d\s+(\S+)\s+(\S+)", r"remove user \1 from group \2"),
    (r"^usermod\s+-a?G\s+(\S+)\s+(\S+)", r"add user \2 to group \1"),
    (r"^(?:adduser|usermod\s+-aG)\s+(\S+)\s+(\S+)$", r"add user \1 to group \2"),
    (r"^adduser\s+", "add user "),
    (r"^deluser\s+(\S+)\s+(\S+)$", r"remove user \1 from group \2"),
    (r"^deluser\s+(?:--remove-home\s+)(\S+)$", r"delete user \1 and remove the home directory"),
    (r"^deluser\s+", "delete user "),
    (r"^passwd\s+(\S+)\s+(\S+)$", r"set the password for user \1 to \2"),
    (r"^resolvectl\s+dns\s+(\S+)\s+", r"set the nameservers of interface \1 to "),
    (r"^(?:net\s+usershare|share)\s+(?:delete|del|rm|remove)\s+", "remove the share "),
    (r"^net\s+usershare\s+add\s+(\S+)\s+", r"create the share \1 at "),
    (r"^(?:rm|del|delete)\s+group\s+", "delete group "),
    (r"^user\s+add\s+", "add user "),
    (r"^user\s+(?:del|delete|rm|remove)\s+", "delete user "),
    (r"^group\s+(\S+)\s*\+=\s*(\S+)", r"add user \2 to group \1"),
    (r"^group\s+(\S+)\s*-=\s*(\S+)", r"remove user \2 from group \1"),
    (r"^pw\s+(\S+)\s+(\S+)$", r"set the password for user \1 to \2"),
    # zone-file shorthand: "mx example.com 10 mail.example.com", 'txt example.com "v=spf1 -all"'
    (r"^mx\s+(\S+)\s+(\d+)\s+(\S+)", r"add an MX record for \1 pointing to \3 with priority \2"),
    (r"^(a|aaaa|cname|txt|ns|ptr)\s+([\w-]+\.[\w.-]+)\s+(\S.*)$", r"add \1 record \2 \3"),
    (r"^txt\s+([\w.-]+)\s+(['\"].*)$", r"add TXT record \1 \2"),
]

_PARTICIPLES = {
    "created": "create", "removed": "remove", "deleted": "delete", "added": "add", "locked": "lock",
    "unlocked": "unlock", "disabled": "disable", "enabled": "enable", "dropped": "drop", "opened": "open",
    "blocked": "block", "closed": "close", "allowed": "allow", "denied": "deny", "revoked": "revoke",
    "renewed": "renew", "issued": "issue", "updated": "update", "changed": "change", "given": "give",
    "granted": "grant", "reset": "reset", "set up": "set up", "shut down": "shut down", "taken down": "take down",
    "brought up": "bring up", "brought down": "bring down", "generated": "generate", "configured": "configure",
    "pointed": "point", "switched": "switch", "unblocked": "unblock", "suspended": "suspend",
    "reactivated": "reactivate", "deactivated": "deactivate", "decommissioned": "decommission",
    "published": "publish",
}  # fmt: skip
_MODAL = r"(?:should|must|needs? to|has to|have to|is to|are to|can|ought to|shall|will have to)"
# "A group dba should be created, ..." -> "create a group dba, ..."
_PASSIVE = re.compile(
    rf"^(?P<obj>.+?)\s+{_MODAL}\s+(?:now\s+)?be\s+(?P<verb>{'|'.join(_PARTICIPLES)})\b(?P<rest>.*)$", re.I
)
# "the group x is obsolete, remove it" -> "remove the group x"
_OBSOLETE = re.compile(
    r"^(?P<obj>.+?)\s+(?:is|are)\s+(?:obsolete|no longer needed|not needed(?: anymore)?|unused|gone)[,.;]?\s*"
    r"(?:so\s+)?(?:please\s+)?(?P<verb>\w+)\s+(?:it|them)\b(?P<rest>.*)$|"
    r"^(?P<obj2>.+?)\s+can go[,.;!]?\s*(?P<verb2>\w+)\s+(?:it|them)\b(?P<rest2>.*)$",
    re.I,
)


# "Nobody reads X anymore, delete that alias" -> "delete that alias X"
_NOBODY = re.compile(
    r"^nobody\s+(?:reads|uses|needs|checks)\s+(?P<obj>\S+)\s+(?:any\s?more|these days)[,.;]?\s*(?P<rest>.+)$", re.I
)


def strip_polite(text: str) -> str:
    """The request without a ticket id, greeting or politeness ("Could you please ...", "... thanks")."""
    text = _TICKET.sub("", text)
    text = _POLITE.sub("", text).strip()
    return _TRAILING.sub("", text).strip()


def rewrite(text: str) -> str:
    """Typo repair, prefixes stripped, shell commands and passive/"obsolete" wordings made imperative."""
    text = strip_polite(fix_typos(text))
    for pattern, repl in _COMMANDS:
        new = re.sub(pattern, repl, text, count=1, flags=re.I)
        if new != text:
            return new
    m = re.match(r"(bring|take|set)\s+(\S+)\s+down\s+and\s+(?:back\s+)?up\b(.*)$", text, re.I)
    if m:  # "bring eth1 down and back up": two steps
        return f"bring {m.group(2)} down, then bring {m.group(2)} up{m.group(3)}"
    m = _PASSIVE.match(text)
    if m and not re.search(r"\b(?:and|then)\b", m.group("obj"), re.I):
        return f"{_PARTICIPLES[m.group('verb').lower()]} {m.group('obj')}{m.group('rest')}"
    m = _NOBODY.match(text)
    if m:
        return f"{m.group('rest').rstrip('.!')} {m.group('obj')}"
    m = _OBSOLETE.match(text)
    if m:
        obj, verb, rest = (m.group("obj"), m.group("verb"), m.group("rest")) if m.group("obj") else (
            m.group("obj2"), m.group("verb2"), m.group("rest2"))  # fmt: skip
        return f"{verb} {obj}{rest}"
    return text
