"""The meta actions: ``multi`` (2-3 steps joined), ``clarify`` (a required value missing) and ``unknown``.

Each returns ``(segments, raw gold)`` or None when a draw does not fit (the caller draws again). ``step_ok(op,
genre)`` says which (operation, genre) compositions a split may show, so a train row never contains a step written
in a composition that val holds out.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from microllm.data.diverse import grammar as g
from microllm.data.diverse.genres import (
    CHAT_GREET,
    CONTEXT_AFTER,
    CONTEXT_BEFORE,
    TICKET_IDS,
    Ctx,
    _fmt,
    command,
    finish,
    genres_of,
    render,
)
from microllm.data.diverse.grammar import Segment
from microllm.data.diverse.lexicon import LEXICON
from microllm.data.diverse.slots import ANAPHORS, gold_of, host_surface, missing_fields, required_slots, sample_slots
from microllm.data.diverse.values import DiversePool, Val
from microllm.schema import DOMAIN_OF_ACTION, OPERATIONS

StepOk = Callable[[str, str], bool]

# --- multi ---------------------------------------------------------------------------------------------------------
JOINERS = ("then", "semicolon", "andalso", "numbered", "bullets", "firstthen", "plus", "shell")
MULTI_WRAPS = {
    j: ("plain", "context", "polite", "ticket", "urgent") for j in ("then", "semicolon", "andalso", "firstthen", "plus")
}
MULTI_WRAPS |= {
    "numbered": ("plain", "context", "ticket"),
    "bullets": ("plain", "context", "ticket"),
    "shell": ("plain", "context"),
}
# Steps that share a value, so the later one may refer back to it: (first, second, slot in first, slot in second).
LINKS = [
    ("user_add", "user_add_to_group", "username", "username"),
    ("group_add", "user_add_to_group", "group", "group"),
    ("share_create", "share_grant_access", "share", "share"),
    ("user_add", "share_grant_access", "username", "username"),
    ("dns_add", "cert_create", "name", "common_name"),
    ("user_remove_from_group", "user_add_to_group", "username", "username"),
    ("cert_revoke", "cert_create", "common_name", "common_name"),
    ("net_down", "net_set_address", "interface", "interface"),
    ("net_set_address", "net_up", "interface", "interface"),
    ("user_unlock", "user_set_password", "username", "username"),
    ("fw_remove", "fw_allow", "port", "port"),
]
_LIST_HEADERS = [
    "Onboarding checklist:",
    "Change request:",
    "For the new project:",
    "Todo:",
    "Please do the following:",
    "Steps:",
    "Tonight's changes:",
]
_THEN = [", then ", " and then ", ". Then ", " then ", ", after that ", ", and after that "]
_FINALLY = [", and finally ", " and then ", ". Finally, ", ", then "]
_ANDALSO = [" and also ", ", and also ", ". Also, ", " and ", ", also "]
_PLUS = [", plus ", " + ", ", and on top of that "]
_SHELL = [" && ", "; ", "\n"]


def _linked_val(first: Val, field: str, slot: str, rng: random.Random, pron_ok: bool) -> Val:
    """The second step's slot for a value the first step wrote: an anaphor ("him", "it") or the value again.

    Fields of the same name carry over whole ("443/tcp" sets port and protocol); a renamed one carries its value
    (a share's ``name`` becomes ``share``, a DNS ``name`` a certificate's ``common_name``)."""
    gold = dict(first.gold) if field in first.gold else {field: next(iter(first.gold.values()))}
    if pron_ok and rng.random() < 0.6 and slot in ANAPHORS:
        return Val(rng.choice(ANAPHORS[slot]), gold, first.key, pron=True)
    surface = first.surface
    if field == "common_name":
        surface = host_surface(gold[field], rng).rstrip(".")
    return Val(surface, gold, first.key)


def _pick_ops(k: int, rng: random.Random) -> list[str]:
    ops: list[str] = []
    while len(ops) < k:
        op = rng.choice(OPERATIONS)
        if op not in ops and (DOMAIN_OF_ACTION[op] not in {DOMAIN_OF_ACTION[o] for o in ops} or rng.random() < 0.25):
            ops.append(op)
    return ops


def _step(op: str, slots: dict[str, Val], rng: random.Random, as_command: bool) -> list[Segment] | None:
    if as_command:
        return command(LEXICON[op], slots, rng, Ctx(op), bare=True)
    return g.clause(LEXICON[op], slots, rng, front_ok=False)


def make_multi(joiner: str, wrap: str, pool: DiversePool, rng: random.Random, step_ok: StepOk):
    """A ``multi`` request: 2-3 steps (sometimes linked by a shared value) joined as ``joiner`` says."""
    k = 3 if rng.random() < 0.3 else 2
    shell = joiner == "shell"
    if rng.random() < 0.35:
        first, second, s1, s2 = rng.choice(LINKS)
        ops = [first, second] + (_pick_ops(1, rng) if k == 3 else [])
        ops = list(dict.fromkeys(ops))
    else:
        first = second = s1 = s2 = None
        ops = _pick_ops(k, rng)
    steps, golds, commands = [], [], []
    step_slots: dict[str, Val] = {}
    for i, op in enumerate(ops):
        as_command = shell or (joiner in ("semicolon", "numbered", "bullets") and rng.random() < 0.15)
        genre = "command" if as_command else "imperative"
        if not step_ok(op, genre) or genre not in genres_of(op):
            return None
        slots = sample_slots(op, pool, rng)
        if i == 1 and first is not None and s1 in step_slots and s2 in slots:
            field = next(iter(slots[s2].gold))
            slots[s2] = _linked_val(step_slots[s1], field, s2, rng, pron_ok=not as_command)
            for other in [n for n in slots if n != s2 and set(slots[n].gold) & set(slots[s2].gold)]:
                del slots[other]  # the linked value now sets that field (a protocol that came with "443/tcp")
        seg = _step(op, slots, rng, as_command)
        if seg is None:
            return None
        steps.append(seg)
        commands.append(as_command)
        golds.append(gold_of(op, slots))
        step_slots = slots
    segs = _join_steps(joiner, steps, commands, rng)
    segs = _wrap_multi(segs, joiner, wrap, rng)
    return finish(segs), {"action": "multi", "steps": golds}


def _join_steps(joiner: str, steps: list[list[Segment]], commands: list[bool], rng: random.Random) -> list[Segment]:
    """Steps joined as ``joiner`` says; commands keep their case, sentences start upper-case in lists."""
    if joiner in ("numbered", "bullets"):
        if joiner == "numbered":
            style = rng.choice(["{i}. ", "{i}) ", "({i}) "])
            sep = rng.choice(["\n", " ", "; "])
        else:
            style = rng.choice(["- ", "* ", "• "])
            sep = "\n"
        out: list[Segment] = []
        for i, (s, is_cmd) in enumerate(zip(steps, commands, strict=True), 1):
            out += ([(sep, False)] if i > 1 else []) + [(style.format(i=i), False)] + (s if is_cmd else g.capitalize(s))
        return out
    if joiner == "shell":
        sep = rng.choice(_SHELL)
        return g.join(*[s for s in steps], sep=sep)
    if joiner == "firstthen":
        if rng.random() < 0.5:
            out = [("first ", False)] + steps[0] + [(", then ", False)] + steps[1]
            return out + ([(", and finally ", False)] + steps[2] if len(steps) > 2 else [])
        out = [("first, ", False)] + steps[0] + [("; second, ", False)] + steps[1]
        return out + ([("; third, ", False)] + steps[2] if len(steps) > 2 else [])
    seps = {"then": _THEN, "semicolon": ["; "], "andalso": _ANDALSO, "plus": _PLUS}[joiner]
    out = list(steps[0])
    for i, s in enumerate(steps[1:], 1):
        sep = rng.choice(_FINALLY if joiner == "then" and i == 2 else seps)
        out += [(sep, False)] + (g.capitalize(s) if sep.rstrip().endswith(".") else s)
    return out


def _wrap_multi(segs: list[Segment], joiner: str, wrap: str, rng: random.Random) -> list[Segment]:
    listed = joiner in ("numbered", "bullets") or (joiner == "shell" and any("\n" in t for t, _ in segs))
    if wrap == "polite":
        return g.join(rng.choice(["Could you please", "Please", "Can you", "Would you"]), g.decapitalize(segs)) + (
            [("?", False)] if rng.random() < 0.5 else []
        )
    if wrap == "ticket":
        ticket_id = _fmt(rng.choice(TICKET_IDS), rng)
        return [(ticket_id + "\n", False)] + segs if listed else g.join(ticket_id, segs)
    if wrap == "context":
        if listed:
            return g.join(rng.choice(_LIST_HEADERS) + "\n", segs, sep="")
        if joiner == "shell":
            return g.join(rng.choice(["run this:", "please execute:", "on the box:"]), segs)
        if rng.random() < 0.5:
            before = rng.choice(CONTEXT_BEFORE)
            return g.join(before, g.decapitalize(segs) if before.endswith((",", ":", "-")) else g.capitalize(segs))
        return g.join(g.capitalize(segs) + [(".", False)], rng.choice(CONTEXT_AFTER))
    if wrap == "urgent":
        return g.join(rng.choice(["URGENT:", "ASAP:", "[urgent]"]), segs)
    return g.capitalize(segs) if joiner != "shell" else segs


# --- clarify -------------------------------------------------------------------------------------------------------
CLARIFY_GENRES = ("imperative", "polite", "chat", "ticket", "runbook", "need", "ansible", "exam", "command", "kv")


def make_clarify(genre: str, wrap: str, pool: DiversePool, rng: random.Random, step_ok: StepOk):
    """A ``clarify`` request: an operation said in ``genre`` with one or more required values left out."""
    ops = [op for op in OPERATIONS if genre in genres_of(op) and step_ok(op, genre)]
    op = rng.choice(ops)
    slots = sample_slots(op, pool, rng)
    required = required_slots(op, slots)
    k = 1 if rng.random() < 0.7 or len(required) == 1 else rng.randint(2, len(required))
    dropped = rng.sample(required, k)
    if "record_type" in dropped and "value" not in dropped:
        return None  # a type that follows from the value is not missing; a missing type alone is not drawn
    if "value" in dropped:
        slots.pop("old", None)
        rt = slots.get("record_type")
        if rt is not None and "record_type" not in dropped:
            if rt.optional and rng.random() < 0.5:
                dropped.append("record_type")
            else:
                slots["record_type"] = Val(rt.surface, rt.gold, rt.key)
    if "record_type" in dropped:
        slots.pop("priority", None)
    lost = [slots.pop(n) for n in dropped]
    missing = missing_fields(op, lost)
    allowed = frozenset(x for x in genres_of(op) if step_ok(op, x))
    segs = render(op, genre, slots, rng, Ctx(op, wrap, tuple(dropped), allowed))
    if segs is None:
        return None
    return segs, {"action": "clarify", "intent": op, "missing": missing}


# --- unknown -------------------------------------------------------------------------------------------------------
_UNKNOWN: dict[str, list[str]] = {
    "question": [
        "What's the difference between a CNAME and an A record?",
        "How does DNS caching work?",
        "What is a samba share exactly?",
        "Why would I pick an EC key over RSA?",
        "What does a smarthost do?",
        "What's a netmask for?",
        "Is {service} TCP or UDP?",
        "What port does {service} use by default?",
        "Which TTL is sensible for {host}?",
        "How long should a TLS cert be valid?",
        "What does guest ok mean in smb.conf?",
        "What is DHCP and do we need it?",
        "Is it safe to expose port {port} to the internet?",
        "Was ist der Unterschied zwischen A- und AAAA-Records?",
        "¿Qué es un registro MX?",
        "c'est quoi un alias mail ?",
        "How many users can a samba share handle?",
        "Does {iface} support jumbo frames?",
        "What's SPF and why do we need it?",
    ],
    "troubleshoot": [
        "{host} stopped resolving this morning, any idea why?",
        "Why can't {user} write to the {share} share?",
        "Mail to {alias} keeps bouncing",
        "The cert on {host} shows as expired in Chrome but we renewed it",
        "{iface} flaps every few minutes, what's going on?",
        "port {port} seems blocked from the office and I don't know why",
        "{user} says login fails with 'account locked'",
        "DNS is slow since the change yesterday",
        "ssh to {host} hangs after the banner",
        "why does {host} resolve to the old IP for some people?",
        "users get permission denied on {path}",
        "the {share} share is super slow today",
        "outgoing mail is stuck in the queue",
        "{user} never got the password reset email",
        "ping to {ip} works but http doesn't",
        "getting SERVFAIL for {host}, help",
    ],
    "other": [
        "Restart the {app} deployment in kubernetes",
        "Scale {app} to {num} replicas",
        "Reboot {host}",
        "Create a new VM with {num} cores",
        "Merge the pull request for {app}",
        "Order a new laptop for {user}",
        "Book the big meeting room tomorrow at {num}",
        "Deploy {app} to production",
        "Clear the redis cache on {host}",
        "Rotate the logs on {host}",
        "Invite {user} to the Slack workspace",
        "Roll back the last release of {app}",
        "Run the backup job on {host} now",
        "Upgrade postgres on {host}",
        "Close ticket {ticket}",
        "Install nginx on {host}",
        "Renew our domain with the registrar",
        "Add {user} to the GitHub org",
        "Restart the printer on floor {num}",
        "Create a Jira project for the {group} team",
        "Send the monthly report to {user}",
        "Renew the Office 365 licence for {user}",
    ],
    "chitchat": [
        "hello, how are you?",
        "thanks!",
        "good morning",
        "tell me a joke",
        "what's the weather like today?",
        "you're awesome",
        "who are you?",
        "what can you do?",
        "ok cool",
        "are you a bot?",
        "lol",
        "how was your weekend?",
        "I'm so tired today",
        "never mind",
        "are you still there?",
        "sorry, wrong chat",
        "thx, that worked",
        "can you speak German?",
        "merci beaucoup !",
        "gracias",
        "danke dir",
        "have a nice evening",
        "happy friday everyone",
    ],
    "lookalike": [
        "Change {user}'s login shell to /bin/zsh",
        "Set a 5 GB quota for {user}",
        "Add a static route to {cidr} via {ip}",
        "Rename the group {group} to {group}-old",
        "Set the MTU of {iface} to 9000",
        "Restart the samba service",
        "Disable IPv6 on {iface}",
        "Change the owner of {path} to {user}",
        "Mount {path} on {host}",
        "Export {path} via NFS",
        "Set the hostname to {host}",
        "Create a VLAN 20 on {iface}",
        "Expire {user}'s password in 30 days",
        "Create a DNS zone for {domain}",
        "Enable DNSSEC for {domain}",
        "Move {user}'s home directory to /data/home",
        "Set up port forwarding from {port} to 8080",
        "Change the primary group of {user} to {group}",
        "Set up a cron job on {host} to clean /tmp",
        "Change the UID of {user} to 2001",
        "Enable the firewall logging",
        "Set the timezone of {host} to Europe/Berlin",
        "Add {host} to the load balancer pool",
    ],
    "report": [
        "list all users",
        "Show me the firewall rules",
        "Who has access to the {share} share?",
        "Which users are in {group}?",
        "When did {user} last log in?",
        "How many DNS records does {domain} have?",
        "When does the certificate for {host} expire?",
        "Is port {port} open on {host}?",
        "Which interfaces does this server have?",
        "Is {user} in the {group} group?",
        "Show the mail aliases",
        "How much space is left on {share}?",
        "Audit who is in the sudo group",
        "Is DHCP enabled on {iface}?",
        "export the user list as CSV",
    ],
}
UNKNOWN_KINDS = ("question", "troubleshoot", "other", "chitchat", "lookalike", "report", "cancel", "howto")
UNKNOWN_WRAPS = {
    "question": ("plain", "context"),
    "troubleshoot": ("plain", "context", "ticket", "urgent"),
    "other": ("plain", "context", "ticket", "urgent"),
    "chitchat": ("plain",),
    "lookalike": ("plain", "context", "ticket"),
    "report": ("plain", "context", "ticket"),
    "cancel": ("plain", "context", "ticket"),
    "howto": ("plain", "context"),
}
_CANCEL = [
    "don't {c}",
    "please don't {c}",
    "no need to {c} anymore",
    "ignore my earlier request to {c}",
    "we decided not to {c}",
    "hold off, do not {c}",
    "never mind, don't {c}",
    "scratch that, no need to {c}",
    "do NOT {c}",
    "cancel the request to {c}",
    "there's no need to {c} after all",
]
_HOWTO = [
    "how do I {c} myself?",
    "what's the command to {c}?",
    "which config file do I edit to {c}?",
    "explain how to {c}",
    "how would I {c} on Ubuntu?",
    "is there a GUI to {c}?",
    "where can I read up on how to {c}?",
]
_APPS = ["payments-api", "frontend", "checkout", "auth-svc", "billing-worker", "search", "webshop", "reporting"]


def _unknown_value(name: str, pool: DiversePool, rng: random.Random) -> str:
    return {
        "user": pool.username,
        "group": pool.group,
        "share": pool.share,
        "host": pool.fqdn,
        "domain": pool.domain,
        "iface": pool.interface,
        "service": pool.service,
        "ip": pool.ipv4,
        "cidr": pool.network,
        "path": pool.path,
        "alias": pool.alias,
        "port": lambda: str(pool.port()),
        "app": lambda: rng.choice(_APPS),
        "num": lambda: str(rng.randint(2, 12)),
        "ticket": lambda: f"INC{rng.randint(1, 9999999):07d}",
    }[name]()


def make_unknown(kind: str, wrap: str, pool: DiversePool, rng: random.Random, step_ok: StepOk):
    """An ``unknown`` request of ``kind``: questions, troubleshooting, other systems, chit-chat, out-of-spec changes,
    reports, cancelled operations ("don't delete bob") and how-to questions about operations."""
    if kind in ("cancel", "howto"):
        ops = [op for op in OPERATIONS if step_ok(op, "imperative")]
        op = rng.choice(ops)
        c = g.clause(LEXICON[op], sample_slots(op, pool, rng), rng, front_ok=False)
        if c is None:
            return None
        frame = rng.choice(_CANCEL if kind == "cancel" else _HOWTO)
        before, _, after = frame.partition("{c}")
        segs = g.capitalize(g.join(before.strip(), c) + ([(after, False)] if after else []))
    else:
        template = rng.choice(_UNKNOWN[kind])
        values: dict[str, Val] = {}
        for name in dict.fromkeys(g.PLACEHOLDER.findall(template)):  # text order: a set's order varies by process
            values[name] = Val(_unknown_value(name, pool, rng))
        segs = g.fill(template, values)
        if kind == "chitchat" and rng.random() < 0.3:
            segs = g.join(rng.choice([x for x in CHAT_GREET if x]) + ",", segs)
    if wrap == "context":
        segs = (
            g.join(rng.choice(CONTEXT_BEFORE), g.capitalize(segs))
            if rng.random() < 0.5
            else g.join(segs, rng.choice(CONTEXT_AFTER))
        )
    elif wrap == "ticket":
        segs = g.join(_fmt(rng.choice(TICKET_IDS), rng), segs)
    elif wrap == "urgent":
        segs = g.join(rng.choice(["URGENT:", "ASAP:", "[urgent]"]), segs)
    return finish(segs), {"action": "unknown"}
