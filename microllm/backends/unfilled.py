"""A required value that is only the slot's own name was not given: the answer is ``clarify`` (spec rule 4).

Under grounded decoding a model that misses "the request gives no group" still has to copy *something*, and it
copies the word that names the slot: "Remove yuki.s from the group" becomes ``"group": "group"``, "Reset the password
for yuki.s" ``"password": "password"``. No gold value in the train splits is such a word (checked by a test), so
such an answer is turned into the ``clarify`` the spec asks for, naming those fields. Multi-step answers are left as
they are: the spec has no partial ``clarify`` for one step.
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


def unfilled(intent: dict) -> list[str]:
    """The required fields of a one-step intent whose value is only a word naming that slot, sorted."""
    action = intent.get("action")
    if action in (None, "multi", "clarify", "unknown"):
        return []
    out = [k for k in required_fields(action)
           if isinstance(intent.get(k), str) and intent[k].strip().lower() in SLOT_WORDS.get(k, ())]  # fmt: skip
    return sorted(out)


def clarify_unfilled(intent: dict | None) -> dict | None:
    """``intent``, or the ``clarify`` for it when a required value is only its slot's name."""
    missing = unfilled(intent) if intent else []
    return {"action": "clarify", "intent": intent["action"], "missing": missing} if missing else intent
