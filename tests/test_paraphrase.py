"""Paraphrase augmentation: which rewordings keep their gold, the loop that counts every outcome, and the real
llama.cpp path on a tiny random GGUF (whose replies are noise: every one must be rejected with a reason)."""

import json

import pytest
from conftest import tiny_gguf_and_train

from microllm.config import load_config
from microllm.data import contract
from microllm.data.io import read_jsonl, write_jsonl
from microllm.data.paraphrase import (
    ParaphraseConfig,
    build_paraphrases,
    outcomes_table,
    pairs_table,
    paraphrase_rows,
    sample_rows,
)
from microllm.data.paraphrase_check import check_paraphrase, clean, copied_values

DNS = {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"}
ADD_TO = {"action": "user_add_to_group", "username": "john", "group": "devs"}
MULTI = {"action": "multi", "steps": [{"action": "user_add", "username": "john"}, ADD_TO]}


@pytest.mark.parametrize(("paraphrase", "reason"), [
    ("Please make api.local resolve to 10.0.0.5", None),
    ("Point api.local at 10.0.0.5", "action_drift"),  # the rules read an update: add or update is unclear
    ("Sure! Here is the reworded request: add api.local", "chatter"),
    ("Other words and another sentence structure. Make api.local resolve to 10.0.0.5", "chatter"),  # prompt echo
    ("add dns record API.LOCAL to 10.0.0.5!", "unchanged"),
    ("Make api resolve to 10.0.0.5", "lost_value"),
    ("Make api.local resolve to 10.0.0.5 with a TTL of 300", "number"),
    ("Make api.local resolve to 10.0.0.5\nThanks", "multiline"),
    ("", "empty"),
])  # fmt: skip
def test_a_rewording_is_kept_only_when_its_gold_still_holds(paraphrase, reason):
    assert check_paraphrase("Add DNS record api.local to 10.0.0.5", paraphrase, DNS) == reason


def test_case_kept_values_must_keep_their_case_and_steps_their_order():
    source = "Create user john, then put john in devs"
    assert check_paraphrase(source, "Make an account for john and add john to devs", MULTI) is None
    assert check_paraphrase(source, "Make an account for John and add John to devs", MULTI) == "lost_value"
    assert check_paraphrase(source, "Put john in devs after creating the user john", MULTI) == "order"
    assert check_paraphrase(source, "devs gets john as a member; make the account john", MULTI) == "order"
    new = {"action": "user_add", "username": "nedeto"}
    drift = "Add the user nedeto to the group of Monday's interns"  # the rules read a group membership now
    assert check_paraphrase("Please add the user nedeto for the new intern", drift, new) == "action_drift"
    assert copied_values(MULTI) == [("username", "john"), ("username", "john"), ("group", "devs")]


def test_keywords_and_canonical_ips():
    gold = {"action": "dns_add", "name": "h.lan", "record_type": "MX", "value": "mail.h.lan", "priority": 10}
    source = "Add an MX record for h.lan to mail.h.lan, priority 10"
    assert (
        check_paraphrase(source, "h.lan should get mail.h.lan (priority 10) as its mail exchanger", gold) == "keyword"
    )
    v6 = {"action": "dns_add", "name": "db.lan", "record_type": "AAAA", "value": "2001:db8::1"}
    assert check_paraphrase("Add AAAA db.lan 2001:0db8:0:0:0:0:0:1", "Give db.lan the AAAA 2001:0db8:0:0:0:0:0:1",
                            v6) is None  # fmt: skip
    assert clean('"Request: point it there"') == "point it there"


def _rows():
    rows = []
    for t, cat in enumerate(["dns", "dns", "users", "unknown"]):
        for k in range(3):
            rows.append({"id": f"r{t}{k}", "category": cat, "action": "dns_add", "template": f"t{t}",
                         "input": f"Add DNS record h{t}{k}.lan to 10.0.{t}.{k}",
                         "output": {**DNS, "name": f"h{t}{k}.lan", "value": f"10.0.{t}.{k}"}})  # fmt: skip
    return rows


def test_sampling_covers_every_template_before_repeating_one_and_skips_other_categories():
    picked = sample_rows(_rows(), ["dns", "users"], n=4, seed=0)
    assert len(picked) == 4 and {r["template"] for r in picked[:3]} == {"t0", "t1", "t2"}
    assert all(r["category"] != "unknown" for r in picked)


def test_every_outcome_is_counted_and_a_failed_call_does_not_end_the_batch():
    rows = sample_rows(_rows(), ["dns", "users"], n=6, seed=0)
    replies = iter(["Make {name} resolve to {value}", "Point some host at some address", RuntimeError("model gone"),
                    "Make {name} resolve to {value}", "Add DNS record {name} to {value}",
                    "Make {name} resolve to {value} please"])  # fmt: skip

    def generate(text, seed):
        reply = next(replies)
        if isinstance(reply, Exception):
            raise reply
        row = next(r for r in rows if r["input"] == text)
        return reply.format(**row["output"])

    accepted, outcomes = paraphrase_rows(rows, generate, ParaphraseConfig())
    assert sum(outcomes.values()) == len(rows)
    assert outcomes["accepted"] == len(accepted) == 3 and outcomes["error:RuntimeError"] == 1
    assert outcomes["lost_value"] == 1 and outcomes["unchanged"] == 1
    assert all(r["template"].endswith(".para") and r["source_id"] and r["output"]["action"] == "dns_add"
               for r in accepted)  # fmt: skip


def test_the_real_pipeline_on_a_tiny_gguf_writes_rows_and_a_card(tmp_path):
    files = tiny_gguf_and_train(tmp_path, [("Remove user jane", {"action": "user_remove", "username": "jane"}, "x")])
    source = tmp_path / "train.jsonl"
    write_jsonl(_rows(), source)
    sets = [f"model={files['model']}", f"source={source}", "n_rows=3", f"out_dir={tmp_path / 'para'}",
            "max_tokens=12", "n_threads=1"]  # fmt: skip
    cfg = load_config(ParaphraseConfig, None, sets)
    card = build_paraphrases(cfg)
    assert card["sampled"] == 3 and sum(card["outcomes"].values()) == 3
    assert card["accepted"] == len(read_jsonl(tmp_path / "para" / "train.jsonl"))
    assert json.loads((tmp_path / "para" / "card.json").read_text())["model_sha256"] == card["model_sha256"]
    table = outcomes_table(tmp_path / "para" / "card.json")
    assert table["rows"].sum() == 3 and abs(table["share"].sum() - 1) < 0.01


def test_rows_an_earlier_file_reworded_are_not_reworded_again(tmp_path):
    files = tiny_gguf_and_train(tmp_path, [("Remove user jane", {"action": "user_remove", "username": "jane"}, "x")])
    rows = _rows()
    write_jsonl(rows, tmp_path / "train.jsonl")
    earlier = [{**r, "id": f"para-{r['id']}", "source_id": r["id"]} for r in rows if r["id"] not in ("r01", "r22")]
    write_jsonl(earlier, tmp_path / "para-v1.jsonl")
    sets = [f"model={files['model']}", f"source={tmp_path / 'train.jsonl'}", "n_rows=9", "max_tokens=12",
            f"out_dir={tmp_path / 'para-v2'}", "n_threads=1",
            f"exclude_files=[{tmp_path / 'para-v1.jsonl'}]"]  # fmt: skip
    card = build_paraphrases(load_config(ParaphraseConfig, None, sets))
    assert card["sampled"] == 2 and card["excluded_source_rows"] == len(earlier)
    assert {r["source_id"] for r in read_jsonl(tmp_path / "para-v2" / "train.jsonl")} <= {"r01", "r22"}


def test_pairs_table_shows_each_rewording_beside_its_source(tmp_path):
    rows = _rows()
    write_jsonl(rows, tmp_path / "train.jsonl")
    para = [{**rows[0], "id": "para-r00", "source_id": "r00", "input": "Make h00.lan resolve to 10.0.0.0"}]
    write_jsonl(para, tmp_path / "para.jsonl")
    table = pairs_table(tmp_path / "para.jsonl", tmp_path / "train.jsonl")
    assert table.to_dict("records") == [{"category": "dns", "train request": rows[0]["input"],
                                         "reworded": "Make h00.lan resolve to 10.0.0.0"}]  # fmt: skip


@pytest.mark.parametrize(("name", "field"), [("eval/extra.jsonl", "source"), ("test.jsonl", "source"),
                                           ("val-real.jsonl", "source"), ("dev.jsonl", "exclude_files")])  # fmt: skip
def test_held_out_files_are_refused_as_a_source_or_an_earlier_output(tmp_path, name, field):
    write_jsonl(_rows(), tmp_path / "train.jsonl")
    write_jsonl(_rows(), tmp_path / name)
    files = {"source": str(tmp_path / "train.jsonl"), "exclude_files": []}
    files[field] = str(tmp_path / name) if field == "source" else [str(tmp_path / name)]
    with pytest.raises(contract.HeldOutError):  # refused before any model is loaded
        build_paraphrases(ParaphraseConfig(model=str(tmp_path / "no-model.gguf"), **files))


def test_rows_whose_input_is_held_out_are_dropped_and_counted_in_the_card(tmp_path, monkeypatch):
    files = tiny_gguf_and_train(tmp_path, [("Remove user jane", {"action": "user_remove", "username": "jane"}, "x")])
    rows = _rows()
    hidden = {rows[0]["input"], "Add DNS record h99.lan to 10.0.9.9"}
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: frozenset(map(contract.input_hash, hidden)))
    monkeypatch.setattr(contract, "dev_hashes", lambda path=None: frozenset())
    write_jsonl(rows, tmp_path / "train.jsonl")
    earlier = [{**rows[1], "id": "para-r01", "source_id": "r01", "input": "Add DNS record h99.lan to 10.0.9.9"}]
    write_jsonl(earlier, tmp_path / "para-v1.jsonl")
    sets = [f"model={files['model']}", f"source={tmp_path / 'train.jsonl'}", "n_rows=20", "max_tokens=12",
            f"out_dir={tmp_path / 'para'}", "n_threads=1", f"exclude_files=[{tmp_path / 'para-v1.jsonl'}]"]  # fmt: skip
    card = build_paraphrases(load_config(ParaphraseConfig, None, sets))
    assert card["contract_dropped"] == {
        "source": {"hidden": 1, "dev": 0},
        "exclude_files": {str(tmp_path / "para-v1.jsonl"): {"hidden": 1, "dev": 0}},
    }
    # the hidden source row is never sampled (9 dns and users rows, less r00); the dropped earlier row no longer
    # marks r01 as done
    assert card["sampled"] == 8 and card["excluded_source_rows"] == 0


def test_a_rewording_that_is_a_held_out_input_is_rejected(monkeypatch):
    rows = _rows()[:2]
    hidden = contract.input_hash("Please make h00.lan resolve to 10.0.0.0")
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: frozenset({hidden}))
    monkeypatch.setattr(contract, "dev_hashes", lambda path=None: frozenset())

    def generate(text, seed):
        row = next(r for r in rows if r["input"] == text)
        return f"Please make {row['output']['name']} resolve to {row['output']['value']}"

    accepted, outcomes = paraphrase_rows(rows, generate, ParaphraseConfig())
    assert outcomes == {"held_out_input": 1, "accepted": 1}
    assert [r["source_id"] for r in accepted] == ["r01"]


def test_a_value_left_only_inside_another_values_mention_is_lost():
    share = {"action": "share_create", "name": "software", "path": "/srv/shares/software"}
    source = "Create share called 'software' at /srv/shares/software"
    assert check_paraphrase(source, "Make a share named software at /srv/shares/software", share) is None
    assert check_paraphrase(source, "Create /srv/shares/software share, please", share) == "lost_value"
