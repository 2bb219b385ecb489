"""A full name that only repeats the login is no full name.

"sudo useradd --create-home femi" names no one: a model that has seen many ``user_add`` answers with a
``full_name`` writes ``"full_name": "Femi"`` there, the login again. Such a ``full_name`` (the same as the
``username``, case and surrounding spaces aside) is dropped, in a one-step answer and in each step of a ``multi``.
"""

from __future__ import annotations


def _echo(step: dict) -> dict:
    name, login = step.get("full_name"), step.get("username")
    if step.get("action") != "user_add" or not isinstance(name, str) or not isinstance(login, str):
        return step
    return {k: v for k, v in step.items() if k != "full_name"} if name.strip().lower() == login.lower() else step


def drop_echoed_full_name(intent: dict | None, request: str = "") -> dict | None:
    """``intent`` without a ``full_name`` that is only the ``username`` again (itself when there is none).

    ``request`` is not read: the answer alone shows the echo; it is taken so the function is an intent rule."""
    if intent and intent.get("action") == "multi" and isinstance(intent.get("steps"), list):
        steps = [_echo(s) if isinstance(s, dict) else s for s in intent["steps"]]
        same = all(a is b for a, b in zip(steps, intent["steps"], strict=True))
        return intent if same else {**intent, "steps": steps}
    return _echo(intent) if intent else intent
