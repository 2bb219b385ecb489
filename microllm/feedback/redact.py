"""The one redactor: passwords out of everything written (decision store, service log, export, review queue).

Two outputs from the same detection. For logs and messages, :func:`redact_text` / :func:`redact_intent` mask every
password with ``***``. For the decision store, whose reviewed rows become training data, :class:`Redactor` replaces
each password by a consistent synthetic one: a model trained on a marker learns to emit the marker instead of copying
the password. Each password is mapped by HMAC-SHA256 under a per-store key to one plausible fake password
(``Comet#4821``), the same in the query and in the intent, so a row stays a correct (request, intent) pair. Without
the key the fake says nothing about the original (no dictionary attack on the file).

What counts as a password: every ``password`` value of the parsed intent (``multi`` steps included), scrubbed from
the request text wherever it appears, plus what the wording states on its own (:func:`query_passwords`: cue words
in several languages, ``--password`` flags, JSON-shaped requests), for when the intent is wrong or missing.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
from collections import Counter

# Fakes look like the generator's passwords (word + symbol + digits) so that learning to copy them transfers.
_WORDS = ("Amber", "Birch", "Cedar", "Comet", "Delta", "Ember", "Falcon", "Harbor",
          "Juniper", "Lotus", "Nova", "Orbit", "Pepper", "Quartz", "Raven", "Tundra")  # fmt: skip
_SYMBOLS = "!#$%&*-_@+"
PASSWORD_FIELDS = frozenset({"password"})  # the spec's only secret field

# A whole word ("pw.example.com" holds no cue), then what separates it from the next one. Letters of any script:
# the cues come in several languages ("contraseña", "hasło").
_WORD = re.compile(r"(?<![\w.@/-])[^\W\d_]{2,12}(?=[\s:=,;]|[.?!](?:\s|$)|$)[\s:=]*")
# Strong cues: a password follows whatever it looks like. Several languages; the typos of the synthetic data are
# matched by _is_cue.
_CUES = {"pw", "pwd", "passwd", "password", "passwort", "kennwort", "passphrase", "passcode", "credentials",
         "credential", "creds", "contraseña", "contrasena", "contraseñas", "senha", "parola", "wachtwoord", "hasło",
         "haslo", "lösenord", "losenord", "salasana", "heslo", "jelszó", "jelszo", "şifre", "sifre", "пароль", "mdp",
         "adgangskode"}  # fmt: skip
# Weak cues: ordinary words too ("pass the request", "a secret share"), so the word after them counts only when the
# wording introduces it ("secret is X", "pass: X") or it looks like a secret (a digit, a symbol, an inner capital).
_WEAK_CUES = {"pass", "secret", "clave"}
# Cues of several words, matched on the text itself ("mot de passe", "parola d'ordine", "palavra-passe").
_PHRASE_CUE = re.compile(
    r"(?i)(?<!\w)(mot\s+de\s+passe|palavra[-\s]passe|parola\s+d['’]ordine|pass\s+phrase|pass\s+word|clé\s+secrète"
    r"|access\s+code)(?!\w)[\s:=]*"
)
# `--password X`, `-p X` style flags; JSON or dict shapes: {"password": "x"}, 'pw': 'x', password="x y".
_FLAG = re.compile(r"(?i)(?<![\w-])--?(?:password|passwd|pass|pwd|pw|secret|passphrase)(?:=|\s+)(\S+)")
_KEY_CUE = r"[^\"'\n]{0,20}?(?:pass|pwd|pw|secret|credential|senha|contrase|parola|kennwort|wachtwoord|mot de passe)"
_KEYED = re.compile(
    r"(?i)[\"']?(?:" + _KEY_CUE + r")[^\"'\s:=]{0,20}[\"']?\s*[:=]\s*"
    r"(?:\"((?:[^\"\\\n]|\\.){1,256})\"|'((?:[^'\\\n]|\\.){1,256})'|“([^”\n]{1,256})”)"
)
# A quoted value shortly after a cue ("the password is 'correct horse battery'"): quotes make any value explicit.
_QUOTED_AFTER = re.compile(
    r"(?i)(?<!\w)(?:pw|pwd|passwd|password|passphrase|credentials?|secret|pass|mot\s+de\s+passe|contraseña|"
    r"contrasena|senha|parola|passwort|kennwort)(?![\w\"'“”‘’])[^\"'“”‘’\n]{0,40}?(?:\"([^\"\n]{1,128})\"|'([^'\n]{1,128})'"
    r"|“([^”\n]{1,128})”|‘([^’\n]{1,128})’)"
)
_BEFORE_CUE = re.compile(r"""(\S+)\s+(?:is\s+)?the\s+new\s+password\b""", re.IGNORECASE)
# Words between a password keyword and the password itself ("password of the account bob; the new one is X"),
# in the languages of the cues.
_FILLER = {"", "a", "an", "the", "is", "to", "->", "=>", "=", ":", "use", "set", "reset", "change", "changed",
           "should", "be", "it", "please", "new", "one", "now", "will", "must", "user", "account", "and", "then",
           "with", "his", "her", "their", "its", "as", "was", "are", "shall", "become", "becomes",
           "le", "la", "les", "l'", "est", "sera", "nouveau", "nouvelle", "du", "à", "en", "avec", "utilisateur",
           "el", "es", "será", "nueva", "nuevo", "del", "usuario", "con",
           "der", "die", "das", "ist", "lautet", "neue", "neues", "neu", "auf", "benutzer", "mit",
           "o", "é", "nova", "novo", "do", "usuário", "com",
           "il", "è", "nuova", "nuovo", "utente", "sarà"}  # fmt: skip
# "password for bob to X": the next real word is the user, not the password
_INTRODUCES_USER = {"for", "of", "pour", "de", "para", "per", "für", "fuer", "voor", "dla", "di"}
# "should be changde to X": the typo is not the password
_LEADS_TO_VALUE = {"to", "is", "->", "=>", ":", "=", "est", "es", "ist", "é", "è", "lautet", "sera", "será", "sarà",
                   "as", "was", "are"}  # fmt: skip
_NO_PASSWORD = {
    "email",
    "mail",
    "link",
    "policy",
    "expired",
    "expires",
    "never",
    "forgot",
    "manager",
    "again",
    "reset",
    "expiry",
    "length",
    "complexity",
    "rotation",
    "prompt",
    "change",
    "hint",
    "hash",
    "field",
}
_USER_LIKE = re.compile(r"^[\w.-]+$")
_SECRET_LIKE = re.compile(r"[\d\W_]|.[A-Z]")


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
    quotes = "'\"“”‘’"
    if len(token) > 2 and token[0] in quotes:
        close = {"“": "”", "‘": "’"}.get(token[0], token[0])
        if close in token[1:]:
            return token[1 : token.rindex(close)]
    return token.rstrip(",;.?)").strip(quotes)


def _after_cue(cue: str, tokens: list[str], introduced: bool = False) -> str | None:
    """The password in the words that follow a password keyword, if they state one.

    ``introduced``: the cue was followed by ':' or '=' (for weak cues, a value is then expected)."""
    first = _clean(tokens[0]).lower() if tokens else ""
    if cue in ("pw", "passwd") and tokens and not introduced and first not in _FILLER | _INTRODUCES_USER:
        if tokens[0].startswith("-"):  # `passwd -l bob`: lock/unlock, no password
            return None
        if len(tokens) > 1 and _USER_LIKE.match(tokens[0]) and _clean(tokens[1]).lower() not in _FILLER:
            return _clean(tokens[1])  # terse "pw bob S3cret!1": the user, then the password
        if cue == "passwd":  # `passwd bob`: the argument is the user
            return None
    weak = cue in _WEAK_CUES
    expect_user = False
    for i, token in enumerate(tokens):
        word = _clean(token).lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if word in _NO_PASSWORD:
            return None
        if word in _INTRODUCES_USER:
            expect_user = True
        elif word in _FILLER:
            # for a weak cue only a lead right after it counts ("secret is X"; not "pass the ticket to ops")
            introduced = introduced or (word in _LEADS_TO_VALUE and (not weak or i == 0))
            continue
        elif expect_user:
            expect_user = False
        elif weak:
            value = _clean(token)
            # "a secret share", "pass the request": an ordinary word after a weak cue is not a password
            return value if introduced or _SECRET_LIKE.search(value) else None
        elif nxt not in _LEADS_TO_VALUE:
            return _clean(token)
    return None


def _json_unescape(text: str) -> str:
    try:
        return json.loads('"' + text + '"')
    except ValueError:
        return text


def query_passwords(query: str) -> list[str]:
    """Passwords a text states, found by its wording alone (the intent may be wrong or missing).

    Cue words in several languages ("password", "pw", "mot de passe", "contraseña", "Passwort", "senha", "his
    secret is X", "with the credentials X"), command-line flags (``--password X``), JSON or dict shapes
    (``{"password": "x"}``) and quoted values after a cue."""
    if not query:
        return []
    found = [_clean(m.group(1)) for m in _BEFORE_CUE.finditer(query)]
    for m in _KEYED.finditer(query):
        raw = next(g for g in m.groups() if g is not None)
        found += [raw, _json_unescape(raw)]
    for m in _QUOTED_AFTER.finditer(query):
        found.append(next(g for g in m.groups() if g is not None))
    found += [_clean(m.group(1)) for m in _FLAG.finditer(query)]
    for m in _PHRASE_CUE.finditer(query):
        found.append(_after_cue("password", query[m.end() :].split()[:10], ":" in m.group(0) or "=" in m.group(0)))
    for m in _WORD.finditer(query):
        word = m.group(0).rstrip(" \t\n\r:=")
        if _is_cue(word) or word.lower() in _WEAK_CUES:
            sep = m.group(0)[len(word) :]
            found.append(_after_cue(word.lower(), query[m.end() :].split()[:10], ":" in sep or "=" in sep) or "")
    # a value with no letter or digit is punctuation caught between quotes, not a password
    return [p for p in dict.fromkeys(f for f in found if f) if any(c.isalnum() for c in p)]


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

    def seen_secrets(self, text: str | None, stored: str) -> list[str]:
        """Passwords in ``text`` that were already replaced in ``stored`` (a stored row's query and intents).

        The originals are gone from the store, but the fakes are keyed hashes of them: a word (or a run of up to
        four words) whose fake appears in ``stored`` is one of this decision's passwords, whatever its wording."""
        if not text or not stored:
            return []
        words = text.split()
        found = set()
        for n in range(1, 5):
            for i in range(len(words) - n + 1):
                span = " ".join(words[i : i + n])
                for candidate in {span, _clean(span), span.strip("'\"“”‘’()[]{}<>,;:.!?")}:
                    if candidate and self.fake(candidate) in stored:
                        found.add(candidate)
        return sorted(found, key=len, reverse=True)

    def intent(self, intent, secrets: list[str]):
        """A copy of ``intent`` with every password in ``secrets`` replaced, in password fields and anywhere else."""
        if isinstance(intent, dict):
            return {k: self.intent(v, secrets) for k, v in intent.items()}
        if isinstance(intent, list):
            return [self.intent(v, secrets) for v in intent]
        return self.text(intent, secrets) if isinstance(intent, str) else intent

    def decision(self, query: str, intent, *texts: str | None) -> tuple[str, object, list[str]]:
        """(query, intent, secrets) with the same fake for each password in both; ``texts`` (messages stored beside
        them) are searched for stated passwords too, so that :meth:`text` can scrub them."""
        secrets = self.secrets(query, intent)
        extra = [p for t in texts if t for p in query_passwords(t) if p not in _other_strings(intent)]
        secrets = sorted(set(secrets) | set(extra), key=len, reverse=True)
        return self.text(query, secrets), self.intent(intent, secrets), secrets


MASK = "***"
_MIN_SUBSTRING = 4  # shorter passwords are masked as whole tokens only ("an" must not eat "anna")


def text_secrets(text: str | None, intent=None) -> list[str]:
    """The passwords to remove from ``text``: the intent's values and those its wording states, longest first."""
    found = intent_passwords(intent) + query_passwords(text or "")
    return sorted(set(found), key=len, reverse=True)


def redact_text(text: str | None, intent=None) -> str | None:
    """``text`` with every password masked as ``***``: safe for logs, error messages and review output.

    ``intent`` (the parsed intent, or None) supplies the exact password values; cue words, flags and JSON shapes
    catch the rest (see :func:`query_passwords`). Values of 4+ characters are masked wherever they appear, shorter
    ones as whole tokens."""
    if not text:
        return text
    for secret in text_secrets(text, intent):
        if len(secret) >= _MIN_SUBSTRING:
            text = text.replace(secret, MASK)
        else:
            text = _pattern(secret).sub(MASK, text)
    return text


def redact_intent(intent):
    """A copy of ``intent`` with every password value (``multi`` steps included) replaced by ``***``."""
    if not isinstance(intent, (dict, list)):
        return intent
    out = copy.deepcopy(intent)

    def mask(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in PASSWORD_FIELDS and value is not None:
                    node[key] = MASK
                else:
                    mask(value)
        elif isinstance(node, list):
            for item in node:
                mask(item)

    mask(out)
    return out
