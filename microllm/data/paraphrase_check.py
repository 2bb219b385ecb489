"""Whether a reworded request still means what its gold intent says: the acceptance test of paraphrase augmentation.

A paraphrase keeps its source row's gold intent unchanged, so it is accepted only when nothing the gold depends on
can have moved. Checked, in this order (the first failure is the reason recorded): ``empty``; ``chatter`` (an answer
about the task instead of a request); ``multiline``; ``length`` (under half or over two and a half times the
source); ``unchanged`` (the same words once case and punctuation are ignored); ``lost_value`` (a value the spec
copies from the request, by the grounded decoder's field lists, no longer occurs in it, or only inside another
value's mention: "Create /srv/shares/software share" names no share, ``microllm.rules.not_given``); ``number``
(a token with a digit, such as an IP, port or ticket number, was dropped or added: ``ttl`` and ``days`` are read
from them too);
``keyword`` (a word that spells one of the gold's other values, such as MX, AAAA or tcp, was dropped: record types
and protocols are read from them); ``order`` (the copied values of a multi-step request, or two IP-like values, now
come in another order, or a multi-step request gained a word such as "after": steps and "from X to Y" follow the
order of the words); ``action_drift`` (the rule baseline, which reads the source's action right, reads another
operation in the rewording: "add the user x to the new intern" is not a new account).
"""

from __future__ import annotations

import re

from microllm.backends.grounding import CASE_FREE, CASE_KEPT, NUMBERS, sources
from microllm.baselines.rules import route
from microllm.rules.not_given import not_given

_DIGITS = re.compile(r"[\w.:/@-]*\d[\w.:/@-]*")
_IP_LIKE = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?:/\d+)?\b|\b[0-9A-Fa-f]*:[0-9A-Fa-f:]+\b")
_CHATTER = re.compile(
    r"^(sure|here|certainly|of course)\b|rewrit|paraphras|reword|original request|other words|sentence structure"
    r"|same meaning",
    re.I,
)
_WORDS = re.compile(r"[\w@.:/-]+")
_REORDERING = {"after", "before", "once", "prior", "following", "first"}


def copied_values(intent: dict) -> list[tuple[str, str]]:
    """``(field, value)`` for every value the spec copies from the request, steps of a multi-step request in order."""
    out: list[tuple[str, str]] = []
    for key, value in intent.items():
        if key == "steps":
            for step in value:
                out += copied_values(step)
        elif key in CASE_KEPT | CASE_FREE | NUMBERS:
            for item in value if isinstance(value, list) else [value]:
                out.append((key, str(item)))
    return out


def _find(text: str, field: str, value: str) -> int:
    """Where ``value`` first occurs in ``text`` (or in an IP's canonical form of it), -1 if nowhere."""
    needle = value.encode("utf-8").decode("latin-1")
    for n, hay in enumerate(sources(text)):
        if field not in CASE_KEPT:
            hay, needle = hay.lower(), needle.lower()
        at = hay.find(needle)
        if at >= 0:
            return at if n == 0 else len(hay) + at  # canonical IP forms are appended after the request
    return -1


def _enum_values(intent: dict) -> list[str]:
    """The gold's other string values (record types, protocols, key types): read from words of the request."""
    out = []
    for key, value in intent.items():
        if key == "steps":
            for step in value:
                out += _enum_values(step)
        elif key != "action" and key not in CASE_KEPT | CASE_FREE | NUMBERS and isinstance(value, str):
            out.append(value)
    return out


def _numbers(text: str) -> set[str]:
    return {m.strip(".:/-").lower() for m in _DIGITS.findall(text)}


def _words(text: str) -> list[str]:
    return [w.strip(".:/-").lower() for w in _WORDS.findall(text)]


def check_paraphrase(source: str, paraphrase: str, gold: dict) -> str | None:
    """None when ``paraphrase`` may keep ``source``'s gold intent, else the reason it may not (module docstring)."""
    text = paraphrase.strip()
    if not text:
        return "empty"
    if _CHATTER.search(text):
        return "chatter"
    if "\n" in text:
        return "multiline"
    if not 0.5 <= len(text) / max(1, len(source)) <= 2.5:
        return "length"
    if _words(text) == _words(source):
        return "unchanged"
    copied = copied_values(gold)
    if any(_find(text, field, value) < 0 for field, value in copied) or not_given(gold, text):
        return "lost_value"
    if _numbers(text) != _numbers(source):
        return "number"
    spelled = {v.lower() for v in _enum_values(gold)} & set(_words(source))
    if not spelled <= set(_words(text)):
        return "keyword"
    action = gold.get("action")
    if route(source) == action and route(text) not in (action, "unknown"):
        return "action_drift"  # the rules read the source right and now read another operation
    multi = action == "multi"
    if (multi or len(_IP_LIKE.findall(source)) > 1) and _in_order(source, copied) and not _in_order(text, copied):
        return "order"
    if multi and (set(_words(text)) - set(_words(source))) & _REORDERING:
        return "order"  # "do Y after X" keeps every value in place and swaps the steps
    return None


def _in_order(text: str, copied: list[tuple[str, str]]) -> bool:
    """Whether the distinct copied values occur in ``text`` one after another, in the gold's order."""
    at, seen = 0, set()
    for field, value in copied:
        if value in seen:
            continue
        seen.add(value)
        hay, needle = (text, value) if field in CASE_KEPT else (text.lower(), value.lower())
        found = hay.find(needle, at)
        if found < 0:
            return False
        at = found + len(needle)
    return True


def clean(reply: str) -> str:
    """A model's reply as a request: the surrounding quotes and a ``Request:`` label a chat model adds, stripped."""
    text = reply.strip()
    for _ in range(2):  # either may wrap the other
        text = re.sub(r"^(reworded request|request)\s*:\s*", "", text, flags=re.I)
        if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'`":
            text = text[1:-1].strip()
    return text
