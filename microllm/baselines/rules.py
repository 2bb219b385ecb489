"""`rules` baseline: a keyword router plus hand-written regex slot extraction.

The router looks for object keywords that pick a *domain* (firewall, network, samba, users,
dns, ...) and then for verb keywords that pick the action inside it. The extractor
(:mod:`slots_actions`) fills that action's fields; a required field it cannot find turns the
answer into the spec's ``clarify`` intent. Chained requests ("X and Y", "X, then Y") are split
into clauses and become ``multi``.

Public API: :func:`route`, :func:`extract`, :func:`predict_intent` and :class:`RulesPredictor`
(registered as ``"rules"``). The ``classic`` baseline reuses :func:`extract` for its slots.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from microllm.baselines.slots import clean, find_hosts, find_ips
from microllm.baselines.slots_actions import EXTRACTORS, IFACE_RE, SERVICES, mask_quotes
from microllm.baselines.slots_rewrite import rewrite
from microllm.predictors import register
from microllm.predictors.base import Predictor
from microllm.schema import MODEL_BY_ACTION, OPERATIONS, IntentError, required_fields, validate_intent

UNKNOWN = {"action": "unknown"}
ONE_OF = {  # spec: "exactly one of A / B"; when both are absent, clarify names A
    "share_grant_access": ("username", "group"),
    "share_revoke_access": ("username", "group"),
    "fw_allow": ("port", "service"),
    "fw_deny": ("port", "service"),
    "fw_remove": ("port", "service"),
}


def _any(words: str) -> str:
    """Regex for any of the "|"-separated ``words`` (each may be a small regex) as whole words."""
    return rf"\b(?:{words})\b"


def _v(words: str) -> str:
    """Like :func:`_any`, also matching inflections ("allow" matches "allows", "allowed", "allowing")."""
    return rf"\b(?:{words})(?:s|es|ed|d|ing)?\b"


# --- request-level cues ----------------------------------------------------------------------------
_QUESTION = re.compile(
    _any(
        "why|how|what|what's|whats|when|where|who|which|whose|is|are|was|were|does|do|did|should|shall|"
        "explain|describe|tell me|help me understand|any idea|i wonder|is there|are there|can i|could i|"
        "list|show|display|print|hello|hi|thanks|thank you|good morning"
    ),
    re.I,
)
_TROUBLE = re.compile(
    _any(
        "not working|doesn't work|does not work|broken|fails?|failing|failed|error|can't|cannot|won't|"
        "unable|issue|problem|keeps|stopped|slow|help"
    ),
    re.I,
)
# Requests for systems the intents do not cover go to the general model ("unknown").
_OTHER_SYSTEMS = re.compile(
    _any(
        "kubernetes|k8s|kubectl|virtual machines?|cron ?jobs?|crontab|nginx|apache|jenkins|github|gitlab|aws|"
        "azure|gcp|s3|wordpress|jira|slack|active directory|wi-?fi|kernel|apt|yum|pip|npm|systemctl|"
        "reboot|restart|install|upgrade|deploy|deployment|replicas|pull request|merge|mysql|postgres(?:ql)?|"
        "mariadb|mongodb|docker containers?|docker images?|gmail|outlook|zoom|excel|spreadsheet|rotate the logs"
    ),
    re.I,
)
HOST_MASK = re.compile(r"\S+\.\S+")  # host names and IPs, so "vpn.example.com" is no "vpn" system
_LOOKUP = re.compile(
    _any("look\\s*up|lookup|resolve|nslookup|dig|query|check the dns|check dns|resolves to")
    + r"|\bwhat(?:'s|\s+is|\s+are)\s+the\s+(?:current\s+)?(?:ip|ipv4|ipv6|address|ip address|a|aaaa|mx|"
    r"cname|txt|ns|dns|mail server|\w+ record|records?)s?\b[^?]*?\b(?:of|for)\b"
    r"|\bwhat\s+(?:ip|ipv6|address|ip address)\b|\bwhat does\s+\S+\s+(?:resolve|point)"
    r"|\b(?:show|get|find|display|tell me|give me|fetch)\s+(?:me\s+)?(?:the\s+)?(?:dns|ip|ipv6|address|"
    r"ip address|\w+\s+records?|records?)\b",
    re.I,
)


# --- the routing table -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Domain:
    """One routing domain: ``detect`` says the request is about it, ``actions`` pick the verb.

    ``actions`` are (action, regex); with ``earliest`` the match that starts first wins (ties by
    table order), otherwise table order is priority. ``default`` applies when no verb matches;
    a domain with no match and no default lets the next domain try.
    """

    name: str
    detect: Callable[[str], bool]
    actions: tuple[tuple[str, str], ...] = ()
    earliest: bool = True
    default: str | None = None
    strength: float = 1.0


def _has(pattern: str) -> Callable[[str], bool]:
    rx = re.compile(pattern, re.I)
    return lambda t: bool(rx.search(t))


_NS_KW = _any("name ?servers?|dns servers?|dns resolvers?|resolvers?|resolv\\.conf")
_DNS_TO_IP = r"\b(?:set|use|change|point|configure|update)\b[^.]*\bdns\b[^.]*\d|\bdns\b[^.]*\bto\s+\d"
_RECORD_WORDS = _any("records?|entry|entries|cname|mx|txt|aaaa|ptr|srv|alias")


def _is_nameservers(t: str) -> bool:
    """ "nameservers"/"resolvers", or "set DNS to 1.1.1.1" (DNS pointed at an IP, no record in sight)."""
    if re.search(_NS_KW, t, re.I):
        return True
    return bool(re.search(_DNS_TO_IP, t, re.I) and find_ips(t) and not re.search(_RECORD_WORDS, t, re.I))


_RELAY_KW = _any(
    "relay\\s*host|relay|relayed|relaying|smart\\s*host|relayhost|outgoing mail server|"
    "outbound (?:mail|smtp)(?: server)?|upstream smtp|smtp server"
)
_SHARE_KW = (
    r"\bshares?\b|\bshared\s+folders?\b|\bstop sharing\b|\bunshare\b|\baccess\b|\bno longer see\b|\bover samba\b"
    r"|^export\s+/"
)
_CERT_KW = _any("certs?|certificates?|tls|ssl|x\\.?509|csr")
_FW_KW = r"\bports?\s*#?\d|\b\d{1,5}\s*/\s*(?:tcp|udp)\b|" + _any(
    "tcp|udp|firewall|iptables|ufw|firewalld|nftables|traffic|connections?|incoming|inbound|ingress|packets|rules?"
)
_FW_VERB = _v("open|allow|permit|accept|unblock|whitelist|expose|block|deny|close|reject|disallow|forbid|ban|blacklist")
_NOT_FW_OBJECTS = _any("shares?|users?|accounts?|groups?|members?|certs?|certificates?")
_NET_KW = _any(
    "interfaces?|nic|dhcp|network card|adapter|static ip|static address|"
    "(?:set|configure|assign|change)\\s+(?:the\\s+|a\\s+)?(?:ip\\s+)?address"
)
_DNS_KW = _any(
    "dns|records?|entry|entries|cname|mx|aaaa|txt|ptr|srv|caa|a\\s+record|host ?name|zone|alias|mail server|"
    "mail exchanger|ns record"
)
_USER_KW = _any(
    "users?|accounts?|logins?|user ?names?|groups?|passwords?|passwd|passphrase|pwd|pw|members?|"
    "membership|sudoers|wheel|sudo|home\\s+(?:dir|directory|folder)"
)
_BARE_USER_CMD = (
    r"^(?:add|put|remove|delete|drop|take|kick|lock(?:\s+out)?|unlock|disable|enable)\s+(?!(?:it|this|that)\b)\S+"
    r"(?:\s+(?:to|into|in|from|out of)\s+\S+)?$"
)
_PW_WORD = r"(?=.*\b(?:password|passwd|passphrase|pwd|pw)\b)"
_USER_NOUN = r"(?:a\s+|an\s+|the\s+)?(?:new\s+)?(?:local\s+|system\s+|linux\s+|unix\s+|service\s+)?"
_USER_NOUN += r"(?:user|account|login)s?\b"


def _is_cert(t: str) -> bool:
    return bool(re.search(_CERT_KW, t, re.I)) and not re.search(r"\bports?\s*\d", t, re.I)


def _is_firewall(t: str) -> bool:
    """Firewall words (port N, 443/tcp, firewall, traffic), or an allow/block verb with a service name."""
    if re.search(_FW_KW, t, re.I):
        return True
    service = re.search(_FW_VERB, t, re.I) and re.search(rf"\b(?:{SERVICES})\b", t, re.I)
    return bool(service) and not re.search(_NOT_FW_OBJECTS, t, re.I)


def _is_network(t: str) -> bool:
    return bool(IFACE_RE.search(t) or re.search(_NET_KW, t, re.I))


def _is_mail_alias(t: str) -> bool:
    """Mail forwarding, or an alias that is not a DNS alias (a DNS alias names two hosts or says "dns")."""
    mail = r"\b(?:(?:e-?)?mails?|messages)\b"
    verbs = r"\b(?:forward\w*|redirect\w*|deliver\w*|go(?:es)?\s+to|receive)\b"
    if re.match(r"forward\s+\S+\s+to\s+\S+$", t, re.I):
        return True  # "forward abuse to bob"
    if re.search(_any("records?|cname|mx|txt|aaaa|dns"), t, re.I):
        return False  # "mail for x should be delivered to mx1.x, add the MX record" is DNS
    if re.search(rf"\bforward\w*\b.*{mail}|{mail}.*{verbs}|\breceive\b.*{mail}", t, re.I):
        return True
    if not re.search(r"\balias(?:es)?\b", t, re.I):
        return False
    dns_like = re.search(_any("dns|cname|records?|zone"), t, re.I) or len(find_hosts(t)) >= 2
    return bool(re.search(r"@|\b(?:mail|e-?mail|postfix|mailbox|inbox)\b", t, re.I) or not dns_like)


def _is_users(t: str) -> bool:
    return bool(re.search(_USER_KW, t, re.I) or re.search(_BARE_USER_CMD, t, re.I))


def _is_dns_shape(t: str) -> bool:
    """No DNS keyword, but a host name with an IP or a second host ("Point api.local to 10.0.0.9")."""
    hosts = find_hosts(t)
    if not hosts or re.search(_USER_KW, t, re.I):
        return False
    return len(hosts) >= 2 or bool(find_ips(t)) or bool(re.search(_any("point|resolve|map"), t, re.I))


_DNS_ACTIONS = (
    (
        "dns_remove",
        _any("remove|delete|drop|erase|purge|get rid of|destroy|unregister|deregister|clear|rm|del"),
    ),
    (
        "dns_update",
        _any(
            "update|change|modify|re-?point|point|edit|alter|move|switch|redirect|fix|correct|replace|"
            "set(?!\\s+up)(?!.*\\bas\\s+(?:the\\s+|a\\s+)?mail server)"
        ),
    ),
    (
        "dns_add",
        _any("add|create|make|new|set\\s*up|register|insert|put|publish|map|define|establish|needs?|become")
        + r"|\b(?:set|use|make)\b(?=.*\bas\s+(?:the\s+|a\s+|an\s+)?(?:mail server|mail exchanger|mx)\b)",
    ),
)
_FW_ACTIONS = (
    (
        "fw_remove",
        _v("remove|delete|erase|clear|get rid of|undo|drop|take out|discard|eliminate")
        + r"(?=.*\b(?:rules?|exceptions?|entry|opening|firewall|block|allowance)\b)",
    ),
    (
        "fw_deny",
        r"\b(?:don'?t|do not|never)\s+allow\b|"
        + _v("block|deny|denie|close|reject|drop|disallow|forbid|ban|blacklist|prevent|shut|filter|stop"),
    ),
    (
        "fw_allow",
        _v("open|allow|permit|accept|unblock|whitelist|let|expose|pass|enable")
        + r"|\b(?:add|create)\b(?=.*\b(?:rule|exception)\b)(?!.*\b(?:block|deny|reject|drop|close)\w*\b)",
    ),
)
_NET_ACTIONS = (  # priority order: "bring eth0 down" is down although "bring" usually means up
    ("net_set_dhcp", r"\bdhcp\b"),
    ("net_set_address", r"\b\d{1,3}(?:\.\d{1,3}){3}\b|[0-9a-f]*::|\bstatic\b|\baddress\b"),
    ("net_down", _any("down|disable|deactivate|stop|shut|shutdown|turn off|ifdown|offline|disconnect")),
    ("net_up", _any("up|enable|activate|start|turn on|ifup|online|bring|connect")),
)
_SHARE_ACTIONS = (
    (
        "share_revoke_access",
        _v("revoke|withdraw|strip|deny|disallow|take away|lose")
        + r"|\bno longer\b|\b(?:take|kick)\b(?=\s+\S+\s+(?:off|out of)\b)|"
        + _any("remove|delete|drop|kick|take")
        + r"(?=.*\b(?:access|permissions?|rights)\b|.*\bfrom\b.*\bshare)",
    ),
    (
        "share_grant_access",
        _v("give|given|grant|allow|let|permit|provide")
        + r"|\badd\b(?=.*\bto\b.*\bshare)(?!.*\s/)|\b(?:needs?|get|gets|should get|should have)\s+(?:\w+\s+)?access\b",
    ),
    (
        "share_remove",
        _any("remove|delete|drop|destroy|get rid of|unshare|stop sharing|erase|purge|decommission|retire|offline")
        + r"|\bcan go\b",
    ),
    (
        "share_create",
        _v("create|add|make|new|set\\s*up|export|publish|configure|define")
        + r"|^share\s+(?:add\b|/)|^share\b(?=.*\s/)",
    ),
)
_ALIAS_ACTIONS = (
    (
        "mail_alias_remove",
        _any("remove|delete|drop|get rid of|stop forwarding|disable|erase|unalias|destroy|rm|del"),
    ),
    (
        "mail_alias_add",
        _any("add|create|make|new|set\\s*up|forward|point|route|redirect|send|deliver|define"),
    ),
)
_CERT_ACTIONS = (
    ("cert_revoke", _v("revoke|invalidate|cancel|blacklist|distrust|kill|remove|delete|withdraw")),
    ("cert_renew", _v("renew|extend|refresh|re-?issue|prolong|rotate")),
    (
        "cert_create",
        _v("create|issue|generate|make|new|request|add|sign|mint|get|set\\s*up|need|provision|produce"),
    ),
)
_USER_ACTIONS = (  # earliest verb wins; on a tie, the more specific action listed first
    (
        "user_add_to_group",
        r"\bgrant\b(?=.*\bmembership\b)|\badd\b(?=.*\bmembers?\b)|"
        + _v("add|put|include|insert|assign|enroll|place|join")
        + r"(?=.*\b(?:to|in|into)\b.*\b(?:groups?|sudoers|wheel|sudo)\b)|\bmake\b(?=.*\bmembers? of\b)"
        + r"|^(?:add|put|include)\s+(?:user\s+)?\S+\s+(?:to|into|in)\s+(?:the\s+)?[\w.-]+$",
    ),
    (
        "user_remove_from_group",
        _v("remove|delete|drop|kick|take|exclude|expel")
        + r"(?=.*\b(?:from|out of)\b)|^from\s+(?:the\s+)?\S+\s+group\b(?=.*\b(?:remove|delete|drop|kick)\b)"
        + r"|\brevoke\b(?=.*\bgroup membership\b)",
    ),
    (
        "group_add",
        _any("add|create|make|new|set\\s*up|register|define|need")
        + r"(?=\s+(?:a\s+|an\s+|the\s+)?(?:new\s+)?(?:\S+\s+)?groups?\b)",
    ),
    (
        "group_remove",
        _any("remove|delete|drop|destroy|get rid of|erase|purge")
        + r"(?=\s+(?:the\s+|that\s+|this\s+)?(?:\S+\s+){0,2}groups?\b)",
    ),
    (
        "user_add",
        _any("add|create|make|set\\s*up|setup|register|provision|onboard|need")
        + rf"(?=\s+{_USER_NOUN})|\bnew\s+(?:user|account|login)\b|\bonboard\b"
        + r"|\b(?:add|create)\b(?=\s+\S+\s+as\s+(?:a\s+)?(?:new\s+)?user)"
        + r"|\b(?:set\s*up|create|add)\b(?=\s+\S+\s+\(?(?:with\s+)?(?:the\s+)?(?:password|pw)\b)",
    ),
    (
        "user_set_password",
        _v("set(?!\\s+up)|change|reset|update|modify|assign|give|rotate|new|make")
        + _PW_WORD
        + r"|\bpassword\s+reset\b|\bforgot\b(?=.*\bpassword\b)",
    ),
    ("user_lock", _v("lock|disable|suspend|deactivate|freeze|block|expire")),
    (
        "user_unlock",
        _v("unlock|enable|re-?enable|reactivate|unsuspend|unfreeze|unblock|restore|activate")
        + r"|\blet\b(?=.*\blog\s?in\b)",
    ),
    ("user_remove", _v("remove|delete|drop|destroy|get rid of|erase|purge|deprovision|offboard|userdel")),
)

DOMAINS: tuple[Domain, ...] = (  # tried in order; the first that detects and picks an action wins
    Domain("nameservers", _is_nameservers, default="net_set_nameservers"),
    Domain("relay", _has(_RELAY_KW), default="mail_set_relay"),
    Domain("cert", _is_cert, _CERT_ACTIONS, default="cert_create"),
    Domain("firewall", _is_firewall, _FW_ACTIONS),
    Domain("network", _is_network, _NET_ACTIONS, earliest=False),
    Domain("share", _has(_SHARE_KW), _SHARE_ACTIONS),
    Domain("mail_alias", _is_mail_alias, _ALIAS_ACTIONS, default="mail_alias_add"),
    Domain("dns", _has(_DNS_KW), _DNS_ACTIONS),
    Domain("users", _is_users, _USER_ACTIONS),
    Domain("dns_shape", _is_dns_shape, _DNS_ACTIONS, strength=0.8),
)


def _pick(domain: Domain, t: str) -> str | None:
    """The action inside ``domain`` whose verb pattern matches (earliest, or first in table order)."""
    best: tuple[int, int, str] | None = None
    for order, (action, pattern) in enumerate(domain.actions):
        m = re.search(pattern, t, re.I)
        if m:
            if not domain.earliest:
                return action
            key = (m.start(), order, action)
            best = key if best is None or key < best else best
    return best[2] if best else domain.default


def _starts_with_verb(t: str) -> bool:
    return bool(re.match(rf"(?:{_OP_VERBS})\b", t, re.I))


def route_scored(text: str) -> tuple[str, float]:
    """(action, strength): the routed action and a heuristic strength in [0, 1]."""
    t = mask_quotes(rewrite(clean(text)))
    if not re.search(r"[^\W\d_]", t):
        return "unknown", 0.9
    if _LOOKUP.search(t) and not re.search(r"\b(?:how|why)\b|\bresolves?\s+(?:to\s+\d|as\b)|should\s+resolve", t, re.I):
        if find_hosts(t) or re.search(r"\b(?:host|hostname|of|for)\s+[a-z0-9-]+", t, re.I):
            return "dns_lookup", 0.9
        if re.match(r"(?:look\s*up|lookup|resolve|nslookup|dig|query)\b", t, re.I):
            return "dns_lookup", 0.9  # an imperative lookup without a name: clarify asks for it
    if _QUESTION.match(t) or (_TROUBLE.search(t) and not _starts_with_verb(t)):
        return "unknown", 0.9
    for domain in DOMAINS:
        if domain.detect(t):
            action = _pick(domain, t)
            if action is None:
                continue
            if domain.name != "firewall" and _OTHER_SYSTEMS.search(HOST_MASK.sub(" ", t)):
                return "unknown", 0.7
            return action, domain.strength
    return "unknown", 0.6


def route(text: str) -> str:
    """The action a request asks for: an operation of ``schema.OPERATIONS`` or "unknown"."""
    try:
        return route_scored(text)[0]
    except Exception:  # the router must never take a batch down
        return "unknown"


# --- multi: clause splitting ------------------------------------------------------------------------
_OP_VERBS = (
    r"add|create|make|set|remove|delete|drop|update|change|point|lock|unlock|disable|enable|open|allow|permit|"
    r"block|deny|close|reject|give|grant|revoke|issue|renew|generate|bring|configure|assign|put|take|forward|"
    r"use|reset|look|lookup|resolve|register|switch|move|include|kick|start|stop|shut|activate|deactivate|"
    r"suspend|please|also|then|map|modify|restrict|let|new|get"
)
_STRONG_SPLIT = re.compile(
    r"\s*(?:;|\.\s+(?=(?-i:[A-Z]))|\s*:\s+(?=(?:{v})\b)|,?\s+and\s+then\s+|,?\s+then\s+|,?\s+after\s+that,?\s+|,?\s+afterwards,?\s+|"
    r",?\s+and\s+also\s+|,?\s+also\s+|,?\s+as\s+well\s+as\s+|,?\s+plus\s+|,?\s+but\s+|,?\s+and\s+finally\s+|"
    r"\s+\+\s+|,\s*so\s+|\s*&&\s*)\s*".replace("{v}", _OP_VERBS),
    re.I,
)
# "and" / a comma only splits when an operation verb follows: "1.1.1.1 and 8.8.8.8" stays whole.
_WEAK_SPLIT = re.compile(
    rf"(?:,?\s+and\s+|,\s+|\s+&\s+)(?=(?:{_OP_VERBS})\b)"
    r"|,?\s+and\s+(?=(?:a|an)\s+(?:cname|a record|aaaa|mx|txt|ptr)\b)",  # "add A x -> ip and a CNAME y ..."
    re.I,
)
# Pieces that only qualify the previous step ("... and delete his home directory").
_CONTINUATION = re.compile(r"^\w+\s+(?:(?:his|her|their|its|the)\s+)?home\b|^(?:keep|leave)\b", re.I)


def split_clauses(text: str) -> tuple[str, list[str]]:
    """(prefix, clauses): the clauses of a chained request in order, and any leading context.

    A piece that routes to no operation is merged back into the previous clause ("create
    share x at /srv/x and make it read-only" stays one clause); leading ones ("Zoë starts
    today; ...") form the prefix, which only the first clause's extraction sees.
    """
    pieces = [p for s in _STRONG_SPLIT.split(text) for p in _WEAK_SPLIT.split(s)]
    prefix, clauses = [], []
    for piece in (p.strip(" ,.") for p in pieces):
        if not piece:
            continue
        if clauses and re.match(r"(?:a|an)\s", piece, re.I):  # verb gapping: "add X and a CNAME Y"
            piece = f"{clauses[-1].split()[0]} {piece}"
        if route(piece) == "unknown" or (clauses and _CONTINUATION.search(piece)):
            if clauses:
                clauses[-1] = f"{clauses[-1]} and {piece}"
            else:
                prefix.append(piece)
            continue
        clauses.append(piece)
    return ", ".join(prefix), clauses


def _resolve_pronouns(clause: str, prev: dict) -> str:
    """Replace him/her/them/his/it with what the previous step named (rule 3's "add him to ...")."""
    user = prev.get("username")
    if user:
        owner = r"(?=\s+(?:new\s+)?(?:password|account|home|access|membership|login))"
        clause = re.sub(r"\b(?:his|their)\b", f"{user}'s", clause, flags=re.I)
        clause = re.sub(rf"\bher{owner}", f"{user}'s", clause, flags=re.I)
        clause = re.sub(r"\b(?:him|her|them)\b", user, clause, flags=re.I)
        clause = re.sub(r"\bthe\s+(?:new\s+)?user\b(?!\s+\w)", f"user {user}", clause, flags=re.I)
    obj = None
    if prev["action"] == "group_add":
        obj = f"the {prev['group']} group"
    elif prev["action"] == "share_create":
        obj = f"the {prev['name']} share"
    elif prev["action"] in ("dns_add", "dns_update") or prev["action"].startswith("cert_"):
        obj = prev.get("name") or prev.get("common_name")  # "... and a CNAME y pointing to it"
    if obj:
        that = r"\b(?:it|(?:that|the|this)\s+(?:group|share|name|host))\b"
        clause = re.sub(that, obj, clause, flags=re.I)
    return clause


def _steps(prefix: str, clauses: list[str]) -> list[dict]:
    """One intent per clause, in order (clarify where a step stays incomplete).

    Pronouns and implicit objects come from earlier steps; a clause with nothing of its own that
    context cannot complete ("..., please add the record") only qualifies the previous clause.
    """
    texts: list[str] = []
    steps: list[dict] = []
    for clause in clauses:
        clause = rewrite(clause)
        if not texts and prefix:
            clause = f"{prefix}, {clause}"
        action = route(clause)
        if action not in OPERATIONS:
            return [dict(UNKNOWN)]
        fields = _fields(_resolve_pronouns(clause, steps[-1]) if steps else clause, action)
        step = _complete(_with_context(fields, steps))
        if steps and len(fields) == 1 and step["action"] == "clarify":
            texts[-1] = f"{texts[-1]} and {clause}"
            steps[-1] = _operation(texts[-1], route(texts[-1]))
            continue
        texts.append(clause)
        steps.append(step)
    return steps


_CONTEXT = {  # a field a later step may leave implicit ("... and revoke the cert"): where earlier steps hold it
    "username": ("username",),
    "name": ("name", "common_name"),
    "common_name": ("common_name", "name"),
    "share": ("share", "name"),
    "group": ("group",),
}


def _with_context(intent: dict, previous: list[dict]) -> dict:
    """Required fields a later step leaves implicit, taken from earlier steps ("... and revoke the cert")."""
    for field in _missing(intent):
        value = next((p[k] for p in reversed(previous) for k in _CONTEXT.get(field, ()) if k in p), None)
        if value is not None:
            intent = {**intent, field: value}
    return intent


def _interpret(text: str) -> tuple[dict, float]:
    """(intent, router strength) for rewritten request text: a multi, or one routed operation."""
    prefix, clauses = split_clauses(text)
    if len(clauses) >= 2:
        steps = _steps(prefix, clauses)
        incomplete = [s for s in steps if s["action"] in ("clarify", "unknown")]
        if incomplete:
            return incomplete[0], 0.8  # a multi holds operations only: ask about the first incomplete step
        if len(steps) >= 2:
            return {"action": "multi", "steps": steps}, 0.8
        return steps[0], 0.9
    action, strength = route_scored(text)
    if action == "unknown" and clauses:  # "Until further notice, lock bob": the clause alone routes
        action, strength = route_scored(clauses[0])
    return _operation(text, action), strength


# --- extraction ----------------------------------------------------------------------------------------
def _fields(text: str, action: str) -> dict:
    """The intent fields that extraction finds for ``action`` (required ones may be missing)."""
    found = EXTRACTORS[action](text, action)
    fields = MODEL_BY_ACTION[action].model_fields
    intent = {"action": action}
    for key, value in found.items():
        if key in fields and key != "action" and value not in (None, "", []):
            intent[key] = value
    a, b = ONE_OF.get(action, (None, None))
    if a in intent and b in intent:
        del intent[b]  # "exactly one of": keep the spec's first choice
    return intent


def _missing(intent: dict) -> list[str]:
    a, b = ONE_OF.get(intent["action"], (None, None))
    return sorted(f for f in required_fields(intent["action"]) if f not in intent and not (f == a and b in intent))


def _complete(intent: dict) -> dict:
    """The intent itself when it has every required field, else the spec's ``clarify``."""
    missing = _missing(intent)
    return {"action": "clarify", "intent": intent["action"], "missing": missing} if missing else intent


def _operation(text: str, action: str) -> dict:
    """Extract ``action``'s fields from ``text``; ``clarify`` when a required field is missing."""
    return _complete(_fields(text, action)) if action in OPERATIONS else dict(UNKNOWN)


def _safe(intent: dict) -> dict:
    """The intent normalised by the schema; ``unknown`` if it is not valid (it always should be)."""
    try:
        return validate_intent(intent)
    except IntentError:
        return dict(UNKNOWN)


def extract(text: str, action: str) -> dict:
    """A schema-valid intent for ``text`` assuming the request asks for ``action``.

    Works for every action name: an operation gets its fields (or ``clarify``), "multi" splits
    the request into clauses, "clarify" routes the text and reports what is missing (or gives
    the full intent when nothing is), and "unknown" or an unrecognised name gives
    ``{"action": "unknown"}``. Never raises.
    """
    try:
        t = rewrite(clean(text))
        if action == "multi":
            return _safe(_interpret(t)[0])
        if action == "clarify":
            return _safe(_operation(t, route(t)))
        return _safe(_operation(t, action))
    except Exception:
        return dict(UNKNOWN)


def extract_fields(text: str, action: str) -> dict:
    """The fields extraction finds for the operation ``action`` in ``text``, as a partial intent: required fields
    it cannot find are left out (no ``clarify``), and the values are as extracted, not normalised by the schema
    (a guess of what a model will write, e.g. a decoding draft). Never raises."""
    if action not in OPERATIONS:
        return {"action": action}
    try:
        return _fields(rewrite(clean(text)), action)
    except Exception:
        return {"action": action}


def predict_intent(text: str) -> tuple[dict, float]:
    """The rules baseline end to end: (schema-valid intent, heuristic confidence in [0, 1]).

    The confidence is a hand-set heuristic, not a calibrated probability: the router's
    strength (1.0 for a keyword-domain match, 0.9 for a lookup or a question, 0.8 for a
    shape-only DNS guess, 0.6-0.7 for other unknowns; 0.8 for a multi), halved for a clarify.
    """
    try:
        intent, conf = _interpret(rewrite(clean(text)))
        intent = _safe(intent)
        if intent["action"] == "clarify":
            conf *= 0.5
        return intent, round(conf, 3)
    except Exception:
        return dict(UNKNOWN), 0.0


@register("rules")
class RulesPredictor(Predictor):
    """Keyword router + regex slot extraction; no training, no model files."""

    name = "rules"

    def generate(self, text: str) -> tuple[str, float | None]:
        """JSON of :func:`predict_intent` and its heuristic confidence."""
        intent, confidence = predict_intent(text)
        return json.dumps(intent, ensure_ascii=False), confidence
