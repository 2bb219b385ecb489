"""A required value that only names or describes its slot was not given: the answer is ``clarify`` (spec rule 4).

Under grounded decoding a model that misses "the request gives no group" still has to copy *something*, and it
copies the word that names the slot ("Remove yuki.s from the group" becomes ``"group": "group"``), the command typed
("gpasswd -d joao.p" becomes ``"group": "gpasswd"``), a word that only describes the slot ("the second NIC",
typos included: ``"interface": "secnod"``) or a function word ("configure it with gateway ..." becomes
``"interface": "with"``). No gold value in the train/val/test splits is such a word (checked by a test), so such an
answer is turned into the ``clarify`` the spec asks for, naming those fields. Multi-step answers are left as they
are: the spec has no partial ``clarify`` for one step.
"""

from __future__ import annotations

from microllm.schema import required_fields

# The words that name each copied slot in a request ("the group", "the account", "the cert").
SLOT_WORDS: dict[str, frozenset[str]] = {
    "username": frozenset({"user", "username", "account", "login"}),
    "group": frozenset({"group", "groups"}),
    "password": frozenset({"password", "passwd", "passphrase"}),
    "share": frozenset({"share"}),
    "name": frozenset({"record", "host", "hostname", "share"}),
    "common_name": frozenset({"cert", "certificate"}),
    "alias": frozenset({"alias"}),
    "destination": frozenset({"destination"}),
    "interface": frozenset({"interface", "nic"}),
    "path": frozenset({"path", "folder", "directory"}),
}
# Words that pick out an interface without naming it ("the second NIC", "the wired adapter").
DESCRIPTORS: dict[str, frozenset[str]] = {
    "interface": frozenset({"first", "second", "third", "fourth", "primary", "secondary", "other", "new", "main",
                            "wired", "wireless", "ethernet", "network", "card", "adapter", "port", "device"}),
}  # fmt: skip
FUNCTION_WORDS = frozenset({"with", "to", "on", "the", "an", "for", "from", "at", "in", "into", "of", "by", "and",
                            "or"})  # fmt: skip
# The admin commands a request may be typed as; the command is never its own argument. Not "sudo": a real group.
COMMANDS = frozenset({"useradd", "userdel", "usermod", "adduser", "deluser", "addgroup", "delgroup", "groupadd",
                      "groupdel", "groupmod", "gpasswd", "passwd", "chpasswd", "chage", "smbpasswd", "pdbedit",
                      "samba-tool", "openssl", "certbot", "nsupdate", "nmcli", "ifconfig", "ifup", "ifdown", "ufw",
                      "iptables", "firewall-cmd", "postconf", "postmap"})  # fmt: skip
TYPO_MIN = 5  # descriptors this long also match with one typo ("secnod", "seocnd"); shorter ones only exactly


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion, substitution or adjacent swap."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return short[i:] == long[i + 1 :]


def fills_nothing(key: str, value: str) -> bool:
    """Whether ``value`` only names, describes or commands slot ``key`` instead of giving its value."""
    word = value.strip().lower()
    if word in SLOT_WORDS.get(key, ()) or word in FUNCTION_WORDS or word in COMMANDS:
        return key in SLOT_WORDS  # only copied name slots: "A" is a record type, not the article
    described = DESCRIPTORS.get(key, frozenset())
    return word in described or any(len(w) >= TYPO_MIN and one_edit(word, w) for w in described)


def unfilled(intent: dict) -> list[str]:
    """The required fields of a one-step intent whose value fills nothing (:func:`fills_nothing`), sorted."""
    action = intent.get("action")
    if action in (None, "multi", "clarify", "unknown"):
        return []
    return sorted(k for k in required_fields(action) if isinstance(intent.get(k), str) and fills_nothing(k, intent[k]))


def clarify_unfilled(intent: dict | None, request: str = "") -> dict | None:
    """``intent``, or the ``clarify`` for it when a required value fills nothing.

    ``request`` is not read (a slot's own name fills nothing wherever it was copied from); it is taken so the
    function is an intent rule."""
    missing = unfilled(intent) if intent else []
    return {"action": "clarify", "intent": intent["action"], "missing": missing} if missing else intent
