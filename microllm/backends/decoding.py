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


def confidence(pieces: Sequence[str], logprobs: Sequence[float]) -> float:
    """Probability of the least likely *value* token (all tokens when no value token is found).

    ``pieces`` are the generated tokens' texts, in order; ``logprobs`` their log-probabilities under the model's
    own (unconstrained) distribution, so a value the grammar forced but the model doubted still scores low.
    """
    if not logprobs:
        return 0.0
    mask = value_char_mask("".join(pieces))
    picked, pos = [], 0
    for piece, lp in zip(pieces, logprobs, strict=True):
        if any(mask[pos : pos + len(piece)]):
            picked.append(lp)
        pos += len(piece)
    return math.exp(min(picked or logprobs))
