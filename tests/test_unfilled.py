"""A required value that is only its slot's name gives clarify; no gold answer is such a value."""

import pytest

from microllm.backends.unfilled import SLOT_WORDS, clarify_unfilled, unfilled
from microllm.data.generate import split_rows
from microllm.predictors.base import Predictor


def test_slot_names_become_clarify_and_real_values_stay():
    got = clarify_unfilled({"action": "user_remove_from_group", "username": "yuki.s", "group": "group"})
    assert got == {"action": "clarify", "intent": "user_remove_from_group", "missing": ["group"]}
    pw = clarify_unfilled({"action": "user_set_password", "username": "yuki.s", "password": "Password"})
    assert pw == {"action": "clarify", "intent": "user_set_password", "missing": ["password"]}
    both = {"action": "share_grant_access", "share": "share", "username": "user"}
    assert unfilled(both) == ["share", "username"]  # sorted, as the spec writes `missing`
    real = {"action": "user_add_to_group", "username": "groupadmin", "group": "groups-dev"}
    assert clarify_unfilled(real) is real
    optional = {"action": "user_add", "username": "john", "full_name": "user"}  # only required slots count
    assert clarify_unfilled(optional) is optional
    multi = {
        "action": "multi",
        "steps": [{"action": "group_add", "group": "group"}, {"action": "group_add", "group": "devs"}],
    }
    assert clarify_unfilled(multi) is multi and clarify_unfilled(None) is None


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_no_gold_value_of_any_template_is_a_slot_name(split):
    rows = split_rows(split, seed=5, fresh=0.3 if split == "train" else 0.0)
    hit = [r["output"] for r in rows if unfilled(r["output"])]
    assert not hit, hit[:3]
    assert all(w == w.lower() for words in SLOT_WORDS.values() for w in words)


class _Canned(Predictor):
    name = "canned"

    def __init__(self, raw: str):
        self.raw = raw

    def generate(self, text):
        return self.raw, 0.9

    def finish(self, intent, text):
        return clarify_unfilled(intent)


def test_a_predictors_finish_step_is_validated_and_keeps_the_raw_text():
    raw = '{"action": "cert_create", "common_name": "cert"}'
    p = _Canned(raw).predict("Could you generate an RSA 2048-bit cert?")
    assert p.intent == {"action": "clarify", "intent": "cert_create", "missing": ["common_name"]}
    assert p.raw == raw and p.confidence == 0.9 and p.error is None
    bad = _Canned('{"action": "cert_create"}').predict("x")  # invalid before finish: still reported, not raised
    assert bad.intent is None and bad.error
