"""A request typed as a shadow-utils command means what its flags mean (man userdel, usermod, gpasswd).

``userdel -r yuki.s`` removes the home directory too (``"remove_home": true``); ``usermod -r -G editors lars.e``
removes from a group, ``usermod -a -G`` adds; ``gpasswd -d`` removes, ``gpasswd -a`` adds. A model reads the
command's name and its arguments well and its flags less so (it answered ``usermod -r -G`` with the add it sees far
more often). Only a one-step answer about the same user, in the same family of actions, is corrected: the flags pick
among actions the model already chose between, they never invent a user or a group.
"""

from __future__ import annotations

import re

# The command, after an optional "sudo", at the start of the request; then its words.
_COMMAND = re.compile(r"^\s*(?:sudo\s+)?(userdel|usermod|gpasswd)\s+(.*)$", re.IGNORECASE | re.DOTALL)
MEMBERSHIP = ("user_add_to_group", "user_remove_from_group")


def _flags(words: list[str]) -> set[str]:
    """Short and long options as a set of letters / names: ``-rG`` gives {r, G}, ``--remove`` gives {remove}."""
    out: set[str] = set()
    for w in words:
        if w.startswith("--"):
            out.add(w[2:].split("=")[0])
        elif w.startswith("-") and len(w) > 1:
            out.update(w[1:])
    return out


def command_flags(intent: dict | None, text: str) -> dict | None:
    """``intent`` corrected by the flags of a userdel / usermod / gpasswd request (itself when nothing changes)."""
    m = _COMMAND.match(text)
    if not intent or not m:
        return intent
    command, words = m[1].lower(), m[2].split()
    flags, action = _flags(words), intent.get("action")
    if command == "userdel" and action == "user_remove" and flags & {"r", "remove"}:
        return intent if intent.get("remove_home") is True else {**intent, "remove_home": True}
    if action not in MEMBERSHIP:
        return intent
    want = None
    if command == "usermod" and flags & {"G", "groups"}:
        want = MEMBERSHIP[1] if flags & {"r", "remove"} else MEMBERSHIP[0] if flags & {"a", "append"} else None
    elif command == "gpasswd":
        want = MEMBERSHIP[1] if flags & {"d", "delete"} else MEMBERSHIP[0] if flags & {"a", "add"} else None
    return intent if want in (None, action) else {**intent, "action": want}
