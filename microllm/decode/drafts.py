"""Drafters: cheap guesses of a request's whole answer that :func:`microllm.decode.decode` checks in the forward
pass it runs anyway (greedy decoding keeps only what the model itself would have written, so a drafter changes
passes, not answers).

A drafter is called with the request and the answer written so far. The rule baseline drafts its own answer first;
once the model has written an operation the rules did not choose, it drafts that operation's fields as the rules
would extract them; once the model has written a value of its own, the fields it has finished are kept and the
guess goes on with the rules' remaining ones, so the rest of the answer can still be checked in one pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache

Drafter = Callable[[str, str], str | None]

DRAFTERS = ("rules", "none")

_WRITTEN = re.compile(r'^\{"action": "([a-z_]+)"')
_FIELD_END = re.compile(r', "')  # where a finished field of a single operation ends


@lru_cache(maxsize=256)
def _rules_guess(request: str, action: str | None) -> str:
    """The rules' answer (``action`` None), or their answer for ``action``: the whole intent where extraction finds
    every required field, else the fields it finds (a ``clarify`` would not be what the model is writing)."""
    from microllm.baselines.rules import extract, extract_fields, predict_intent
    from microllm.json_schema import ordered_json

    if action is None:
        return ordered_json(predict_intent(request)[0])
    intent = extract(request, action)
    return ordered_json(intent if intent["action"] == action else extract_fields(request, action))


def _finished_fields(written: str) -> dict | None:
    """The fields of a single operation that ``written`` (a partial answer) has finished, or None."""
    for end in reversed([m.start() for m in _FIELD_END.finditer(written)]):
        try:
            fields = json.loads(written[:end] + "}")
        except ValueError:
            continue
        return fields if isinstance(fields, dict) and "action" in fields else None
    return None


def _resume(guess: dict, written: str) -> str | None:
    """``guess`` continued after what ``written`` finished: its fields, then the guess's fields that come later in
    the order the model writes them."""
    from microllm.json_schema import key_order, ordered_json

    done = _finished_fields(written)
    if not done or done.get("action") != guess.get("action") or "steps" in guess:
        return None
    order = key_order({**guess, **done})
    last = max(order.index(k) for k in done if k in order)
    rest = {k: v for k, v in guess.items() if k not in done and k in order and order.index(k) > last}
    return ordered_json({**done, **rest})


def _operation_guess(request: str, written: str) -> str | None:
    """A guess of one operation object that begins with ``written`` (its text so far, naming the operation)."""
    chosen = _WRITTEN.match(written)
    if not chosen:
        return None
    guess = _rules_guess(request, chosen.group(1))
    return guess if guess.startswith(written) else _resume(json.loads(guess), written)


def rules_draft(request: str, written: str = "") -> str | None:
    """The rule baseline's answer, written in the key order and spacing the model was trained on; once ``written``
    names an operation the rules did not choose, that operation's fields as the rules extract them; once it has
    finished fields of its own, those and the rules' later ones. Inside a ``multi`` the same holds for the step
    being written, guessed to be the last one."""
    first = _rules_guess(request, None)
    if first.startswith(written):
        return first
    if written.startswith('{"action": "multi", "steps": ['):
        start = written.rfind('{"action": "')
        step = _operation_guess(request, written[start:]) if start > 0 else None
        return written[:start] + step + "]}" if step else None
    return _operation_guess(request, written)


def drafter(name: str | None) -> Drafter | None:
    """The drafter called ``name`` (``rules``: :func:`rules_draft`; ``none`` or None: no draft)."""
    if name in (None, "", "none"):
        return None
    if name == "rules":
        return rules_draft
    raise ValueError(f"unknown drafter {name!r}: expected one of {', '.join(DRAFTERS)}")
