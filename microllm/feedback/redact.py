"""Passwords out of everything the decision store writes, replaced by consistent synthetic passwords.

Why not a marker such as ``***``: reviewed decisions become training rows, and a model trained on a marker learns to
emit the marker instead of copying the password. Each password is mapped by HMAC-SHA256 under a per-store key to
one plausible fake password (``Comet#4821``), the same in the query and in the intent, so a row stays a correct
(request, intent) pair. Without the key the fake says nothing about the original (no dictionary attack on the file).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter

# Fakes look like the generator's passwords (word + symbol + digits) so that learning to copy them transfers.
_WORDS = ("Amber", "Birch", "Cedar", "Comet", "Delta", "Ember", "Falcon", "Harbor",
          "Juniper", "Lotus", "Nova", "Orbit", "Pepper", "Quartz", "Raven", "Tundra")  # fmt: skip
_SYMBOLS = "!#$%&*-_@+"
PASSWORD_FIELDS = frozenset({"password"})  # the spec's only secret field

# A whole word ("pw.example.com" holds no cue), then what separates it from the next one.
_WORD = re.compile(r"(?<![\w.@/-])[A-Za-z]{2,10}(?=[\s:=,;]|[.?!](?:\s|$)|$)[\s:=]*")
_CUES = {"pw", "pwd", "passwd", "password", "passwort", "kennwort", "passphrase"}
_BEFORE_CUE = re.compile(r"""(\S+)\s+(?:is\s+)?the\s+new\s+password\b""", re.IGNORECASE)
# Words between a password keyword and the password itself ("password of the account bob; the new one is X").
_FILLER = {"", "a", "an", "the", "is", "to", "->", "=>", "=", "use", "set", "reset", "change", "changed", "should",
           "be", "it", "please", "new", "one", "now", "will", "must", "user", "account", "and", "then", "with",
           "his", "her", "their", "its"}  # fmt: skip
_INTRODUCES_USER = {"for", "of"}  # "password for bob to X": the next real word is the user, not the password
_LEADS_TO_VALUE = {"to", "is", "->", "=>", ":", "="}  # "should be changde to X": the typo is not the password
_NO_PASSWORD = {"email", "mail", "link", "policy", "expired", "expires", "never", "forgot", "manager", "again"}
_USER_LIKE = re.compile(r"^[\w.-]+$")


def _is_cue(word: str) -> bool:
    """A password keyword, typos included (the synthetic data has "passowrd", "psasword", "passwodr")."""
    word = word.lower()
    if word in _CUES:
        return True
    if not 7 <= len(word) <= 9 or word[0] != "p":
        return False
    have, want = Counter(word), Counter("password")
    return sum((have - want).values()) <= 1 and sum((want - have).values()) <= 1


def _clean(token: str) -> str:
    """A token as a password: surrounding quotes and trailing sentence punctuation removed."""
    if len(token) > 2 and token[0] in "'\"" and token[0] in token[1:]:
        return token[1 : token.rindex(token[0])]
    return token.rstrip(",;.?)").strip("'\"")


def _after_cue(cue: str, tokens: list[str]) -> str | None:
    """The password in the words that follow a password keyword, if they state one."""
    if cue in ("pw", "passwd") and tokens:
        if tokens[0].startswith("-"):  # `passwd -l bob`: lock/unlock, no password
            return None
        if len(tokens) > 1 and _USER_LIKE.match(tokens[0]) and _clean(tokens[1]).lower() not in _FILLER:
            return _clean(tokens[1])  # terse "pw bob S3cret!1": the user, then the password
        if cue == "passwd":  # `passwd bob`: the argument is the user
            return None
    expect_user = False
    for i, token in enumerate(tokens):
        word = _clean(token).lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if word in _NO_PASSWORD:
            return None
        if word in _INTRODUCES_USER:
            expect_user = True
        elif word in _FILLER:
            continue
        elif expect_user:
            expect_user = False
        elif nxt not in _LEADS_TO_VALUE:
            return _clean(token)
    return None


def query_passwords(query: str) -> list[str]:
    """Passwords a request states, found by its wording alone (the intent may be wrong or missing)."""
    found = [_clean(m.group(1)) for m in _BEFORE_CUE.finditer(query)]
    for m in _WORD.finditer(query):
        word = m.group(0).rstrip(" \t\n\r:=")
        if _is_cue(word):
            found.append(_after_cue(word.lower(), query[m.end() :].split()[:10]) or "")
    return [p for p in dict.fromkeys(found) if p]


def intent_passwords(intent) -> list[str]:
    """Every password value in an intent, ``multi`` steps included."""
    out: list[str] = []
    if isinstance(intent, dict):
        for key, value in intent.items():
            if key in PASSWORD_FIELDS and isinstance(value, str) and value:
                out.append(value)
            else:
                out.extend(intent_passwords(value))
    elif isinstance(intent, list):
        for item in intent:
            out.extend(intent_passwords(item))
    return out


def _other_strings(intent) -> set[str]:
    if isinstance(intent, dict):
        return {s for k, v in intent.items() if k not in PASSWORD_FIELDS for s in _other_strings(v)}
    if isinstance(intent, list):
        return {s for item in intent for s in _other_strings(item)}
    return {intent} if isinstance(intent, str) else set()


def _pattern(secret: str) -> re.Pattern:
    # Whole tokens only: the password "an" must not rewrite "anna" (the row would stop matching its intent).
    left = r"(?<!\w)" if re.match(r"\w", secret[0]) else ""
    right = r"(?!\w)" if re.match(r"\w", secret[-1]) else ""
    return re.compile(left + re.escape(secret) + right)


class Redactor:
    """Replaces passwords with fakes keyed by ``key``: the same password gets the same fake for one key."""

    def __init__(self, key: bytes):
        if not key:
            raise ValueError("a redaction key must not be empty")
        self.key = key

    def fake(self, secret: str) -> str:
        """The synthetic password that stands for ``secret`` (deterministic for this key)."""
        d = hmac.new(self.key, secret.encode("utf-8"), hashlib.sha256).digest()
        return f"{_WORDS[d[0] % len(_WORDS)]}{_SYMBOLS[d[1] % len(_SYMBOLS)]}{int.from_bytes(d[2:6]) % 10000:04d}"

    def secrets(self, query: str, intent) -> list[str]:
        """The passwords of one decision: the intent's, plus those its wording states (longest first)."""
        from_intent = intent_passwords(intent)
        # A query "password" that the intent holds as another field (a user name) is not one, if the model
        # found the real password elsewhere; with no password in the intent, better too much than too little.
        others = _other_strings(intent) if from_intent else set()
        found = from_intent + [p for p in query_passwords(query or "") if p not in others]
        return sorted(set(found), key=len, reverse=True)

    def text(self, text: str | None, secrets: list[str]) -> str | None:
        """``text`` with every password replaced by its fake."""
        if not text:
            return text
        for secret in secrets:
            text = _pattern(secret).sub(lambda _m, s=secret: self.fake(s), text)
        return text

    def intent(self, intent, secrets: list[str]):
        """A copy of ``intent`` with every password in ``secrets`` replaced, in password fields and anywhere else."""
        if isinstance(intent, dict):
            return {k: self.intent(v, secrets) for k, v in intent.items()}
        if isinstance(intent, list):
            return [self.intent(v, secrets) for v in intent]
        return self.text(intent, secrets) if isinstance(intent, str) else intent

    def decision(self, query: str, intent) -> tuple[str, object, list[str]]:
        """(query, intent, secrets) with the same fake for each password in both."""
        secrets = self.secrets(query, intent)
        return self.text(query, secrets), self.intent(intent, secrets), secrets
