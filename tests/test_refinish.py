"""Re-applying the rule-based last step to saved raw outputs gives what a rerun gives, and keeps every row."""

import json

import pytest

from microllm.evaluate import evaluate, record_rules, refinish
from microllm.predictors.base import Predictor
from microllm.rules import DEFAULT_RULES, apply_rules, rules_signature

GOLD = [
    {"id": "a", "input": "gpasswd -d joao.p", "category": "clarify",
     "output": {"action": "clarify", "intent": "user_remove_from_group", "missing": ["group"]}},
    {"id": "b", "input": "int.example.net IN MX 10 mx.eu.example.net", "category": "dns",
     "output": {"action": "dns_add", "name": "int.example.net", "record_type": "MX", "value": "mx.eu.example.net",
                "priority": 10}},
    {"id": "c", "input": "Remove user jane", "category": "users",
     "output": {"action": "user_remove", "username": "jane"}},
    {"id": "d", "input": "Remove user bob", "category": "users",
     "output": {"action": "user_remove", "username": "bob"}},
]  # fmt: skip
RAW = {
    "gpasswd -d joao.p": '{"action": "user_remove_from_group", "username": "joao.p", "group": "gpasswd"}',
    "int.example.net IN MX 10 mx.eu.example.net": '{"action": "dns_add", "name": "int.example.net", '
    '"record_type": "MX", "value": "mx.eu.example.net", "ttl": 10}',
    "Remove user jane": '{"action": "user_remove", "username": "jane"}',
    "Remove user bob": "not json",
}


class Canned(Predictor):
    def __init__(self, rules=()):
        self.name, self.rules = "canned", rules

    def generate(self, text):
        return RAW[text], 0.5


def finish_default(intent, text):
    return apply_rules(intent, text, DEFAULT_RULES)


def test_refinish_equals_a_rerun_with_the_new_step(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in GOLD))
    before = evaluate(Canned(), gold, tmp_path / "before", n_resamples=50)
    assert before["exact_match"] == 0.25 and "rules" not in before
    after = refinish(tmp_path / "before" / "predictions.jsonl", gold, tmp_path / "after", "default")
    rerun = evaluate(Canned(DEFAULT_RULES), gold, tmp_path / "rerun", n_resamples=50)
    assert after["exact_match"] == rerun["exact_match"] == 0.75
    assert after["refinished_from"]["exact_match"] == 0.25 and after["predictor"] == "canned"
    assert after["rules"] == rerun["rules"] == rules_signature(DEFAULT_RULES)
    assert "arm" not in after  # evaluate's own runs have none; compare's grounded arms get the current rules
    rows = [json.loads(line) for line in (tmp_path / "after" / "predictions.jsonl").read_text().splitlines()]
    again = [json.loads(line) for line in (tmp_path / "rerun" / "predictions.jsonl").read_text().splitlines()]
    drop = ("latency_ms",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in rows] == [
        {k: v for k, v in r.items() if k not in drop} for r in again
    ]
    assert rows[3]["output"] is None and rows[3]["error"].startswith("not_json")  # kept, still reported


def test_refinish_refuses_predictions_of_other_rows(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in GOLD))
    evaluate(Canned(), gold, tmp_path / "before", n_resamples=50)
    other = tmp_path / "other.jsonl"
    other.write_text("".join(json.dumps(r) + "\n" for r in GOLD[::-1]))
    with pytest.raises(ValueError, match="does not hold the rows"):
        refinish(tmp_path / "before" / "predictions.jsonl", other, tmp_path / "after")


def test_refinish_refuses_a_rechecked_run(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in GOLD))
    predictor = Canned()
    predictor.name = "canned:grounded:rechecked"  # its answers come from a second decode, not from `raw` + finish
    evaluate(predictor, gold, tmp_path / "before", n_resamples=50)
    with pytest.raises(ValueError, match="rechecked run"):
        refinish(tmp_path / "before" / "predictions.jsonl", gold, tmp_path / "after")
    assert not (tmp_path / "after").exists()


def test_the_cli_refinishes_and_says_what_changed(tmp_path, capsys):
    from microllm_research.cli import main

    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in GOLD))
    evaluate(
        Canned(),
        gold,
        tmp_path / "before",
        n_resamples=50,
        extra={"arm": {"model": "m.gguf", "ground": True, "finish": 1}},
    )  # as compare recorded a grounded arm before the rules had names
    assert main(["refinish", str(tmp_path / "before" / "predictions.jsonl"), "--data", str(gold),
                 "--out-dir", str(tmp_path / "after")]) == 0  # fmt: skip
    assert "0.250 -> 0.750" in capsys.readouterr().out
    meta = json.loads((tmp_path / "after" / "metrics.json").read_text())
    assert meta["provenance"]["command"].startswith("microllm-research refinish")
    assert meta["arm"] == {"model": "m.gguf", "ground": True, "rules": rules_signature(DEFAULT_RULES)}
    # Other rules on the command line: applied, and recorded in place of the run's own.
    assert main(["refinish", str(tmp_path / "before" / "predictions.jsonl"), "--data", str(gold),
                 "--out-dir", str(tmp_path / "flags"), "--rules", "command_flags"]) == 0  # fmt: skip
    assert "0.250 -> 0.250" in capsys.readouterr().out  # the MX and the gpasswd answers need the other rules
    meta = json.loads((tmp_path / "flags" / "metrics.json").read_text())
    assert meta["arm"]["rules"] == meta["rules"] == "command_flags@1"
    assert meta["provenance"]["command"].endswith("--rules command_flags")
    assert main(["refinish", str(tmp_path / "missing.jsonl"), "--data", str(gold), "--out-dir", "x"]) == 2


def test_a_run_is_refinished_with_the_rules_it_recorded():
    signature = rules_signature(("unfilled", "not_given"))
    assert record_rules({"rules": signature}) == ("unfilled", "not_given")
    assert record_rules({"arm": {"ground": True, "rules": signature}}) == ("unfilled", "not_given")
    assert record_rules({"arm": {"ground": True, "finish": 4}}) == DEFAULT_RULES  # before rules had names
    assert record_rules({}) == DEFAULT_RULES
    assert record_rules({"rules": ""}) == ()


def test_the_default_rules_run_in_order_and_keep_an_unchanged_answer_itself():
    from microllm.rules.echoed_full_name import drop_echoed_full_name

    echo = {"action": "user_add", "username": "femi", "full_name": "Femi"}
    assert finish_default(echo, "sudo useradd --create-home femi") == {"action": "user_add", "username": "femi"}
    real = {"action": "user_add", "username": "femi", "full_name": "Femi Adeyemi"}
    assert finish_default(real, "create user femi (Femi Adeyemi)") is real
    multi = {"action": "multi", "steps": [echo, {"action": "group_add", "group": "ops"}]}
    assert drop_echoed_full_name(multi)["steps"][0] == {"action": "user_add", "username": "femi"}
    # usermod's flags first, then the slot check: "-r -G usermod" names no group
    odd = {"action": "user_add_to_group", "username": "lars.e", "group": "usermod"}
    assert finish_default(odd, "usermod -r -G usermod lars.e") == {
        "action": "clarify", "intent": "user_remove_from_group", "missing": ["group"]}  # fmt: skip


@pytest.mark.parametrize("path", ["data/synthetic/train.jsonl", "data/synthetic/val.jsonl", "data/synthetic/test.jsonl",
                                  "data/synthetic-v3/train.jsonl", "data/paraphrase-v1/train.jsonl"])  # fmt: skip
def test_every_committed_gold_answer_survives_the_checks(path):
    from conftest import ROOT

    from microllm.data.io import read_jsonl

    rows = read_jsonl(ROOT / path)
    changed = [(r["input"], r["output"]) for r in rows if finish_default(r["output"], r["input"]) != r["output"]]
    assert rows and len(changed) == LABEL_NOISE.get(path, 0), changed[:3]
    assert all(gold["action"] == "share_create" and "/" + gold["name"] in text for text, gold in changed)


# Two of the 147 accepted rewordings lost the share's name, now written only as the end of its path ("Create
# /srv/shares/software share"): by spec rule 4 their gold should be clarify. The paraphrase check rejects such
# rewordings since finish version 3 (lost_value); the committed set, which trained qwen-coder-lora-v3-final, keeps them.
LABEL_NOISE = {"data/paraphrase-v1/train.jsonl": 2}
