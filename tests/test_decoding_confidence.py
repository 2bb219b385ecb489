"""Confidence is the least likely value token's probability; with decisions, also the go-on/stop tokens'."""

import math

import pytest

from microllm.backends.decoding import confidence, decision_chars, value_char_mask


def _marks(mask):
    return "".join("^" if m else " " for m in mask)


def test_values_and_decisions_are_found_outside_keys_and_strings():
    text = '{"a": "x,}\\"y", "n": [1, 20]}'
    assert _marks(value_char_mask(text)) == "       ^^^^^^         ^  ^^  "
    assert _marks(decision_chars(text)) == "              ^        ^   ^^"


def test_decisions_see_a_doubted_stop_that_values_miss():
    pieces = ['{"', "action", '":', ' "', "user_add", '",', ' "', "username", '":', ' "', "aylin", '"}']
    logprobs = [0.0] * len(pieces)
    logprobs[-1] = math.log(0.55)  # the model nearly went on to write full_name
    logprobs[2] = math.log(0.01)  # a key's punctuation: dictated by the schema, never counted
    assert confidence(pieces, logprobs) == pytest.approx(1.0)
    assert confidence(pieces, logprobs, decisions=True) == pytest.approx(0.55)
    assert confidence([], []) == 0.0
    assert confidence(["{}"], [math.log(0.5)]) == pytest.approx(0.5)  # no value token: all tokens
