"""The rule-based last step of grounded decoding, after the JSON is complete (``LlamaCppPredictor.finish``).

In order: the flags of a userdel / usermod / gpasswd request pick among the actions the model chose between
(:mod:`.command_flags`); an MX record typed in zone-file syntax takes its preference and TTL by position
(:mod:`.zone_syntax`); an A/AAAA record whose value is no address of its family takes the request's one address
(:mod:`.address_family`); a full name that only repeats the login is no full name; a required value that fills nothing
gives ``clarify`` (:mod:`.unfilled`), and so does one the request does not give on its own, made up where grounding
gave way or borrowed from another slot's mention (:mod:`.not_given`). Each reads only the parsed answer and the
request, so they can be re-applied to saved raw outputs (:func:`microllm.evaluate.refinish`).
"""

from __future__ import annotations

from microllm.backends.address_family import address_family
from microllm.backends.command_flags import command_flags
from microllm.backends.not_given import clarify_not_given
from microllm.backends.unfilled import clarify_unfilled
from microllm.backends.zone_syntax import mx_priority

# Bumped whenever a check changes what it returns: a grounded score recorded under another version is stale
# (microllm.compare does not reuse it; microllm.evaluate.refinish brings saved outputs up to this one).
# 1: slot names give clarify. 2: + command flags, MX zone syntax, echoed full names, commands, interface
# descriptors and function words. 3: + values not given on their own (made up, or borrowed from another's mention).
# 4: + an A/AAAA record's address family.
FINISH_VERSION = 4


def _echo(step: dict) -> dict:
    name, login = step.get("full_name"), step.get("username")
    if step.get("action") != "user_add" or not isinstance(name, str) or not isinstance(login, str):
        return step
    return {k: v for k, v in step.items() if k != "full_name"} if name.strip().lower() == login.lower() else step


def drop_echoed_full_name(intent: dict | None) -> dict | None:
    """``intent`` without a ``full_name`` that is only the ``username`` again (itself when there is none)."""
    if intent and intent.get("action") == "multi" and isinstance(intent.get("steps"), list):
        steps = [_echo(s) if isinstance(s, dict) else s for s in intent["steps"]]
        same = all(a is b for a, b in zip(steps, intent["steps"], strict=True))
        return intent if same else {**intent, "steps": steps}
    return _echo(intent) if intent else intent


def finish_grounded(intent: dict, text: str) -> dict:
    """``intent`` after the grounded checks (itself when none changes it)."""
    checked = drop_echoed_full_name(address_family(mx_priority(command_flags(intent, text), text), text))
    return clarify_not_given(clarify_unfilled(checked), text)
