"""Backend-independent pieces of decoding: where a JSON object ends, and confidence from token probabilities."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def json_object_end(text: str) -> int | None:
    """Index just past the first complete top-level JSON object in ``text`` (braces inside strings ignored).

    Lets an unconstrained model stop as soon as its answer is complete instead of rambling to max_tokens.
    """
    depth, in_string, escaped, started = 0, False, False, False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
            started = True
        elif ch == "}" and started:
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def log_softmax_at(logits, index: int) -> float:
    """log p(index) under softmax(logits), computed stably (numpy: vocabularies reach 262k entries)."""
    x = np.asarray(logits, dtype=np.float64)
    peak = x.max()
    return float(x[index] - peak - np.log(np.exp(x - peak).sum()))


def value_char_mask(text: str) -> list[bool]:
    """True for the characters of JSON *values* (string contents that are not keys, numbers, literals).

    Keys and punctuation are dictated by the schema; the values are where a model can be wrong.
    """
    mask = [False] * len(text)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            j, escaped = i + 1, False
            while j < len(text) and (escaped or text[j] != '"'):
                escaped = text[j] == "\\" and not escaped
                j += 1
            k = j + 1
            while k < len(text) and text[k].isspace():
                k += 1
            if not (k < len(text) and text[k] == ":"):
                mask[i + 1 : j] = [True] * (j - i - 1)
            i = j + 1
        elif ch in "-0123456789tfn":
            j = i
            while j < len(text) and text[j] not in ",]} \n":
                j += 1
            mask[i:j] = [True] * (j - i)
            i = j
        else:
            i += 1
    return mask


def decision_chars(text: str) -> list[bool]:
    """True for the ``,``, ``}`` and ``]`` outside strings: where the model decides to go on or to stop.

    An answer that leaves out a field or a step is wrong at such a character, not at a value."""
    mask, in_string, escaped = [False] * len(text), False, False
    for i, ch in enumerate(text):
        if in_string:
            escaped, in_string = (ch == "\\" and not escaped), (in_string and (escaped or ch != '"'))
        elif ch == '"':
            in_string = True
        elif ch in ",}]":
            mask[i] = True
    return mask


def confidence(pieces: Sequence[str], logprobs: Sequence[float | None], decisions: bool = False) -> float:
    """Probability of the least likely *value* token (all tokens when no value token is found); with
    ``decisions``, of the least likely value or go-on/stop token (:func:`decision_chars`).

    ``pieces`` are the generated tokens' texts, in order; ``logprobs`` their log-probabilities under the model's
    own (unconstrained) distribution, so a value the grammar narrowed but the model doubted still scores low; None
    for a token the grammar forced (no decision, no forward pass of its own).
    """
    if not logprobs:
        return 0.0
    if all(lp is None for lp in logprobs):
        return 1.0  # every token was forced by the grammar: the model decided nothing
    text = "".join(pieces)
    mask = value_char_mask(text)
    if decisions:
        mask = [a or b for a, b in zip(mask, decision_chars(text), strict=True)]
    picked, pos = [], 0
    for piece, lp in zip(pieces, logprobs, strict=True):
        if lp is not None and any(mask[pos : pos + len(piece)]):
            picked.append(lp)
        pos += len(piece)
    return math.exp(min(picked or [lp for lp in logprobs if lp is not None]))


def scan(text: str) -> tuple[list[tuple], tuple | None]:
    """Walk partial JSON: the (key, value, kind, siblings) of every value closed so far, in order, and the open one.

    ``kind`` is "str" or "num"; ``siblings`` are the string values already closed in the same object (an A record's
    ``record_type`` comes before its ``value``). Keys of array items are the array's key.
    """
    closed: list[tuple] = []
    stack: list[dict] = []  # {"arr": bool, "key": str | None, "want_key": bool, "vals": dict}
    i, n = 0, len(text)
    while i < n:
        ch, top = text[i], (stack[-1] if stack else None)
        if ch == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    if j + 1 >= n:
                        break
                    buf.append({"n": "\n", "t": "\t"}.get(text[j + 1], text[j + 1]))
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            s = "".join(buf)
            is_key = top is not None and not top["arr"] and top["want_key"]
            if j >= n:  # still open
                return closed, None if is_key or top is None else (top["key"], s, "str", top["vals"])
            if is_key:
                top["key"], top["want_key"] = s, False
            elif top is not None:
                closed.append((top["key"], s, "str", dict(top["vals"])))
                top["vals"][top["key"]] = s
            i = j + 1
            continue
        if ch in "-0123456789" and top is not None:
            j = i
            while j < n and text[j] in "-+.eE0123456789":
                j += 1
            if j >= n:
                return closed, (top["key"], text[i:j], "num", top["vals"])
            closed.append((top["key"], text[i:j], "num", dict(top["vals"])))
            i = j
            continue
        if ch == "{":
            stack.append({"arr": False, "key": None, "want_key": True, "vals": {}})
        elif ch == "[":
            stack.append({"arr": True, "key": top["key"] if top else None, "want_key": False, "vals": {}})
        elif ch in "}]" and stack:
            stack.pop()
        elif ch == "," and top is not None and not top["arr"]:
            top["want_key"] = True
        i += 1
    return closed, None
