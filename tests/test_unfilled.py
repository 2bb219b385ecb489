"""A required value that is only its slot's name gives clarify; no gold answer is such a value."""

from pathlib import Path

import pytest

from microllm.data.generate import split_rows
from microllm.data.io import read_jsonl
from microllm.predictors.base import Predictor
from microllm.rules.unfilled import COMMANDS, DESCRIPTORS, SLOT_WORDS, clarify_unfilled, one_edit, unfilled

ROOT = Path(__file__).resolve().parents[1]


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


def test_commands_descriptors_and_function_words_fill_no_slot():
    gpasswd = clarify_unfilled({"action": "user_remove_from_group", "username": "joao.p", "group": "gpasswd"})
    assert gpasswd == {"action": "clarify", "intent": "user_remove_from_group", "missing": ["group"]}
    cert = clarify_unfilled({"action": "cert_create", "common_name": "openssl"})
    assert cert == {"action": "clarify", "intent": "cert_create", "missing": ["common_name"]}
    for word in ["with", "second", "secnod", "sEocnd", "Primary", "wired"]:
        got = clarify_unfilled({"action": "net_up", "interface": word})
        assert got == {"action": "clarify", "intent": "net_up", "missing": ["interface"]}, word
    for real in ["eth0", "ens18", "br0", "wan", "lan", "lo", "wlan0", "bond1"]:
        intent = {"action": "net_up", "interface": real}
        assert clarify_unfilled(intent) is intent, real
    # "sudo" is a real group; "A" a record type, not the article; "new" only describes interfaces
    for intent in [{"action": "user_add_to_group", "username": "ana", "group": "sudo"},
                   {"action": "dns_add", "name": "x.local", "record_type": "A", "value": "10.0.0.1"},
                   {"action": "group_add", "group": "new"}]:  # fmt: skip
        assert clarify_unfilled(intent) is intent


def test_one_edit_is_at_most_one_typo():
    assert one_edit("second", "second") and one_edit("secnod", "second") and one_edit("secon", "second")
    assert one_edit("seconds", "second") and one_edit("sacond", "second")
    assert not one_edit("secnodd", "second") and not one_edit("dnoces", "second") and not one_edit("eth0", "eth12")


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_no_gold_value_of_any_template_is_a_slot_name(split):
    rows = split_rows(split, seed=5, fresh=0.3 if split == "train" else 0.0)
    hit = [r["output"] for r in rows if unfilled(r["output"])]
    assert not hit, hit[:3]
    words = [*COMMANDS, *(w for ws in (*SLOT_WORDS.values(), *DESCRIPTORS.values()) for w in ws)]
    assert all(w == w.lower() for w in words)


@pytest.mark.parametrize("path", ["data/synthetic/test.jsonl", "data/synthetic-v3/train.jsonl",
                                  "data/paraphrase-v1/train.jsonl"])  # fmt: skip
def test_no_committed_gold_answer_fills_nothing(path):
    rows = read_jsonl(ROOT / path)
    steps = [s for r in rows for s in (r["output"].get("steps") or [r["output"]])]
    assert steps and not [s for s in steps if unfilled(s)]


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
