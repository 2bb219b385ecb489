"""The phrase machinery of the diverse generator: phrases with slots, clauses, inflection and noise.

A request is built as a list of segments ``(text, protected)``. Slot values are protected segments: casing changes,
abbreviations and typos only ever touch the unprotected (literal) text, so a value that must be copied exactly
(user names, passwords, IPs, paths) always reaches the request as drawn.

Phrases are strings with ``{slot}`` placeholders and ``[slot=key]`` markers; a marker renders nothing and says that
the phrase expresses an enumerated slot (``"userdel -r {username}[remove_home=true]"``). A phrase is usable when
every placeholder's slot is present and every marker's slot has that key. ``[slot?key]`` only requires the key and
does not express the slot ("a host record for {name}[value?ip]" still needs the value said); ``[!slot]`` requires
the slot to be absent ("the IP of {name}[!record_type]" asks for no particular record type).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from microllm.data.diverse.values import Val

Segment = tuple[str, bool]  # (text, protected)

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_MARKER = re.compile(r"\[([a-z_]+)([=?])([a-z0-9_]+)\]")
_ABSENT = re.compile(r"\[!([a-z_]+)\]")
# Words before a slot that bind it as a noun ("user {username}"): an anaphor ("him") cannot stand there.
_NOUN_BINDERS = {
    "user",
    "account",
    "login",
    "named",
    "called",
    "group",
    "share",
    "record",
    "host",
    "interface",
    "certificate",
    "cert",
    "alias",
    "username",
    "for user",
    "the",
    "a",
    "member",
    "usr",
    "acct",
}


@dataclass
class Frame:
    """One way to say an action: verbs (base form) that go with these objects and these argument phrases."""

    verbs: list[str]
    objs: list[str]
    args: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Lex:
    """Everything the genres need to say one action.

    ``args`` and ``gaps`` are keyed by slot (``"password"``) or slot and key (``"remove_home=true"``); ``gaps`` are
    phrases that mention a required slot without its value (clarify rows); ``gap_needed`` slots must get one, since
    leaving them unsaid would read as another action ("add bob" without "to a group"). ``need``, ``state`` (after
    "Ensure"), ``exam``, ``commands``, ``arrows`` are whole phrases of their genres; ``flags`` cover leftover slots
    of a command; ``kv`` are heads of ``key=value`` requests; ``extras`` are details outside the spec that the gold
    ignores ("with uid 1040"); ``noun`` names the thing for exam-style property lists."""

    frames: list[Frame]
    args: dict[str, list[str]] = field(default_factory=dict)
    gaps: dict[str, list[str]] = field(default_factory=dict)
    gap_needed: tuple[str, ...] = ()
    front: dict[str, list[str]] = field(default_factory=dict)
    need: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    exam: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    flags: dict[str, list[str]] = field(default_factory=dict)
    extra_flags: list[str] = field(default_factory=list)
    kv: list[str] = field(default_factory=list)
    arrows: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    noun: str = ""


# --- phrases -------------------------------------------------------------------------------------------------------
def placeholders(phrase: str) -> set[str]:
    """Slot names a phrase writes out."""
    return set(PLACEHOLDER.findall(phrase))


def covers(phrase: str) -> set[str]:
    """Slot names a phrase expresses: its placeholders and its ``[slot=key]`` markers."""
    return placeholders(phrase) | {m.group(1) for m in _MARKER.finditer(phrase) if m.group(2) == "="}


def _pron_ok(phrase: str, name: str) -> bool:
    """Whether an anaphor can fill ``{name}`` here: not after a binding noun, not before "'s" or inside quotes.

    Anaphors only fill objects and arguments of clauses (never a sentence's subject), so "him" is the right case."""
    for m in re.finditer(r"\{" + name + r"\}", phrase):
        before, after = phrase[: m.start()], phrase[m.end() :]
        words = before.lower().split()
        if (words and words[-1].strip("'\"(") in _NOUN_BINDERS) or before.endswith(("'", '"', "=", ":")):
            return False
        if after.startswith(("'", '"', "'s", ".", "@", "/", ":")):
            return False
    return True


def usable(phrase: str, slots: dict[str, Val]) -> bool:
    """Whether ``phrase`` can be filled from ``slots`` (see the module docstring)."""
    for name in placeholders(phrase):
        if name not in slots or (slots[name].pron and not _pron_ok(phrase, name)):
            return False
    for m in _MARKER.finditer(phrase):
        if m.group(1) not in slots or slots[m.group(1)].key != m.group(3):
            return False
    return not any(m.group(1) in slots for m in _ABSENT.finditer(phrase))


def fill(phrase: str, slots: dict[str, Val], protect_all: bool = False) -> list[Segment]:
    """Segments of a usable phrase: literal text, and each slot's surface as a protected segment."""
    phrase = _ABSENT.sub("", _MARKER.sub("", phrase)).strip()
    segs: list[Segment] = []
    pos = 0
    for m in PLACEHOLDER.finditer(phrase):
        if m.start() > pos:
            segs.append((phrase[pos : m.start()], protect_all))
        segs.append((slots[m.group(1)].surface, True))
        pos = m.end()
    if pos < len(phrase):
        segs.append((phrase[pos:], protect_all))
    return [s for s in segs if s[0]]


def join(*parts: list[Segment] | str, sep: str = " ") -> list[Segment]:
    """Concatenate segment lists (and literal strings) with ``sep`` between non-empty parts."""
    out: list[Segment] = []
    for part in parts:
        segs = [(part, False)] if isinstance(part, str) else part
        segs = [s for s in segs if s[0]]
        if not segs:
            continue
        if out and sep:
            out.append((sep, False))
        out += segs
    return out


def text_of(segs: list[Segment]) -> str:
    """The request text of a segment list."""
    return "".join(t for t, _ in segs)


# --- inflection ----------------------------------------------------------------------------------------------------
_IRREGULAR_PP = {
    "set": "set",
    "make": "made",
    "put": "put",
    "get": "got",
    "give": "given",
    "take": "taken",
    "find": "found",
    "bring": "brought",
    "shut": "shut",
    "let": "let",
    "cut": "cut",
    "spin": "spun",
    "tear": "torn",
    "forbid": "forbidden",
    "run": "run",
    "send": "sent",
    "show": "shown",
}
_DOUBLE = {
    "drop",
    "stop",
    "set",
    "put",
    "get",
    "cut",
    "let",
    "shut",
    "run",
    "ban",
    "map",
    "zap",
    "spin",
    "enroll",
    "forbid",
    "plan",
    "swap",
    "strip",
}


def inflect(verb: str, form: str) -> str:
    """``verb`` (base form, maybe with a particle: "set up") in ``form``: base, s (third person), ing or pp."""
    head, _, rest = verb.partition(" ")
    tail = f" {rest}" if rest else ""
    if form == "base":
        return verb
    if form == "s":
        if head.endswith(("s", "x", "z", "ch", "sh")):
            return head + "es" + tail
        if head.endswith("y") and head[-2:-1] not in "aeiou":
            return head[:-1] + "ies" + tail
        return head + "s" + tail
    if form == "ing":
        if head.endswith("ie"):
            return head[:-2] + "ying" + tail
        if head.endswith("e") and not head.endswith(("ee", "ye", "oe")):
            return head[:-1] + "ing" + tail
        if head in _DOUBLE:
            return head + head[-1] + "ing" + tail
        return head + "ing" + tail
    if form == "pp":
        if head in _IRREGULAR_PP:
            return _IRREGULAR_PP[head] + tail
        if head.endswith("e"):
            return head + "d" + tail
        if head.endswith("y") and head[-2:-1] not in "aeiou":
            return head[:-1] + "ied" + tail
        if head in _DOUBLE:
            return head + head[-1] + "ed" + tail
        return head + "ed" + tail
    raise ValueError(f"unknown verb form {form!r}")


# --- clauses -------------------------------------------------------------------------------------------------------
def arg_options(lex: Lex, frame: Frame | None, name: str, val: Val) -> list[str]:
    """Argument phrases that can express slot ``name`` (its keyed list first, then the general one)."""
    keys = ([f"{name}={val.key}"] if val.key else []) + [name]
    out: list[str] = []
    for table in ((frame.args if frame else {}), lex.args):
        for k in keys:
            out += table.get(k, [])
    return out


def cover_rest(
    lex: Lex,
    frame: Frame | None,
    slots: dict[str, Val],
    covered: set[str],
    rng: random.Random,
    missing: tuple[str, ...] = (),
) -> list[list[Segment]] | None:
    """Argument phrases for every slot not yet covered (optional slots sometimes left unsaid) plus, for a clarify
    row, a gap phrase for each missing slot; None when a required slot has no usable phrase."""
    rest = [n for n in slots if n not in covered]
    rng.shuffle(rest)
    phrases: list[list[Segment]] = []
    for name in rest:
        if name in covered:
            continue
        val = slots[name]
        if val.optional and rng.random() < 0.5:
            continue
        free = {n for n in slots if n not in covered}
        options = [
            p
            for p in arg_options(lex, frame, name, val)
            if usable(p, slots) and name in covers(p) | {name} and covers(p) <= free
        ]
        if not options:
            if val.optional:
                continue
            return None
        phrase = rng.choice(options)
        # A phrase without the slot's surface is the value itself ("and remove the home directory"): protect it.
        phrases.append(fill(phrase, slots, protect_all=not placeholders(phrase)))
        covered |= covers(phrase) | {name}
    for name in missing:
        gaps = lex.gaps.get(name, [])
        if gaps and (name in lex.gap_needed or rng.random() < 0.7):
            phrases.insert(rng.randrange(len(phrases) + 1), fill(rng.choice(gaps), slots))
        elif name in lex.gap_needed:
            return None
    return phrases


def clause(
    lex: Lex,
    slots: dict[str, Val],
    rng: random.Random,
    form: str = "base",
    missing: tuple[str, ...] = (),
    front_ok: bool = True,
) -> list[Segment] | None:
    """An imperative clause (lower-case start, no final punctuation): verb, object, argument phrases in a random
    order, sometimes one argument fronted ("on eth0, bring the link up"). ``form`` inflects the verb."""
    frame = rng.choice(lex.frames)
    objs = [o for o in frame.objs if usable(o, slots)]
    if not objs:
        return None
    obj = rng.choice(objs)
    covered = covers(obj)
    front: list[Segment] = []
    fronts = [n for n in lex.front if n in slots and n not in covered and not slots[n].pron]
    if front_ok and form == "base" and fronts and rng.random() < 0.2:
        name = rng.choice(fronts)
        options = [p for p in lex.front[name] if usable(p, slots)]
        if options:
            front = fill(rng.choice(options), slots) + [(",", False)]
            covered.add(name)
    args = cover_rest(lex, frame, slots, covered, rng, missing)
    if args is None:
        return None
    verb = inflect(rng.choice(frame.verbs), form)
    return join(front, verb, fill(obj, slots), *args)


# --- text shaping --------------------------------------------------------------------------------------------------
_VOWEL_LETTERS = set("AEFHILMNORSX")  # acronyms read letter by letter: "an MX", "an A", "a CNAME"


def _article(next_text: str) -> str:
    word_ = next_text.strip().split(" ")[0].strip("'\"(") if next_text.strip() else ""
    if not word_:
        return "a"
    if word_.isupper() and len(word_) <= 5 and word_.isalpha():
        return "an" if word_[0] in _VOWEL_LETTERS else "a"
    if word_.lower().startswith(("uni", "use", "usr", "eu")):
        return "a"
    return "an" if word_[0].lower() in "aeiou" or word_[:1].isdigit() and word_[0] == "8" else "a"


def resolve_articles(segs: list[Segment]) -> list[Segment]:
    """Turn each literal ``a/an`` into "a" or "an" by the word that follows (which may be a slot's surface)."""
    out = list(segs)
    for i, (text, protected) in enumerate(out):
        if protected or "a/an" not in text.lower():
            continue
        parts = re.split(r"(\b[Aa]/an\b)", text)
        for j in range(1, len(parts), 2):
            following = parts[j + 1] if parts[j + 1].strip() else "".join(t for t, _ in out[i + 1 : i + 3])
            art = _article(following)
            parts[j] = art.capitalize() if parts[j][0] == "A" else art
        out[i] = ("".join(parts), False)
    return out


def capitalize(segs: list[Segment]) -> list[Segment]:
    """Upper-case the first letter when it is literal text."""
    if segs and not segs[0][1] and segs[0][0][:1].isalpha():
        t = segs[0][0]
        return [(t[0].upper() + t[1:], False)] + segs[1:]
    return segs


def decapitalize(segs: list[Segment]) -> list[Segment]:
    """Lower-case the first letter when it is literal text and not an acronym."""
    if segs and not segs[0][1] and segs[0][0][:1].isupper() and not segs[0][0][1:2].isupper():
        t = segs[0][0]
        return [(t[0].lower() + t[1:], False)] + segs[1:]
    return segs


def map_literals(segs: list[Segment], fn) -> list[Segment]:
    """Apply ``fn`` to every literal segment's text."""
    return [(t, p) if p else (fn(t), False) for t, p in segs]


ABBREVIATIONS = {
    "please": ["pls", "plz"],
    "password": ["pw", "pwd", "passwd"],
    "record": ["rec"],
    "user": ["usr"],
    "group": ["grp"],
    "account": ["acct"],
    "firewall": ["fw"],
    "interface": ["iface", "intf"],
    "certificate": ["cert"],
    "directory": ["dir"],
    "configuration": ["config"],
    "you": ["u"],
    "thanks": ["thx", "ty"],
    "because": ["bc"],
    "address": ["addr"],
    "without": ["w/o"],
    "with": ["w/"],
    "server": ["srv"],
    "production": ["prod"],
    "message": ["msg"],
    "tomorrow": ["tmrw"],
    "are": ["r"],
    "before": ["b4"],
    "something": ["sth"],
    "people": ["ppl"],
    "information": ["info"],
}
_ABBR = re.compile(r"\b(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b")


def abbreviate(text: str, rng: random.Random, rate: float) -> str:
    """Replace known words by chat/ticket abbreviations, each occurrence with probability ``rate``."""

    def sub(m: re.Match) -> str:
        w = m.group(1)
        return rng.choice(ABBREVIATIONS[w]) if rng.random() < rate else w

    return _ABBR.sub(sub, text)


def drop_articles(text: str, rng: random.Random, rate: float) -> str:
    """Drop "the"/"a"/"an" (telegraphic ticket style), each with probability ``rate``."""
    return re.sub(r"\b(the|a|an) ", lambda m: "" if rng.random() < rate else m.group(0), text)


# Words whose typo could change what the gold should be (a type, a duration, a permission): never corrupted.
PROTECTED_WORDS = {
    "alias",
    "netmask",
    "guest",
    "write",
    "writable",
    "weeks",
    "week",
    "only",
    "read",
    "record",
    "records",
    "years",
    "year",
    "days",
    "instead",
    "unlock",
    "unlocked",
    "enable",
    "disable",
    "hours",
    "minutes",
    "seconds",
    "never",
    "mind",
}


def typo(text: str, rng: random.Random) -> str:
    """One typo (two letters swapped, a letter dropped or doubled) in a word of five or more letters."""
    words = [m for m in re.finditer(r"(?<![\w/.-])[a-z]{5,}(?![\w/.-])", text) if m.group() not in PROTECTED_WORDS]
    if not words:
        return text
    m = rng.choice(words)
    w = m.group()
    i = rng.randrange(1, len(w) - 1)
    kind = rng.random()
    if kind < 0.5 and w[i] != w[i + 1]:
        w = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    elif kind < 0.75:
        w = w[:i] + w[i + 1 :]
    else:
        w = w[:i] + w[i] + w[i:]
    return text[: m.start()] + w + text[m.end() :]


def add_typos(segs: list[Segment], rng: random.Random, rate: float) -> list[Segment]:
    """With probability ``rate`` (and again, at half the rate), put one typo into a literal segment."""
    out = list(segs)
    for r in (rate, rate / 2):
        literal = [i for i, (t, p) in enumerate(out) if not p and re.search(r"[a-z]{5,}", t)]
        if literal and rng.random() < r:
            i = rng.choice(literal)
            out[i] = (typo(out[i][0], rng), False)
    return out


def tidy(segs: list[Segment]) -> list[Segment]:
    """Remove stray spaces that phrase joining leaves (before punctuation, doubled spaces) in literal text."""
    merged: list[Segment] = []
    for t, p in segs:  # adjacent literal pieces are one text, so "x , y" across a join is seen and fixed
        if merged and not p and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + t, False)
        else:
            merged.append((t, p))
    segs = merged
    out: list[Segment] = []
    for i, (t, p) in enumerate(segs):
        if not p:
            t = re.sub(r"(?<=\S) {2,}", " ", t)  # indentation after a newline (YAML-ish lines) stays
            if out and t.startswith("  ") and not out[-1][0].endswith("\n"):
                t = " " + t.lstrip(" ")
            t = re.sub(r" +([,;:!?)])", r"\1", t)
            if t.startswith(" ") and out and out[-1][0].endswith((" ", "\n", "(")):
                t = t.lstrip(" ")
            if i == 0:
                t = t.lstrip()
            if i == len(segs) - 1:
                t = t.rstrip()
        out.append((t, p))
    return [s for s in out if s[0]]
