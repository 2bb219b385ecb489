"""The feedback loop (microllm.feedback): decision store, redaction, durability, review, export, gate, registry,
monitoring and one retrain turn end to end at tiny size."""

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest
from conftest import ROOT

pytest.importorskip("sqlalchemy")

from microllm.cli import main  # noqa: E402
from microllm.data.io import read_jsonl, write_jsonl  # noqa: E402
from microllm.feedback import monitor  # noqa: E402
from microllm.feedback.export import export_jsonl, export_rows  # noqa: E402
from microllm.feedback.gate import decide  # noqa: E402
from microllm.feedback.redact import Redactor, query_passwords  # noqa: E402
from microllm.feedback.registry import Registry  # noqa: E402
from microllm.feedback.review import queue, review_reasons  # noqa: E402
from microllm.feedback.store import DecisionStore  # noqa: E402

KEY = b"test-key"
USER_ADD = {"action": "user_add", "username": "john", "password": "Xq7!zebra-42"}


def record(store, query="Create group devs", intent=None, confidence=0.97, validation="ok", **kw):
    intent = {"action": "group_add", "group": "devs"} if intent is None else intent
    return store.record(query=query, intent=intent, model="gemma", route=kw.pop("route", "micro"),
                        confidence=confidence, latency_ms=12.0, validation=validation, **kw)  # fmt: skip


@pytest.fixture
def store(tmp_path):
    return DecisionStore(f"sqlite:///{tmp_path / 'decisions.db'}", key=KEY)


def test_record_feedback_review_round_trip(store):
    sure = record(store)
    unsure = record(store, "Remove user jane", {"action": "user_remove", "username": "jane"}, confidence=0.5)
    refused = {"status": "refused", "ok": False}
    failed = record(store, "Create user root", {"action": "user_add", "username": "root"},
                    validation=["username: reserved account"], execution=refused)  # fmt: skip
    row = store.get(sure)
    assert row["intent"] == {"action": "group_add", "group": "devs"} and row["review_status"] == "not_needed"
    assert row["created_at"].tzinfo == dt.UTC and row["validation_ok"] is True and row["feedback"] is None
    assert [r["id"] for r in queue(store)] == [unsure, failed]
    assert "validation failed: username: reserved account" in review_reasons(store.get(failed))
    assert store.set_feedback(sure, up=False)["review_status"] == "pending"  # a thumbs down puts it in the queue
    assert store.set_feedback(sure, up=True)["review_status"] == "not_needed"
    assert store.set_execution(sure, "failed")["review_status"] == "pending"
    assert store.review(sure, "verified")["review_status"] == "verified"
    assert store.set_feedback(sure, up=False)["review_status"] == "verified"  # a human's verdict stays
    fixed = store.review(unsure, "corrected", '{"action": "user_remove", "username": "jane", "remove_home": true}')
    assert fixed["corrected_intent"]["remove_home"] is True and fixed["reviewed_at"] is not None
    with pytest.raises(ValueError, match="not a valid intent"):
        store.review(failed, "corrected", {"action": "user_add"})  # the schema wants a username
    with pytest.raises(ValueError, match="one of"):
        store.review(failed, "approved")
    with pytest.raises(KeyError):
        store.set_feedback(999, up=True)
    assert store.count() == 3 and len(store.decisions(status=("verified", "corrected"))) == 2


@pytest.mark.parametrize("query, password", [
    ("Create user john with password Xq7!zebra-42", "Xq7!zebra-42"),
    ("user add john pw Xq7!zebra-42", "Xq7!zebra-42"),
    ("pw john Xq7!zebra-42", "Xq7!zebra-42"),
    ("Add user john with password 'Xq7!zebra-42', then add him to devs", "Xq7!zebra-42"),
    ("Set the password for john to \"Xq7!zebra-42\"", "Xq7!zebra-42"),
    ("Make Xq7!zebra-42 the new password for john", "Xq7!zebra-42"),
    ("john forgot his passwrod, please set it to Xq7!zebra-42", "Xq7!zebra-42"),
])  # fmt: skip
def test_passwords_are_found_in_the_wording_alone(query, password):
    assert query_passwords(query) == [password]


@pytest.mark.parametrize("query", ["passwd -l john", "john says the password reset email never arrived", "pw"])
def test_no_password_is_invented(query):
    assert query_passwords(query) == []


def test_passwords_never_reach_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    store = DecisionStore(url, key=KEY)
    multi = {"action": "multi", "steps": [dict(USER_ADD), {"action": "user_add_to_group", "username": "john",
                                                           "group": "devs"}]}  # fmt: skip
    a = record(store, "Create user john with password Xq7!zebra-42", USER_ADD)
    b = record(store, "create user john with password Xq7!zebra-42 and add him to devs", multi,
               validation={"ok": False, "reason": "password Xq7!zebra-42 too weak"})  # fmt: skip
    c = record(store, "Add user ann with password 'Vv9#otter-13'", None, validation=["no intent"])  # model failed
    d = record(store, "Create group devs", {"action": "group_add", "group": "devs"})
    store.set_execution(d, {"status": "failed", "message": "ansible: password Xq7!zebra-42 rejected"})
    fake = Redactor(KEY).fake("Xq7!zebra-42")
    assert fake != "Xq7!zebra-42" and "*" * 3 not in fake and fake == Redactor(KEY).fake("Xq7!zebra-42")
    assert fake != Redactor(b"other-key").fake("Xq7!zebra-42")  # keyed: the store's own secret decides
    rows = {i: store.get(i) for i in (a, b, c)}
    assert rows[a]["query"] == f"Create user john with password {fake}" and rows[a]["intent"]["password"] == fake
    assert rows[b]["intent"]["steps"][0]["password"] == fake and fake in rows[b]["query"]  # same in both
    assert rows[b]["validation_reason"] == f"password {fake} too weak"
    assert rows[c]["query"] == f"Add user ann with password '{Redactor(KEY).fake('Vv9#otter-13')}'"
    for path in tmp_path.glob("d.db*"):  # the database and its -wal file, while the store is still open
        assert b"Xq7!zebra-42" not in path.read_bytes() and b"Vv9#otter-13" not in path.read_bytes(), path
    assert (tmp_path / "d.db-wal").exists()
    store.engine.dispose()
    assert b"Xq7!zebra-42" not in (tmp_path / "d.db").read_bytes()
    # A reviewer types the fake they see: it stays as is; a real password typed in is replaced too.
    again = DecisionStore(url, key=KEY)
    assert again.review(a, "corrected", {**USER_ADD, "password": fake})["corrected_intent"]["password"] == fake
    typed = again.review(a, "corrected", {**USER_ADD, "password": "Real!Secret9"})["corrected_intent"]["password"]
    assert typed == Redactor(KEY).fake("Real!Secret9")


CHILD = """
import sys
from microllm.feedback.store import DecisionStore
store = DecisionStore(sys.argv[1], key=b"k")
for i in range(100000):
    rid = store.record(query=f"Create group g{i}", intent={"action": "group_add", "group": f"g{i}"}, model="m",
                       route="micro", confidence=0.99, latency_ms=1.0, validation="ok")
    print(rid, flush=True)
"""


def test_a_killed_writer_loses_no_committed_decision(tmp_path):
    db = tmp_path / "killed.db"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, f"sqlite:///{db}"], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)  # fmt: skip
    committed = []
    while len(committed) < 40:
        line = proc.stdout.readline()
        assert line, "the writer died before committing 40 decisions"
        committed.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)  # mid-loop: most likely inside a transaction
    proc.wait()
    committed += [int(line) for line in proc.stdout.read().splitlines(keepends=True) if line.endswith("\n")]
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r[0] for r in con.execute("SELECT id FROM ai_decisions")}
    con.close()
    assert set(committed) <= stored, sorted(set(committed) - stored)
    reopened = DecisionStore(f"sqlite:///{db}", key=b"k")
    assert reopened.count() == len(stored) and reopened.get(committed[-1])["intent"]["action"] == "group_add"


def test_export_turns_reviews_into_rows_and_reports_every_reject(store, tmp_path):
    ok = record(store, "Create group devs", confidence=0.5)
    store.review(ok, "verified")
    fixed = record(store, "Remove user jane", {"action": "user_remove", "username": "john"}, confidence=0.5)
    store.review(fixed, "corrected", {"action": "user_remove", "username": "jane"})
    broken = record(store, "Add a user", {"action": "user_add"}, validation=["missing username"])
    store.review(broken, "verified")  # a careless review: the intent fails the schema
    held_out = record(store, "Why is my DNS not working?", {"action": "unknown"})
    store.review(held_out, "verified")
    invented = record(store, "Create user john", {"action": "user_add", "username": "john"})
    store.review(invented, "corrected", USER_ADD)  # a password the request never states
    old = record(store, "create group devs ", {"action": "group_add", "group": "dev"})
    store.review(old, "corrected", {"action": "group_add", "group": "devs"})  # same request as `ok`: the later wins
    store.review(record(store, "Lock bob", {"action": "user_lock", "username": "bob"}), "rejected")
    rows, rejects = export_rows(store.decisions(), exclude_inputs=["why is my DNS not working?"])
    assert [r["id"] for r in rows] == [f"fb-{fixed:06d}", f"fb-{old:06d}"]
    assert rows[0] == {"id": f"fb-{fixed:06d}", "split": "train", "category": "users", "action": "user_remove",
                       "template": "feedback.corrected", "input": "Remove user jane",
                       "output": {"action": "user_remove", "username": "jane"}}  # fmt: skip
    assert set(rows[0]) == set(read_jsonl(ROOT / "data" / "synthetic" / "train.jsonl")[0])  # the same row format
    reasons = {r["id"]: r["reason"] for r in rejects}
    assert set(reasons) == {ok, broken, held_out, invented}
    assert reasons[broken].startswith("schema: ") and "username" in reasons[broken]
    assert "held-out" in reasons[held_out] and "password" in reasons[invented] and "superseded" in reasons[ok]
    report = export_jsonl(store, tmp_path / "fb.jsonl")
    assert report["rows"] == 3 and len(report["rejects"]) == 3 and len(read_jsonl(tmp_path / "fb.jsonl")) == 3


def metrics(em: float, cats: dict[str, float]) -> dict:
    return {"exact_match": em, "n": 100, "per_category": {c: {"exact_match": v, "n": 20} for c, v in cats.items()}}


def test_the_gate_wants_two_points_and_no_broken_category():
    current = {"test": metrics(0.50, {"dns": 0.5, "users": 0.5}), "dev": metrics(0.60, {"dns": 0.6, "users": 0.6})}
    better = {"test": metrics(0.52, {"dns": 0.54, "users": 0.5}), "dev": metrics(0.62, {"dns": 0.6, "users": 0.64})}
    decision = decide(better, current)
    assert decision.promote and decision.deltas["test"]["overall"] == 2.0, decision.reasons
    small = {**better, "dev": metrics(0.615, {"dns": 0.6, "users": 0.63})}
    assert not decide(small, current).promote
    assert decide(small, current, datasets=["test"]).promote  # gate only on the test split
    broken = {**better, "test": metrics(0.60, {"dns": 0.9, "users": 0.44})}
    refused = decide(broken, current)
    assert not refused.promote and any("test/users: -6.0 points" in r for r in refused.reasons), refused.reasons
    assert decide(broken, current, max_category_drop_points=6.0).promote  # the margin is configurable
    assert decide(broken, current, min_category_n=50).promote  # too small a category to gate on
    assert decide(better, None).promote and not decide(better, {"other": metrics(0.1, {})}).promote


def test_registry_promotes_and_rolls_back(tmp_path):
    reg = Registry(tmp_path / "registry.json")
    assert reg.current() is None
    v1 = reg.register("models/a", "initial", {"test": metrics(0.5, {})})
    reg.promote(v1["id"])
    v2 = reg.register("models/b", "fb-v2", {"test": metrics(0.6, {})}, parent=v1["id"])
    assert reg.current()["id"] == "v1"  # registered is not in service
    reg.promote(v2["id"])
    assert reg.current()["model_path"] == "models/b" and reg.current()["promoted_at"]
    assert reg.rollback()["id"] == "v1" and Registry(tmp_path / "registry.json").current()["id"] == "v1"
    with pytest.raises(ValueError, match="nothing to roll back"):
        reg.rollback()
    summary = reg.summary()
    assert summary["current"] == "v1" and [v["exact_match"]["test"] for v in summary["versions"]] == [0.5, 0.6]
    with pytest.raises(KeyError):
        reg.promote("v9")


def test_monitor_windows_and_drift():
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    old = [{"created_at": start + dt.timedelta(hours=i), "route": "micro", "confidence": 0.95,
            "review_status": "verified"} for i in range(30)]  # fmt: skip
    new = [{"created_at": start + dt.timedelta(days=10, hours=i), "route": "general" if i % 2 else "micro",
            "confidence": 0.7, "review_status": "corrected" if i % 2 else "verified"} for i in range(30)]  # fmt: skip
    rows = monitor.windows(old + new, freq="1D")
    assert rows[0]["accuracy"] == 1.0 and rows[0]["fallback_rate"] == 0.0 and sum(r["n"] for r in rows) == 60
    report = monitor.report(old + new, recent_days=5, now=start + dt.timedelta(days=12))
    warnings = " | ".join(report["warnings"])
    assert "confidence mean" in warnings and "fallback rate" in warnings and "accuracy" in warnings
    assert report["confidence_histogram"]["counts"][9] == 30 and report["recent"]["n"] == 30
    assert monitor.report(old, recent_days=5, now=start + dt.timedelta(days=2))["warnings"][0].startswith("too few")


def test_review_cli(store, capsys):
    url = store.url
    i = record(store, "Remove user jane", {"action": "user_remove", "username": "john"}, confidence=0.4)
    assert main(["review", "list", "--db", url]) == 0 and "Remove user jane" in capsys.readouterr().out
    assert main(["review", "correct", str(i), "--db", url, "--intent", '{"action": "user_remove"}']) == 2
    assert "not a valid intent" in capsys.readouterr().err
    assert main(["review", "correct", str(i), "--db", url, "--intent",
                 '{"action": "user_remove", "username": "jane"}']) == 0  # fmt: skip
    assert store.get(i)["review_status"] == "corrected"
    assert main(["review", "list", "--db", url]) == 0 and "queue is empty" in capsys.readouterr().out


class Oracle:
    """A stub predictor factory: the models listed in ``good`` answer every gold row right, the others "unknown"."""

    def __init__(self, gold: dict[str, dict], good: set[str]):
        self.gold, self.good, self.calls = gold, good, []

    def __call__(self, model_path):
        from microllm.predictors.base import Predictor
        from microllm.schema import canonical_json

        self.calls.append(str(model_path))
        right = str(model_path) in self.good
        gold = self.gold

        class Stub(Predictor):
            name = "stub"

            def generate(self, text):
                return (canonical_json(gold[text]) if right else '{"action": "unknown"}'), 0.9

        return Stub()


def test_retrain_config_never_gates_on_dev():
    from microllm.config import load_config
    from microllm.feedback.retrain import RetrainConfig

    assert load_config(RetrainConfig, ROOT / "configs" / "retrain.yaml").gate_datasets == ["test"]
    with pytest.raises(ValueError, match="dev set must not decide"):
        RetrainConfig(gate_datasets=["test", "dev"])
    with pytest.raises(ValueError, match="not in eval_sets"):
        RetrainConfig(gate_datasets=["gate"])


def test_one_retrain_turn_end_to_end(tmp_path):
    """Reviewed decisions -> combined train file -> real tiny LoRA training (2 steps) -> evaluation through
    microllm.evaluate -> gate -> registry; then a worse candidate is refused and a rollback restores v1."""
    pytest.importorskip("trl")
    pytest.importorskip("peft")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from microllm.config import load_config
    from microllm.feedback.retrain import RetrainConfig, default_predictor_factory, measure, retrain
    from microllm.testing import save_tiny_model

    base = save_tiny_model(tmp_path / "tiny")
    test_rows = read_jsonl(ROOT / "data" / "synthetic" / "test.jsonl")
    write_jsonl(test_rows[:6], tmp_path / "test.jsonl")
    write_jsonl(test_rows[6:12], tmp_path / "dev.jsonl")  # a stand-in: the real dev set is not read by tests
    write_jsonl(read_jsonl(ROOT / "data" / "synthetic" / "train.jsonl")[:16], tmp_path / "train.jsonl")
    url = f"sqlite:///{tmp_path / 'decisions.db'}"
    store = DecisionStore(url, key=KEY)
    for q, intent in [("Remove user jane", {"action": "user_remove", "username": "jane"}),
                      ("Create group auditors", {"action": "group_add", "group": "auditors"}),
                      (test_rows[0]["input"], test_rows[0]["output"])]:  # fmt: skip
        store.review(record(store, q, intent, confidence=0.5), "verified")
    overrides = [f"db_url={url}", f"base_config={ROOT / 'configs' / 'sft-tiny.yaml'}", f"initial_model={base}",
                 "finetune={max_steps: 2, val_file: null, max_examples: null, save_every: 100, eval_every: null}",
                 f"train_file={tmp_path / 'train.jsonl'}", "feedback_repeat=2",
                 f"eval_sets={{test: {tmp_path / 'test.jsonl'}, dev: {tmp_path / 'dev.jsonl'}}}",
                 f"registry={tmp_path / 'registry.json'}", f"artifacts_dir={tmp_path / 'artifacts'}",
                 f"results_dir={tmp_path / 'results'}", "n_resamples=50", "min_new_rows=1"]  # fmt: skip
    cfg = load_config(RetrainConfig, ROOT / "configs" / "retrain.yaml", overrides)
    gold = {r["input"]: r["output"] for r in test_rows[:12]}
    candidate = str(tmp_path / "artifacts" / "feedback-v2" / "model" / "merged")
    oracle = Oracle(gold, good={candidate})
    report = retrain(cfg, predictor_factory=oracle)
    assert report["status"] == "promoted" and report["version"] == "v2" and report["parent"] == "v1", report
    assert report["new_rows"] == 2 and "held-out" in report["rejects"][0]["reason"]  # the test row is refused
    # dev is measured and recorded with the version, but only test decides the promotion.
    assert "dev" in report["candidate"] and not any(r.startswith("dev") for r in report["gate"]["reasons"])
    assert oracle.calls == [str(base), candidate]  # v1 measured once; its stored metrics were then comparable
    combined = read_jsonl(tmp_path / "artifacts" / "feedback-v2" / "train.jsonl")
    assert len(combined) == 16 + 2 * 2 and combined[-1]["template"] == "feedback.verified"
    train_metrics = json.loads((tmp_path / "results" / "feedback-v2" / "train" / "metrics.json").read_text())
    assert train_metrics["steps"] == 2 and train_metrics["base_model"] == str(base)
    assert (tmp_path / "results" / "feedback-v2" / "eval" / "candidate" / "dev" / "predictions.jsonl").exists()
    reg = Registry(tmp_path / "registry.json")
    assert reg.current()["id"] == "v2" and reg.current()["metrics"]["test"]["exact_match"] == 1.0
    assert json.loads((tmp_path / "results" / "registry.json").read_text())["current"] == "v2"
    # The default factory: the trained model through the transformers backend, scored by microllm.evaluate.
    options = "predictor_options={max_tokens: 8, constrained: false, n_threads: 1}"
    real = load_config(RetrainConfig, None, [f"eval_sets={{test: {tmp_path / 'test.jsonl'}}}", "eval_limit=2", options])
    measured = measure(real, default_predictor_factory(real)(candidate), tmp_path / "real")  # fmt: skip
    assert measured["test"]["n"] == 2 and 0 <= measured["test"]["exact_match"] <= 1

    # Incremental: the next turn starts from v2; a candidate no better than v2 is refused and v2 keeps serving.
    seen = []

    def stub_trainer(ft):
        seen.append(ft.base_model)
        return {"model_dir": str(tmp_path / "worse"), "steps": 0}

    report = retrain(cfg, predictor_factory=oracle, trainer=stub_trainer)
    assert seen == [candidate] and report["status"] == "refused" and report["version"] == "v3"
    assert any("< +2.0 required" in r for r in report["gate"]["reasons"]) and reg.current()["id"] == "v2"
    assert reg.rollback()["id"] == "v1"
    skipped = retrain(load_config(RetrainConfig, ROOT / "configs" / "retrain.yaml", [*overrides, "min_new_rows=99"]),
                      predictor_factory=oracle, trainer=stub_trainer)  # fmt: skip
    assert skipped["status"] == "skipped" and len(seen) == 1
