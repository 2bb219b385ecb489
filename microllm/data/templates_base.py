"""Template objects, rendering into (segments, gold) and noise that only touches the skeleton.

A template text holds ``{slot}`` placeholders; the slot kind is the name without trailing
digits (``{host2}`` is a second ``host``). ``fields`` maps gold fields to a slot (``"{user}"``),
a format string over slot golds (``"{ipv4}/{netmask}"``) or a constant (``"A"``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from microllm.data.pools import ValuePool

SLOT = re.compile(r"\{([a-z_]+[0-9]?)\}")
STYLES = ("imperative", "polite", "terse", "ticket", "question", "passive", "swapped", "context", "command")
# Words whose typo could change what the gold should be; never corrupted.
_PROTECTED = {"alias", "netmask", "guest", "write", "writable", "weeks", "only", "record", "records"}
Segment = tuple[str, bool]  # (text, is_slot_value)


@dataclass(frozen=True)
class Template:
    """One phrasing of one action: stable id, slot text, gold fields and a style tag."""

    id: str
    action: str
    text: str
    fields: dict = field(hash=False, compare=False)
    style: str = "imperative"

    @property
    def family(self) -> str:
        """The id without its running number (e.g. ``dns_add.a``)."""
        return self.id.rsplit(".", 1)[0]

    @property
    def slots(self) -> list[str]:
        """Slot names in text order (repeats included)."""
        return SLOT.findall(self.text)


def family(action: str, fam: str, fields: dict, items: list[tuple[str, str]]) -> list[Template]:
    """Templates ``<action>.<fam>.NN`` sharing gold ``fields``; ``items`` are (style, text) pairs."""
    out = []
    for i, (style, text) in enumerate(items, 1):
        if style not in STYLES:
            raise ValueError(f"unknown style {style!r} in {action}.{fam}")
        out.append(Template(f"{action}.{fam}.{i:02d}", action, text, fields, style))
    return out


def slot_kind(name: str) -> str:
    """``host2`` -> ``host`` (``ipv4`` / ``ipv6`` are kinds whose name ends in a digit)."""
    return name if name in ("ipv4", "ipv6") else name.rstrip("0123456789")


def _fill(obj, golds: dict):
    if isinstance(obj, dict):
        return {k: _fill(v, golds) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_fill(v, golds) for v in obj]
    if isinstance(obj, str) and "{" in obj:
        whole = SLOT.fullmatch(obj)
        return golds[whole.group(1)] if whole else obj.format(**golds)
    return obj


def render(tpl: Template, pool: ValuePool) -> tuple[list[Segment], dict]:
    """Fill the slots of ``tpl`` from ``pool``; return text segments and the raw gold dict."""
    ctx: dict = {}
    values: dict[str, tuple[str, object]] = {}
    segs: list[Segment] = []
    pos = 0
    for m in SLOT.finditer(tpl.text):
        if m.start() > pos:
            segs.append((tpl.text[pos : m.start()], False))
        name = m.group(1)
        if name not in values:
            kind = slot_kind(name)
            taken = {str(v[1]) for n, v in values.items() if slot_kind(n) == kind}
            for _ in range(20):  # {user} and {user2} must differ
                values[name] = pool.draw(kind, ctx)
                if str(values[name][1]) not in taken or values[name][1] is None:
                    break
        segs.append((values[name][0], True))
        pos = m.end()
    if pos < len(tpl.text):
        segs.append((tpl.text[pos:], False))
    gold = {"action": tpl.action, **_fill(tpl.fields, {n: v[1] for n, v in values.items()})}
    return segs, gold


def as_clause(segs: list[Segment], first: bool) -> list[Segment]:
    """Prepare a rendered single-action text for chaining: no final punctuation, lower-case start."""
    segs = list(segs)
    text, is_slot = segs[-1]
    if not is_slot:
        segs[-1] = (text.rstrip(" .!"), False)
    text, is_slot = segs[0]
    if not first and not is_slot and len(text) > 1 and text[0].isupper() and text[1].islower():
        segs[0] = (text[0].lower() + text[1:], False)
    return [s for s in segs if s[0]]


def _typo(text: str, rng: random.Random) -> str:
    words = [m for m in re.finditer(r"[a-z]{5,}", text) if m.group().lower() not in _PROTECTED]
    words = [m for m in words if (m.start() == 0 or not text[m.start() - 1].isalnum())]
    words = [m for m in words if m.end() == len(text) or not text[m.end()].isalnum()]
    if not words:
        return text
    m = rng.choice(words)
    w = m.group()
    candidates = [i for i in range(1, len(w) - 1) if w[i] != w[i + 1]]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return text[: m.start()] + w + text[m.end() :]


def apply_noise(segs: list[Segment], rng: random.Random, style: str = "imperative") -> str:
    """Join segments into the input text, with light seeded noise in the literal parts only."""
    segs = list(segs)
    # A trailing-dot host name reads badly before "'s", ")" or ",": keep the dot only before a space.
    for i, (text, is_slot) in enumerate(segs[:-1]):
        if is_slot and text.endswith(".") and not segs[i + 1][0].startswith(" "):
            segs[i] = (text[:-1], True)
    lit = [i for i, (_, is_slot) in enumerate(segs) if not is_slot]
    case_ok = style != "command"  # "Useradd bob" or "usesrmod" is not how anyone types a command
    if case_ok and lit and lit[0] == 0 and segs[0][0][:1].isalpha() and rng.random() < 0.15:
        t = segs[0][0]
        if not (len(t) > 1 and t[1].isupper()):  # leave acronyms such as "DNS" alone
            segs[0] = ((t[0].lower() if t[0].isupper() else t[0].upper()) + t[1:], False)
    if lit and lit[-1] == len(segs) - 1 and rng.random() < 0.25:
        t = segs[-1][0]
        if t[-1:] in ".!?":
            t = t[:-1]
        elif t[-1:].isalnum() or t[-1:] in ")'\"":
            t += rng.choice([".", ".", "!"])
        segs[-1] = (t, False)
    if case_ok and lit and rng.random() < 0.08:
        i = rng.choice(lit)
        segs[i] = (_typo(segs[i][0], rng), False)
    if lit and rng.random() < 0.08:
        spaced = [i for i in lit if " " in segs[i][0].strip()]
        if spaced:
            i = rng.choice(spaced)
            t = segs[i][0]
            cuts = [j for j, c in enumerate(t) if c == " " and 0 < j < len(t) - 1]
            j = rng.choice(cuts)
            segs[i] = (t[:j] + "  " + t[j + 1 :], False)
    return "".join(t for t, _ in segs)
