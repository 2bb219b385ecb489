"""Genres: the kinds of text a request arrives as, each rendering an operation's slots through its phrase grammar.

``imperative`` ("Add bob to wheel."), ``polite`` ("Could you please ...?"), ``chat`` (lower case, abbreviations,
typos), ``ticket`` ("TICKET-4411: pls add A rec ..."), ``runbook`` ("Step 3: ..."), ``need`` (statements of what is
needed, questions for lookups), ``ansible`` (task names: "Ensure user alice is present", "TASK [...]"), ``exam``
(certification-task style, property lists), ``manpage`` (man/tldr descriptions, with the command where one
exists), ``command`` (shell commands), ``kv`` (``key=value`` shorthand), ``arrow`` ("api.local -> 10.0.0.5") and
``contrast`` (a negation that changes the action: "don't delete bob, just lock the account").

A *wrapper* composes with a genre: ``plain``, ``context`` (a filler sentence before or after), ``remind`` ("don't
forget to ..."), ``conditional`` ("if it isn't done yet, ...", "... when you get a chance") or ``urgent``. Both are
part of a row's template id, so splits can hold out whole compositions.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from microllm.data.diverse import grammar as g
from microllm.data.diverse.grammar import Lex, Segment
from microllm.data.diverse.lexicon import KV_ENUM, KV_KEYS, LEXICON, PROP_NAMES
from microllm.data.diverse.slots import ANAPHORS
from microllm.data.diverse.values import Val

GENRES = (
    "imperative",
    "polite",
    "chat",
    "ticket",
    "runbook",
    "need",
    "ansible",
    "exam",
    "manpage",
    "command",
    "kv",
    "arrow",
    "contrast",
)
WRAPS = ("plain", "context", "remind", "conditional", "urgent")
WRAPS_BY_GENRE = {
    "imperative": WRAPS,
    "polite": ("plain", "context", "conditional", "urgent"),
    "chat": WRAPS,
    "ticket": ("plain", "remind", "conditional", "urgent", "context"),
    "runbook": ("plain", "conditional", "context"),
    "need": ("plain", "context", "urgent", "conditional"),
    "ansible": ("plain",),
    "exam": ("plain", "context"),
    "manpage": ("plain",),
    "command": ("plain", "context"),
    "kv": ("plain", "urgent"),
    "arrow": ("plain", "context"),
    "contrast": ("plain", "context"),
}
_WRAP_WEIGHT = {"plain": 0.45, "context": 0.2, "remind": 0.1, "conditional": 0.14, "urgent": 0.08}
# Negations that change the action: (action not wanted, action wanted, the slot they share).
CONTRASTS = {
    "user_lock": [("user_remove", "username")],
    "user_set_password": [("user_lock", "username")],
    "dns_update": [("dns_remove", "name"), ("dns_add", "name")],
    "cert_renew": [("cert_revoke", "common_name")],
    "share_revoke_access": [("share_remove", "share")],
    "fw_remove": [("fw_deny", "port"), ("fw_deny", "service")],
    "user_remove_from_group": [("group_remove", "group"), ("user_remove", "username")],
}


@dataclass
class Ctx:
    """What a genre needs besides the slots: the action, the wrapper, the clarify gaps, the split's genres."""

    action: str
    wrap: str = "plain"
    missing: tuple[str, ...] = ()
    allowed: frozenset[str] = field(default_factory=frozenset)


def genres_of(action: str) -> tuple[str, ...]:
    """The genres that can say operation ``action`` (every operation has the prose ones)."""
    lex = LEXICON[action]
    out = ["imperative", "polite", "chat", "ticket", "runbook", "need", "ansible", "exam", "manpage", "kv"]
    out += ["command"] if lex.commands else []
    out += ["arrow"] if lex.arrows else []
    out += ["contrast"] if action in CONTRASTS else []
    return tuple(x for x in GENRES if x in out)


def pick_wrap(genre: str, rng: random.Random, allowed: tuple[str, ...] | None = None) -> str:
    """A wrapper for ``genre``, weighted towards ``plain``."""
    options = [w for w in WRAPS_BY_GENRE.get(genre, ("plain",)) if allowed is None or w in allowed]
    return rng.choices(options, [_WRAP_WEIGHT[w] for w in options])[0]


# --- phrase banks --------------------------------------------------------------------------------------------------
REMIND = [
    "don't forget to",
    "make sure to",
    "remember to",
    "please don't forget to",
    "do not forget to",
    "be sure to",
    "don't forget:",
]
COND_PRE = [
    "if it's not done yet,",
    "when you get a chance,",
    "once the change window opens,",
    "after the backup finishes,",
    "if nobody objects by noon,",
    "before Friday,",
    "as soon as the ticket is approved,",
    "first thing tomorrow,",
    "if it isn't there already,",
    "once the migration is done,",
]
COND_POST = [
    "when you get a chance",
    "once the maintenance window starts",
    "unless it's already done",
    "if that hasn't happened yet",
    "after the backup is done",
    "before the release",
    "if you haven't already",
    "tonight after 8pm",
    "once the change is approved",
]
CONTEXT_BEFORE = [
    "New hire starting Monday.",
    "Following up on yesterday's call:",
    "Per the security review,",
    "FYI the old server is being retired.",
    "For the audit next week:",
    "Quick favour:",
    "Sorry for the late request.",
    "We're migrating to the new datacenter this weekend.",
    "As discussed in the standup,",
    "Hope you're well!",
    "Another one for the backlog:",
    "This came up in the incident review.",
    "Management signed off on this.",
    "Small change request:",
    "Hi, it's the service desk again.",
    "Re: the onboarding checklist -",
]
CONTEXT_AFTER = [
    "Thanks in advance!",
    "Let me know when it's done.",
    "No rush.",
    "It's blocking the release.",
    "Ping me if anything's unclear.",
    "Cheers.",
    "— IT service desk",
    "Thanks!",
    "Much appreciated.",
    "This is for the new project.",
    "Approved by the team lead.",
    "An ETA would be great.",
    "Ticket is in the queue as well.",
]
CHAT_CONTEXT = [
    "new guy starts tmrw",
    "the old box is going away",
    "following up from slack",
    "sry for the late ping",
    "boss asked for this",
    "quick thing before lunch",
]
COMMAND_CONTEXT = ["run this:", "please execute:", "can you run", "on the box:", "exec:", "pls run:", "need this run:"]
URGENT_PRE = ["URGENT:", "ASAP:", "[urgent]", "High priority:", "P1 -", "urgent -"]
URGENT_POST = ["ASAP", "(urgent)", "- needed today", "asap please", "before EOD", "right away", "- top priority"]
POLITE = [
    "please {c}",
    "could you please {c}?",
    "can you {c}?",
    "would you mind {ing}?",
    "{c}, please",
    "I'd like you to {c}",
    "kindly {c}",
    "could we {c}?",
    "please {c}, thanks!",
    "would you be so kind as to {c}?",
    "I'd appreciate it if you could {c}",
    "when you have a moment, could you {c}?",
    "could you {c} for me?",
    "would it be possible to {c}?",
    "hi, can you please {c}?",
    "may I ask you to {c}?",
]
CHAT_GREET = [
    "hey",
    "hi",
    "hey team",
    "yo",
    "morning",
    "hello",
    "hi all",
    "quick one",
    "sorry to bug you",
    "heya",
    "hiya",
    "ok so",
    "",
    "",
    "",
]
CHAT_BODY = [
    "can u {c}",
    "{c} pls",
    "need u to {c}",
    "could someone {c}",
    "{c}",
    "pls {c}",
    "can you {c} real quick",
    "would be great if you could {c}",
    "{c} when u can",
    "any chance you could {c}",
]
CHAT_CLOSE = ["thx", "thanks!", "ty", "cheers", ":)", "thx in advance", "", "", "🙏", "ta"]
TICKET_IDS = [
    "TICKET-{n}:",
    "[OPS-{n}]",
    "INC{n7} -",
    "Re: REQ{n}:",
    "#{n}",
    "JIRA IT-{n}:",
    "SR {n} /",
    "CHG{n6}:",
    "Ticket {n}:",
    "[SD-{n}]",
    "RITM{n7}:",
]
TICKET_LEAD = ["pls", "please", "need to", "req:", "", "", "", "todo:"]
TICKET_TAIL = ["", "", "", "(prio: high)", "- thx", "/cc netops", "[P2]", "(see thread)", "- requested by HR"]
RUNBOOK_PRE = [
    "Step {k}:",
    "[ ]",
    "- [ ]",
    "TODO:",
    "Action:",
    "Runbook {k}.{m}:",
    "Change plan, step {k} -",
    "Post-migration:",
    "Checklist item:",
    "Task:",
    "☐",
    "Pre-flight:",
]
RUNBOOK_POST = ["", "", "", "(owner: ops)", "- verify afterwards", "[pending]", "(see KB-{n})", "(ETA: today)"]
NEED_GENERIC = [
    "we need to {c}",
    "I need you to {c}",
    "someone needs to {c}",
    "it would be great to {c}",
    "we have to {c}",
    "I want to {c}",
    "the team needs you to {c}",
    "we'd like to {c}",
    "I'd like to {c}",
]
ANSIBLE_FORMS = [
    "{b}",
    "- name: {b}",
    "name: {b}",
    "TASK [{b}] ***",
    "TASK [{role} : {b}] ******",
    "- name: {b}\n  become: true",
    "  - name: {b}",
]
ANSIBLE_ROLES = ["users", "common", "dns", "samba", "firewall", "network", "postfix", "pki", "base", "onboarding"]
EXAM_PRE = [
    "",
    "",
    "Task {k}:",
    "Q{k}.",
    "{k})",
    "Question {k}:",
    "Exercise {k} -",
    "As root,",
    "Using the command line,",
    "On {examhost},",
    "Part {k}:",
]
EXAM_HOSTS = ["servera", "serverb", "node1", "node2", "workstation"]
CONTRAST_FORMS = [
    "don't {neg}, just {pos}",
    "don't {neg} - {pos} instead",
    "instead of {neg_ing}, {pos}",
    "not {neg_ing}: {pos}",
    "please don't {neg}; {pos} instead",
    "no need to {neg}, {pos}",
    "do NOT {neg}, {pos}",
]
_CONCRETE_DOMAINS = ("user_", "group_", "share_", "fw_", "net_")
_KEYED_PROPS = ("value", "port", "address", "alias", "record_type")  # keyed slots whose surface is the value


def _fmt(template: str, rng: random.Random) -> str:
    n = rng.randint(2, 9999)
    return template.format(
        n=n,
        k=rng.randint(1, 20),
        m=rng.randint(1, 9),
        n7=f"{rng.randint(1, 9999999):07d}",
        n6=f"{n:06d}",
        role=rng.choice(ANSIBLE_ROLES),
        examhost=rng.choice(EXAM_HOSTS),
    )


def _around(template: str, c: list[Segment], **more: list[Segment]) -> list[Segment]:
    """Fill ``{c}`` (and other named parts) of a literal template with segment lists."""
    out: list[Segment] = []
    for piece in re.split(r"(\{[a-z_]+\})", template):
        name = piece[1:-1] if piece.startswith("{") and piece.endswith("}") else None
        if name == "c":
            out += c
        elif name in more:
            out += more[name]
        elif piece:
            out.append((piece, False))
    return out


def _end(segs: list[Segment], rng: random.Random, marks=(".", ".", "", "!")) -> list[Segment]:
    if segs and not segs[-1][1] and segs[-1][0].rstrip().endswith(("?", "!", ".", ":")):
        return segs
    mark = rng.choice(marks)
    return segs + [(mark, False)] if mark else segs


def _extra(lex: Lex, rng: random.Random, p: float) -> str:
    """Sometimes a detail outside the spec that the gold ignores ("with uid 1040"), else nothing."""
    if not lex.extras or rng.random() >= p:
        return ""
    extra = rng.choice(lex.extras)
    return ("," if extra.startswith(("because", "since", "but", "even", "now that", "due")) else "") + " " + extra


def _clause(lex: Lex, slots: dict[str, Val], rng: random.Random, ctx: Ctx, form: str = "base"):
    return g.clause(lex, slots, rng, form=form, missing=ctx.missing)


def _framed(lex: Lex, slots: dict[str, Val], rng: random.Random, ctx: Ctx, prefix_ok: bool = True):
    """The clause, with the wrapper's reminder or condition around it."""
    c = _clause(lex, slots, rng, ctx)
    if c is None:
        return None
    if ctx.wrap == "remind" and prefix_ok:
        return g.join(rng.choice(REMIND), c)
    if ctx.wrap == "conditional":
        if prefix_ok and rng.random() < 0.5:
            return g.join(rng.choice(COND_PRE), c)
        return g.join(c, rng.choice(COND_POST))
    return c


def _pattern(lex: Lex, patterns: list[str], slots: dict[str, Val], rng: random.Random, ctx: Ctx):
    """A whole-phrase pattern of the lexicon plus argument phrases (and gaps) for the slots it leaves out."""
    options = [p for p in patterns if g.usable(p, slots)]
    if not options:
        return None
    p = rng.choice(options)
    question = p.rstrip().endswith("?")
    p = p.rstrip().rstrip("?") if question else p
    covered = g.covers(p)
    rest = g.cover_rest(lex, None, slots, covered, rng, ctx.missing)
    if rest is None:
        return None
    segs = g.join(g.fill(p, slots), *rest)
    return segs + [("?", False)] if question else segs


# --- genres --------------------------------------------------------------------------------------------------------
def imperative(lex, slots, rng, ctx):
    """Plain imperative: "Add a DNS record for api.local pointing to 10.0.0.5."."""
    c = _framed(lex, slots, rng, ctx)
    if c is None:
        return None
    c = g.join(c, _extra(lex, rng, 0.1))
    return _end(g.capitalize(c) if rng.random() < 0.85 else c, rng)


def polite(lex, slots, rng, ctx):
    """Requests with courtesy: "Could you please ...?", "Would you mind adding ...?"."""
    frame = rng.choice(POLITE)
    form = "ing" if "{ing}" in frame else "base"
    c = _clause(lex, slots, rng, ctx, form)
    if c is None:
        return None
    if ctx.wrap == "conditional":
        c = g.join(c, rng.choice(COND_POST))
    frame = frame.replace("{ing}", "{c}")
    return g.capitalize(_end(_around(frame, c), rng, (".", "", "!")))


def chat(lex, slots, rng, ctx):
    """Chat messages: greeting, lower case, abbreviations, typos, often no final punctuation."""
    c = _framed(lex, slots, rng, ctx)
    if c is None:
        return None
    bodies = (
        CHAT_BODY
        if ctx.wrap not in ("remind", "conditional")
        else [b for b in CHAT_BODY if b.startswith(("{c}", "pls"))]
    )
    body = rng.choice(bodies)
    segs = _around(body, c)
    if body.startswith(("can", "could", "any chance", "would")):
        segs += [("?", False)] if rng.random() < 0.6 else []
    greet, close = rng.choice(CHAT_GREET), rng.choice(CHAT_CLOSE)
    if greet:
        segs = [(greet + rng.choice([", ", " - ", "! ", " "]), False)] + segs
    if close:
        segs += [(" " + close, False)]
    segs = g.resolve_articles(segs)
    if rng.random() < 0.7:
        segs = g.map_literals(segs, str.lower)
    segs = g.map_literals(segs, lambda t: g.abbreviate(t, rng, 0.5))
    return g.add_typos(segs, rng, 0.45)


def ticket(lex, slots, rng, ctx):
    """Ticket and runbook-queue lines: an id prefix, a telegraphic body, abbreviations."""
    r = rng.random()
    body = None
    if r < 0.2 and lex.arrows and "arrow" in ctx.allowed and not ctx.missing:
        body = _pattern(lex, lex.arrows, slots, rng, ctx)
    elif r < 0.35 and lex.need and "need" in ctx.allowed:
        body = _pattern(lex, lex.need, slots, rng, ctx)
    if body is None:
        c = _framed(lex, slots, rng, ctx)
        if c is None:
            return None
        body = g.join(rng.choice(TICKET_LEAD) if ctx.wrap not in ("remind", "conditional") else "", c)
    body = g.join(body, _extra(lex, rng, 0.1))
    body = g.resolve_articles(body)
    body = g.map_literals(body, lambda t: g.abbreviate(g.drop_articles(t, rng, 0.6), rng, 0.5))
    segs = g.join(_fmt(rng.choice(TICKET_IDS), rng), body, _fmt(rng.choice(TICKET_TAIL), rng))
    return g.add_typos(segs, rng, 0.15)


def runbook(lex, slots, rng, ctx):
    """Runbook and checklist lines: "Step 3: ...", "- [ ] ...", "TODO: ..."."""
    c = _framed(lex, slots, rng, ctx)
    if c is None:
        return None
    body = g.capitalize(c) if rng.random() < 0.8 else c
    if rng.random() < 0.4:
        body = body + [(".", False)]
    return g.join(_fmt(rng.choice(RUNBOOK_PRE), rng), body, _fmt(rng.choice(RUNBOOK_POST), rng))


def need(lex, slots, rng, ctx):
    """Statements of need ("bob needs to be in wheel"), and questions for lookups."""
    segs = None
    if lex.need and rng.random() < 0.75:
        segs = _pattern(lex, lex.need, slots, rng, ctx)
    if segs is None:
        c = _clause(lex, slots, rng, ctx)
        if c is None:
            return None
        segs = _around(rng.choice(NEED_GENERIC), c)
    if ctx.wrap == "conditional" and not (segs and segs[-1][0].endswith("?")):
        segs = g.join(segs, rng.choice(COND_POST))
    return g.capitalize(_end(g.join(segs, _extra(lex, rng, 0.1)), rng, (".", ".", "")))


def ansible(lex, slots, rng, ctx):
    """Ansible task names: "Ensure user alice is present with uid 1040", "- name: ...", "TASK [...]"."""
    body = None
    if lex.state and rng.random() < 0.5:
        state = _pattern(lex, lex.state, slots, rng, ctx)
        if state is not None:
            body = g.join("Ensure", state)
    if body is None:
        c = _clause(lex, slots, rng, ctx)
        if c is None:
            return None
        body = g.capitalize(c)
    body = g.join(body, _extra(lex, rng, 0.3))
    form = _fmt(rng.choice(ANSIBLE_FORMS).replace("{b}", "\x00"), rng)
    head, _, tail = form.partition("\x00")
    return [(head, False)] + body + [(tail, False)]


def _properties(lex: Lex, slots: dict[str, Val], rng: random.Random) -> list[Segment] | None:
    """Exam-style property list: "Create a user with the following properties: username bob, password x."."""
    names = [n for n in slots if n in PROP_NAMES and (not slots[n].key or n in _KEYED_PROPS)]
    if not lex.noun or len(names) < 2 or len(names) != len(slots) or any(slots[n].pron for n in names):
        return None
    verb = rng.choice(lex.frames[0].verbs).capitalize()
    sep, kv = rng.choice([(", ", " "), ("; ", ": "), ("\n- ", ": ")])
    items: list[Segment] = []
    for i, n in enumerate(names):
        items += [
            ((sep if i else ("\n- " if sep == "\n- " else " ")) + rng.choice(PROP_NAMES[n]) + kv, False),
            (slots[n].surface, True),
        ]
    return [(f"{verb} a/an {lex.noun} with the following properties:", False)] + items


def exam(lex, slots, rng, ctx):
    """Certification-exam tasks: "Task 4: Create a user named X whose ...", property lists."""
    r = rng.random()
    body = None
    if r < 0.4 and lex.exam:
        body = _pattern(lex, lex.exam, slots, rng, ctx)
    elif r < 0.6 and not ctx.missing:
        body = _properties(lex, slots, rng)
    if body is None:
        c = _clause(lex, slots, rng, ctx)
        if c is None:
            return None
        body = g.capitalize(c)
    pre = rng.choice(EXAM_PRE)
    if "{examhost}" in pre and (ctx.missing or not ctx.action.startswith(_CONCRETE_DOMAINS)):
        pre = ""
    pre = _fmt(pre, rng)
    if pre.endswith(","):
        body = g.decapitalize(body) if not body[0][0].startswith(("I ", "I'")) else body
    return _end(g.join(pre, body), rng, (".",))


def manpage(lex, slots, rng, ctx):
    """Man-page and tldr descriptions: "Adds the user ... .", "- Add ...:" with the command, "# add ..."."""
    form = rng.choice(["s", "tldr", "comment", "ing"])
    c = _clause(lex, slots, rng, ctx, "s" if form == "s" else "ing" if form == "ing" else "base")
    if c is None:
        return None
    cmd = None
    if form in ("tldr", "comment") and "command" in ctx.allowed and lex.commands and rng.random() < 0.6:
        cmd = command(lex, slots, rng, Ctx(ctx.action, "plain", ctx.missing, ctx.allowed), bare=True)
    if form == "s":
        return g.capitalize(c) + [(".", False)]
    if form == "ing":
        return g.capitalize(c) + ([(":", False)] if rng.random() < 0.3 else [])
    if form == "tldr":
        segs = [("- ", False)] + g.capitalize(c) + [(":", False)]
        return segs + ([(rng.choice(["\n\n`", "\n  `", " `"]), False)] + cmd + [("`", False)] if cmd else [])
    segs = [("# ", False)] + c
    return segs + ([("\n", False)] + cmd if cmd else [])


def _cmd_slots(slots: dict[str, Val], pattern: str) -> dict[str, Val]:
    """Slots as a command writes them: numbers as digits, record types canonical, lists space-separated."""
    out = dict(slots)
    for name, v in slots.items():
        if name in ("ttl", "days", "priority"):
            out[name] = Val(str(next(iter(v.gold.values()))), v.gold, v.key, v.optional)
        elif name == "record_type":
            out[name] = Val(v.gold["record_type"], v.gold, v.key, v.optional)
        elif name == "service":
            out[name] = Val(v.surface.lower(), v.gold, v.key, v.optional)
        elif name == "key" and v.key == "rsa_size":
            out[name] = Val(f"rsa:{v.gold['key_size']}", v.gold, v.key, v.optional)
        elif v.items:
            flag = re.search(r"(-{1,2}[\w-]+ )\{" + name + r"\}", pattern)
            sep = " " + flag.group(1) if flag else " "
            out[name] = Val(sep.join(v.items), v.gold, v.key, v.optional, v.items)
    return out


def command(lex, slots, rng, ctx, bare: bool = False):
    """Shell commands (``useradd -m bob``, ``ufw allow 22/tcp``, ``dig api.local MX``); leftover slots as flags."""
    if any(v.pron for v in slots.values()):
        return None
    patterns = list(lex.commands)
    rng.shuffle(patterns)
    for pattern in patterns:
        style = re.search(r"\{FLAGS(?::([a-z]+))?\}", pattern)
        prefix = (style.group(1) + ":") if style and style.group(1) else ""
        cslots = _cmd_slots(slots, pattern)
        bare_pattern = re.sub(r"\{FLAGS(?::[a-z]+)?\}", "", pattern)
        if not g.usable(bare_pattern, cslots):
            continue
        covered = g.covers(bare_pattern)
        flags: list[str] = []
        ok = True
        for name in [n for n in cslots if n not in covered]:
            v = cslots[name]
            options = (
                lex.flags.get(f"{prefix}{name}={v.key}", []) + lex.flags.get(f"{prefix}{name}", []) if style else []
            )
            if not options:
                if v.optional:
                    continue
                ok = False
                break
            flags.append(rng.choice(options))
        if not ok:
            continue
        if style and not prefix and lex.extra_flags and rng.random() < 0.35:
            flags.insert(0, rng.choice(lex.extra_flags) + " ")
        text = (
            pattern.replace(style.group(0), "".join(f if f.endswith(("\n", " ")) or prefix else f + " " for f in flags))
            if style
            else pattern
        )
        segs = g.fill(text, cslots)
        if bare:
            return segs
        if rng.random() < 0.1:
            segs = [("$ ", False)] + segs
        elif rng.random() < 0.12:
            segs = [("`", False)] + segs + [("`", False)]
        return segs
    return None


def _kv_pairs(slots: dict[str, Val], rng: random.Random, ctx: Ctx) -> list[list[Segment]] | None:
    assign = rng.choice(["=", "=", ": ", "="])
    pairs: list[list[Segment]] = []
    for name, v in slots.items():
        if v.pron:
            return None
        if v.optional and rng.random() < 0.4:
            continue
        if v.key and f"{name}={v.key}" in KV_ENUM:
            pairs.append([(rng.choice(KV_ENUM[f"{name}={v.key}"]), True)])
            continue
        if name == "key":
            pairs.append([(" ".join(f"{k}={x}" for k, x in v.gold.items()), True)])
            continue
        if name == "port" and v.key == "portproto":
            pairs.append(
                [
                    ("port" + assign, False),
                    (str(v.gold["port"]), True),
                    (" proto" + assign, False),
                    (v.gold["protocol"], True),
                ]
            )
            continue
        if name == "host" and v.key == "hostport":
            pairs.append(
                [
                    ("host" + assign, False),
                    (str(v.gold["host"]), True),
                    (" port" + assign, False),
                    (str(v.gold["port"]), True),
                ]
            )
            continue
        surface = v.surface
        if name in ("ttl", "days", "priority"):
            surface = str(next(iter(v.gold.values())))
        elif name == "record_type":
            surface = v.gold["record_type"]
        elif v.items:
            surface = ",".join(v.items)
        keys = KV_KEYS.get(name, [name])
        quote = '"' if (" " in surface and not surface.startswith('"')) else ""
        pairs.append([(rng.choice(keys) + assign + quote, False), (surface, True), (quote, False)])
    for name in ctx.missing:
        if rng.random() < 0.5:
            pairs.append(
                [
                    (
                        rng.choice(KV_KEYS.get(name, [name]))
                        + assign
                        + rng.choice(["?", "TBD", "<fill in>", "", "???"]),
                        False,
                    )
                ]
            )
    rng.shuffle(pairs)
    return pairs


def kv(lex, slots, rng, ctx):
    """``key=value`` shorthand: "user add user=bob grp=wheel", "dns.add(name=..., ip=...)", YAML-ish lines."""
    pairs = _kv_pairs(slots, rng, ctx)
    if not pairs:
        return None
    head = rng.choice(lex.kv)
    form = rng.random()
    if form < 0.5:
        sep = rng.choice([" ", ", ", "; ", " | "])
        return g.join(head + rng.choice(["", ":", " -"]), g.join(*pairs, sep=sep))
    if form < 0.65:
        return [(f"[{head}] ", False)] + g.join(*pairs, sep=" ")
    if form < 0.8:
        return [(head.replace(" ", "_") + "(", False)] + g.join(*pairs, sep=", ") + [(")", False)]
    if form < 0.9:
        return [(head + " {", False)] + g.join(*pairs, sep=", ") + [("}", False)]
    return [(head + ":\n  ", False)] + g.join(*pairs, sep="\n  ")


def arrow(lex, slots, rng, ctx):
    """Arrow shorthand: "api.local -> 10.0.0.5", "bob → wheel", "\\\\nas\\finance => /srv/finance"."""
    segs = _pattern(lex, lex.arrows, slots, rng, ctx)
    if segs is None:
        return None
    return g.join(rng.choice(["", "", "", "pls", "change:", "todo:", "req:", "new:"]), segs)


def contrast(lex, slots, rng, ctx):
    """A negation that changes the action: "don't delete bob, just lock the account" is ``user_lock``."""
    options = [(neg, shared) for neg, shared in CONTRASTS.get(ctx.action, []) if shared in slots]
    if not options or ctx.missing:
        return None
    neg_action, shared = rng.choice(options)
    form = rng.choice(CONTRAST_FORMS)
    neg_first = form.index("{neg") < form.index("{pos}")
    full, anaphor = (
        slots[shared],
        Val(rng.choice(ANAPHORS.get(shared, ["it"])), slots[shared].gold, slots[shared].key, pron=True),
    )
    use_pron = rng.random() < 0.6
    neg_slots = {shared: full if neg_first or not use_pron else anaphor}
    pos_slots = dict(slots)
    pos_slots[shared] = anaphor if neg_first and use_pron else full
    neg = g.clause(LEXICON[neg_action], neg_slots, rng, form="ing" if "{neg_ing}" in form else "base", front_ok=False)
    pos = g.clause(lex, pos_slots, rng, front_ok=False)
    if neg is None or pos is None:
        return None
    segs = _around(form.replace("{neg_ing}", "{neg}"), [], neg=neg, pos=pos)
    return g.capitalize(_end(segs, rng, (".", "", "!")))


RENDERERS = {
    "imperative": imperative,
    "polite": polite,
    "chat": chat,
    "ticket": ticket,
    "runbook": runbook,
    "need": need,
    "ansible": ansible,
    "exam": exam,
    "manpage": manpage,
    "command": command,
    "kv": kv,
    "arrow": arrow,
    "contrast": contrast,
}


def wrap_outside(segs: list[Segment], genre: str, wrap: str, rng: random.Random) -> list[Segment]:
    """Apply the wrappers that sit outside the genre's text: a context sentence, an urgency marker."""
    if wrap == "context":
        if genre == "command":
            return g.join(rng.choice(COMMAND_CONTEXT), segs)
        if genre == "chat":
            return g.join(rng.choice(CHAT_CONTEXT) + rng.choice([",", " -", ";"]), segs)
        if rng.random() < 0.55:
            before = rng.choice(CONTEXT_BEFORE)
            body = g.decapitalize(segs) if before.endswith((",", ":", "-")) else g.capitalize(segs)
            return g.join(before, body)
        return g.join(segs, rng.choice(CONTEXT_AFTER))
    if wrap == "urgent":
        if rng.random() < 0.5:
            return g.join(rng.choice(URGENT_PRE), segs)
        return g.join(segs, rng.choice(URGENT_POST))
    return segs


def render(action: str, genre: str, slots: dict[str, Val], rng: random.Random, ctx: Ctx) -> list[Segment] | None:
    """The request of one operation in one genre and wrapper, as segments; None when this draw does not fit."""
    lex = LEXICON[action]
    if genre not in genres_of(action):
        return None
    segs = RENDERERS[genre](lex, slots, rng, ctx)
    if not segs:
        return None
    segs = wrap_outside(segs, genre, ctx.wrap, rng)
    if genre in ("imperative", "polite", "need", "runbook", "exam", "contrast", "ansible"):
        if rng.random() < 0.06:
            segs = g.decapitalize(segs)
        segs = g.add_typos(segs, rng, 0.05)
    return finish(segs)


def finish(segs: list[Segment]) -> list[Segment]:
    """Articles resolved, spacing tidied, and a host name's trailing dot dropped where punctuation follows it."""
    segs = g.tidy(g.resolve_articles(segs))
    out = list(segs)
    for i, (t, p) in enumerate(out[:-1]):
        if p and t.endswith(".") and not out[i + 1][0][:1].isspace():
            out[i] = (t[:-1], True)
    return out
