"""The intent rules: the rule-based last step after a backend's answer is parsed, named, versioned and ordered here.

In order: the flags of a userdel / usermod / gpasswd request pick among the actions the model chose between
(:mod:`.command_flags`); an MX record typed in zone-file syntax takes its preference and TTL by position
(:mod:`.zone_syntax`); an A/AAAA record whose value is no address of its family takes the request's one address
(:mod:`.address_family`); a full name that only repeats the login is no full name (:mod:`.echoed_full_name`); a
required value that fills nothing gives ``clarify`` (:mod:`.unfilled`), and so does one the request does not give on
its own, made up where grounding gave way or borrowed from another slot's mention (:mod:`.not_given`). Each reads only
the parsed answer and the request, so they can be re-applied to saved raw outputs (:func:`microllm.evaluate.refinish`).

The registry decides the order: a set of names only chooses which rules run. Later rules read what earlier ones
wrote (the flags of "usermod -r -G usermod lars.e" make the answer a removal before the slot check finds that
"usermod" names no group), so one fixed order is the one that was measured.

A record (a compare arm, an A/B metrics file, an evaluation) says which rules its answers went through with
:func:`rules_signature`, e.g. ``"command_flags@1+zone_syntax@1"``: a score recorded under another signature is stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from microllm.rules.address_family import address_family
from microllm.rules.command_flags import command_flags
from microllm.rules.echoed_full_name import drop_echoed_full_name
from microllm.rules.not_given import clarify_not_given
from microllm.rules.unfilled import clarify_unfilled
from microllm.rules.zone_syntax import mx_priority

Rule = Callable[[dict, str], dict]  # (intent, request) -> the intent, itself when the rule changes nothing


@dataclass(frozen=True)
class IntentRule:
    """One named rule: the function, its version and why it exists.

    ``version`` is bumped whenever what the function returns changes for some input, so that every score recorded
    under the old behaviour is seen as stale (:func:`rules_signature`)."""

    name: str
    apply: Rule
    version: int
    why: str


RULES: dict[str, IntentRule] = {
    r.name: r
    for r in (
        IntentRule("command_flags", command_flags, 1,
                   "a userdel / usermod / gpasswd request means what its flags mean"),
        IntentRule("zone_syntax", mx_priority, 1,
                   "an MX record in zone-file syntax states its preference and TTL by position"),
        IntentRule("address_family", address_family, 1,
                   "an A/AAAA value of the wrong family takes the request's one IP address"),
        IntentRule("echoed_full_name", drop_echoed_full_name, 1,
                   "a full name that only repeats the login is no full name"),
        IntentRule("unfilled", clarify_unfilled, 1,
                   "a required value that only names, describes or commands its slot gives clarify"),
        IntentRule("not_given", clarify_not_given, 1,
                   "a required value the request does not give on its own gives clarify"),
    )
}  # fmt: skip
# Every rule, in the registry's order: what grounded decoding has always finished with, and the recipe's rules.
DEFAULT_RULES: tuple[str, ...] = tuple(RULES)

# Records made before the rules had names carry ``"finish": N``, the version of the one fixed chain of checks these
# rules came from. Version 4 is exactly DEFAULT_RULES, each at version 1; a rule bumped since leaves such records
# stale, as it leaves records of the same signature. Versions 1 to 3 lacked rules and stand for no current signature.
LEGACY_FINISH: dict[int, str] = {
    4: "command_flags@1+zone_syntax@1+address_family@1+echoed_full_name@1+unfilled@1+not_given@1",
}


def _check(names: Iterable[str]) -> tuple[str, ...]:
    names = tuple(names)
    unknown = [n for n in names if n not in RULES]
    if unknown:
        raise ValueError(f"unknown intent rule(s) {', '.join(map(repr, unknown))}; known: {', '.join(RULES)}")
    if len(set(names)) != len(names):
        raise ValueError(f"intent rules named twice: {', '.join(names)}")
    return tuple(n for n in RULES if n in names)  # the registry's order, whatever order they were named in


def resolve_rules(value: str | Iterable[str] | None, ground: bool = False) -> tuple[str, ...]:
    """The rule names a predictor option stands for, in the registry's order.

    ``value``: ``"default"`` (:data:`DEFAULT_RULES`), ``"none"`` or ``""`` (no rules), comma-separated names, or a
    sequence of names. ``None`` means not set: :data:`DEFAULT_RULES` under grounded decoding, which has always
    finished with them, else none. Unknown names raise ValueError listing the known ones."""
    if value is None:
        return DEFAULT_RULES if ground else ()
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "default":
            return DEFAULT_RULES
        if text.lower() in ("", "none"):
            return ()
        value = [n.strip() for n in text.split(",") if n.strip()]
    return _check(value)


def apply_rules(intent: dict, request: str, names: Iterable[str] = DEFAULT_RULES) -> dict:
    """``intent`` after the rules ``names`` (in the registry's order) for ``request``; itself when none changes it."""
    for name in _check(names):
        intent = RULES[name].apply(intent, request)
    return intent


def rules_signature(names: Iterable[str]) -> str:
    """What a record stores for the rules its answers went through: ``name@version`` joined by ``+`` in the
    registry's order (``""`` for none). It changes when a rule is added, removed or bumped."""
    return "+".join(f"{n}@{RULES[n].version}" for n in _check(names))


def signature_names(signature: str) -> tuple[str, ...]:
    """The rule names of a :func:`rules_signature` (versions aside); ValueError for a rule that no longer exists."""
    return _check(part.partition("@")[0] for part in signature.split("+") if part)


def recorded_signature(record: dict) -> str | None:
    """The rules signature a record was made under: its ``"rules"``, else what its legacy ``"finish"`` version stands
    for (:data:`LEGACY_FINISH`; an older version gives ``"finish@N"``, equal to no current signature), else None."""
    if "rules" in record:
        return record["rules"]
    if "finish" in record:
        return LEGACY_FINISH.get(record["finish"], f"finish@{record['finish']}")
    return None


def rules_name_suffix(names: tuple[str, ...], implied: tuple[str, ...] = ()) -> str:
    """A predictor name's suffix for rules other than the ones its other settings imply (``""`` when the same):
    ``":rules=default"``, ``":rules=none"`` or ``":rules=a+b"``. Runs with the implied rules keep their old names
    and result paths."""
    if names == implied:
        return ""
    return ":rules=" + ("default" if names == DEFAULT_RULES else "+".join(names) or "none")
