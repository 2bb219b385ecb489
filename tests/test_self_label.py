"""Self-training on mined text: the pool's filters, the checks a label must pass, and a batch that loses nothing."""

from __future__ import annotations

import json

import pytest

from microllm.data import contract
from microllm.data.io import read_jsonl, write_jsonl
from microllm.data.mine import self_label as sl


def _agree(intent: dict):
    return lambda text: intent


UNKNOWN = {"action": "unknown"}
DENY = {"action": "fw_deny", "port": 23, "protocol": "tcp"}


# --- check_label -----------------------------------------------------------------------------------------------------
def test_a_label_the_checks_agree_with_is_kept():
    outcome, intent = sl.check_label("Deny tcp port 23", json.dumps(DENY), _agree(DENY))
    assert (outcome, intent["action"], intent["port"]) == ("kept", "fw_deny", 23)


@pytest.mark.parametrize("answer, outcome", [
    ("{not json", "invalid_json"),
    (json.dumps({"action": "fw_deny"}), "schema"),  # no port or service
    (json.dumps({**DENY, "port": 25}), "ungrounded"),  # 25 is not in the text
])  # fmt: skip
def test_a_label_that_fails_a_check_is_not_kept(answer, outcome):
    assert sl.check_label("Deny tcp port 23", answer, _agree(DENY)) == (outcome, None)


def test_the_independent_check_must_agree():
    assert sl.check_label("Deny tcp port 23", json.dumps(DENY), _agree(UNKNOWN)) == ("check_disagrees", None)


def test_an_unsafe_label_is_not_kept():
    root = {"action": "user_remove", "username": "root"}
    assert sl.check_label("Remove user root", json.dumps(root), _agree(root)) == ("unsafe", None)


def test_a_lossy_drop_keeps_unknown_only():
    # "ufw reject out smtp" was dropped as an outgoing rule: an incoming deny label would lose the direction.
    text = "ufw reject out smtp"
    smtp = {"action": "fw_deny", "service": "smtp"}
    assert sl.check_label(text, json.dumps(smtp), _agree(smtp), "outgoing_rule") == ("lossy", None)
    assert sl.check_label(text, json.dumps(UNKNOWN), _agree(UNKNOWN), "outgoing_rule")[0] == "kept"
    assert sl.is_lossy("unsupported_arg:expires") and not sl.is_lossy("not_in_text:name")


def test_a_clarify_copies_nothing_and_needs_no_grounding():
    clarify = {"action": "clarify", "intent": "group_remove", "missing": ["group"]}
    assert sl.check_label("Remove a group", json.dumps(clarify), _agree(clarify), "not_in_text:group")[0] == "kept"


# --- self_label ------------------------------------------------------------------------------------------------------
def _pool_row(text: str, reason: str = "not_in_text:name", file: str = "m.py") -> dict:
    return {"id": f"id-{text}", "input": text, "reason": reason,
            "source": {"package": "p", "file": file, "line": 1, "field": "name"}}  # fmt: skip


def test_self_label_counts_every_text_and_survives_a_failing_predictor():
    answers = {"Deny tcp port 23": json.dumps(DENY), "Install nginx": json.dumps(UNKNOWN)}

    def generate(text):
        if text == "boom":
            raise RuntimeError("model file missing")
        return answers[text], None

    pool = [_pool_row("Deny tcp port 23"), _pool_row("boom"), _pool_row("Install nginx", "in_scope_words")]
    kept, outcomes = sl.self_label(pool, generate, check=lambda t: DENY if "23" in t else UNKNOWN, labeler="m.gguf")
    assert [o["outcome"] for o in outcomes] == ["kept", "predictor_error", "kept"]
    assert [r["output"]["action"] for r in kept] == ["fw_deny", "unknown"]
    assert kept[0]["source"] | {} == {**pool[0]["source"], "label": "self", "labeler": "m.gguf", "check": "rules",
                                      "mined_drop": "not_in_text:name"}  # fmt: skip
    assert kept[0]["category"] == "firewall" and kept[1]["category"] == "unknown"


def test_rules_check_is_the_rule_baseline():
    assert sl.rules_check("Add DNS record api.local to 10.0.0.5")["action"] == "dns_add"


# --- unlabeled_pool --------------------------------------------------------------------------------------------------
def _real_dir(tmp_path, train_inputs=("Remove user bob",)):
    real = tmp_path / "real"
    rows = [{"id": f"r{i}", "input": t, "output": UNKNOWN, "split": "train", "source": {"file": "m.py", "line": i}}
            for i, t in enumerate(train_inputs)]  # fmt: skip
    write_jsonl(rows, real / "train.jsonl")
    write_jsonl([], real / "val-real.jsonl")
    card = {"split": {"m.py": "train", "held.py": "val-real", "/man/man1/nmcli.1.gz": "val-real"},
            "sources": {"manpages": {"man1/nmcli": {"file": "/man/man1/nmcli.1.gz", "package": "network-manager 1"},
                                     "man7/nmcli-examples": {"file": "/man/man7/nmcli-examples.7.gz",
                                                             "package": "network-manager 1"}}}}  # fmt: skip
    (real / "card.json").write_text(json.dumps(card), encoding="utf-8")
    return real


def test_unlabeled_pool_filters(tmp_path, monkeypatch):
    dropped = [
        _pool_row("Add a CNAME record"),  # kept
        _pool_row("add a cname record!"),  # duplicate of the first once normalised
        _pool_row("{{ item }}", "jinja"),  # excluded reason
        _pool_row("Remove user bob"),  # already a mined row
        _pool_row("Create a user on the held-out module", file="held.py"),  # a val-real source
        {**_pool_row("Add a connection", file="/man/man7/nmcli-examples.7.gz"),
         "source": {"package": "network-manager 1", "file": "/man/man7/nmcli-examples.7.gz", "line": 1,
                    "field": "description"}},  # a page of a val-real page's package
        _pool_row("Secret hidden request"),  # in the hidden list
    ]  # fmt: skip

    def fake_ansible(site, labels, dropped=None):
        dropped += dropped_rows
        return [], {}

    dropped_rows = dropped
    monkeypatch.setattr(sl, "mine_ansible", fake_ansible)
    monkeypatch.setattr(sl, "mine_manpages", lambda root, dropped=None: ([], {}))
    hidden = frozenset({contract.input_hash("Secret hidden request")})
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: hidden)
    pool, report = sl.unlabeled_pool(_real_dir(tmp_path))
    assert [r["input"] for r in pool] == ["Add a CNAME record"]
    assert report == {"texts": 7, "duplicate_input": 1, "excluded_reason": 1, "already_mined": 1,
                      "val_real_source": 2, "hidden_inputs": 1, "dev_inputs": 0, "pool": 1}  # fmt: skip


def test_unlabeled_pool_needs_the_real_text_split(tmp_path):
    with pytest.raises(FileNotFoundError, match="microllm data mine"):
        sl.unlabeled_pool(tmp_path / "nowhere")


def test_built_self_label_rows_are_trainable():
    built = contract.ROOT / "data/self-label/train.jsonl"
    if not built.is_file():
        pytest.skip("data/self-label not built")
    rows = read_jsonl(built)
    kept, dropped = contract.read_rows(built)
    assert len(kept) == len(rows) and not any(dropped.values())
    val_sources = {r["source"]["file"] for r in read_jsonl(contract.ROOT / "data/real/val-real.jsonl")}
    for r in rows:
        assert r["source"]["label"] == "self" and r["source"]["file"] not in val_sources
        assert (
            sl.check_label(r["input"], json.dumps(r["output"]), _agree(r["output"]), r["source"]["mined_drop"])[0]
            == "kept"
        )
