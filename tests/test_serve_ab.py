"""Live A/B over HTTP on loopback: a sticky per-client split, the arm on every decision, shadow mode, per-arm
monitoring and the gated rollout of the micro share (uvicorn in a thread, rule-based stand-ins for the models)."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from test_serve import SEED, Rules, running

from microllm.feedback import monitor
from microllm.feedback.store import DecisionStore
from microllm.router import LLMRouter
from microllm.serve import ServeConfigError, ServeOptions, create_app
from microllm.serve.rollout import Gate, ShareWatcher, arm_for, bucket, promote, read_state, set_share, write_state

QUERIES = list(SEED)
N_CLIENTS = 100  # x 2 requests each: a 200-request burst


def options(**kw) -> ServeOptions:
    return ServeOptions(rate_per_s=None, log_rows_per_minute=None, log_rows_per_client_per_minute=None, **kw)


def burst(client, clients, rounds=2):
    """Every client sends ``rounds`` requests (16 at a time); returns {client: [responses]} and the elapsed time."""
    jobs = [(c, QUERIES[(i + r) % len(QUERIES)]) for r in range(rounds) for i, c in enumerate(clients)]
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda j: client.post("/api/v1/parse", json={"query": j[1]},
                                                        headers={"X-Client-Id": j[0]}), jobs))  # fmt: skip
    out: dict[str, list] = {}
    for (c, _), r in zip(jobs, responses, strict=True):
        assert r.status_code == 200, r.text
        out.setdefault(c, []).append(r.json())
    return out, time.monotonic() - start


def arms_of(by_client) -> dict[str, str]:
    arms = {c: {b["arm"] for b in bodies} for c, bodies in by_client.items()}
    assert all(len(a) == 1 for a in arms.values()), "a client changed arm"  # sticky
    return {c: a.pop() for c, a in arms.items()}


@pytest.fixture
def ab(tmp_path):
    state = tmp_path / "rollout.json"
    set_share(state, 0.1, reason="start the experiment")
    store = DecisionStore(f"sqlite:///{tmp_path / 'decisions.db'}")
    micro, general = Rules("micro-rules"), Rules("general-rules")
    app = create_app(micro, general, LLMRouter(micro, general, threshold=0.5), store=store,
                     options=options(rollout_state=state))  # fmt: skip
    with running(app) as client:
        yield client, store, state


def test_bucketing_is_deterministic_and_monotone():
    keys = [f"k{i}" for i in range(2000)]
    assert [bucket(k) for k in keys] == [bucket(k) for k in keys] and all(0 <= bucket(k) < 10_000 for k in keys)
    micro_at = {s: {k for k in keys if arm_for(k, s) == "micro"} for s in (0.0, 0.1, 0.5, 1.0)}
    assert not micro_at[0.0] and micro_at[1.0] == set(keys)
    assert micro_at[0.1] <= micro_at[0.5]  # raising the share never moves a micro client back
    assert abs(len(micro_at[0.1]) / len(keys) - 0.1) < 0.03


def test_ten_percent_split_is_sticky_and_recorded_then_promoted(ab):
    client, store, state = ab
    clients = [f"client-{i:03d}" for i in range(N_CLIENTS)]
    by_client, elapsed = burst(client, clients)
    arms = arms_of(by_client)
    assert arms == {c: arm_for(c, 0.1) for c in clients}
    n_micro = sum(a == "micro" for a in arms.values())
    assert 3 <= n_micro <= 20, n_micro  # about 10% of the clients
    assert elapsed < 20
    for c, bodies in by_client.items():
        assert {b["model"] for b in bodies} == {"micro-rules" if arms[c] == "micro" else "general-rules"}
    rows = store.decisions()
    assert len(rows) == 2 * N_CLIENTS and {r["arm"] for r in rows} == {"micro", "general"}
    assert sum(r["arm"] == "micro" for r in rows) == 2 * n_micro
    assert client.get("/health").json()["ab"]["micro_share"] == 0.1

    # Not enough reviewed decisions: the share holds, and the state file is untouched.
    held = promote(state, store, Gate(min_reviewed=5, min_decisions=5))
    assert (held.action, held.gate, held.applied, held.new_share) == ("hold", "insufficient", False, 0.1)
    assert any("too few reviewed" in r for r in held.reasons)

    # Both arms right on every reviewed decision: the gate holds and the share goes one step up.
    for r in rows:
        store.review(r["id"], "verified")
    dry = promote(state, store, Gate(min_reviewed=5, min_decisions=5), dry_run=True)
    assert (dry.action, dry.applied, read_state(state)["micro_share"]) == ("raise", False, 0.1)
    raised = promote(state, store, Gate(min_reviewed=5, min_decisions=5))
    assert (raised.action, raised.gate, raised.old_share, raised.new_share) == ("raise", "pass", 0.1, 0.5)
    assert raised.evidence["micro"]["accuracy"] == 1.0 and read_state(state)["micro_share"] == 0.5

    time.sleep(1.1)  # the service re-reads the state file at most once a second
    by_client, _ = burst(client, clients, rounds=1)
    arms_after = arms_of(by_client)
    assert arms_after == {c: arm_for(c, 0.5) for c in clients}
    assert all(arms_after[c] == "micro" for c in clients if arms[c] == "micro")
    assert 30 <= sum(a == "micro" for a in arms_after.values()) <= 70

    # Fresh evidence only (since the raise): the micro arm is now wrong on every reviewed decision -> back down.
    fresh = store.decisions(since=None)[2 * N_CLIENTS :]
    fix = {"action": "user_remove", "username": "jane"}
    for r in fresh:
        store.review(r["id"], "corrected", fix) if r["arm"] == "micro" else store.review(r["id"], "verified")
    lowered = promote(state, store, Gate(min_reviewed=5, min_decisions=5))
    assert (lowered.action, lowered.gate, lowered.new_share) == ("lower", "fail", 0.1), lowered
    assert "micro accuracy 0.000" in lowered.reasons[0]
    history = read_state(state)["history"]
    assert [(h["from"], h["to"]) for h in history] == [(None, 0.1), (0.1, 0.5), (0.5, 0.1)]

    report = monitor.report(store.decisions())
    assert report["arms"]["micro"]["reviewed"] > 0 and report["arms"]["general"]["fallback_rate"] == 0.0
    assert report["arms"]["micro"]["latency_ms_p95"] is not None


def test_promote_to_full_and_fallback_gate(tmp_path):
    state = tmp_path / "s.json"
    set_share(state, 0.1)
    t = read_state(state)["since"]
    rows = [{"created_at": t, "arm": "micro", "route": "micro", "review_status": "verified", "latency_ms": 5.0}] * 10
    rows += [{"created_at": t, "arm": "general", "route": "general", "review_status": "verified"}] * 10
    gate = Gate(min_reviewed=10, min_decisions=10, max_fallback_rate=0.2)
    full = promote(state, rows, gate, to_full=True)
    assert (full.action, full.new_share) == ("raise", 1.0)
    again = promote(state, rows, gate, fresh_only=False)
    assert (again.action, again.new_share, again.reasons[0]) == ("hold", 1.0, "already at 100%")
    fallback = [{**r, "route": "general"} if i < 5 else r for i, r in enumerate(rows)]  # half the micro arm fell back
    down = promote(state, fallback, gate, fresh_only=False)
    assert (down.action, down.new_share) == ("lower", 0.5) and "fallback rate 0.500" in down.reasons[0]
    with pytest.raises(FileNotFoundError):
        promote(tmp_path / "missing.json", rows)
    with pytest.raises(ValueError, match="within"):
        write_state(state, 1.5)


def test_shadow_mode_records_both_and_answers_with_one(tmp_path):
    store = DecisionStore(f"sqlite:///{tmp_path / 'decisions.db'}")
    micro, general = Rules("micro-rules"), Rules("general-rules")
    app = create_app(micro, general, store=store, options=options(micro_share=0.0, shadow=True))
    with running(app) as client:
        bodies = [client.post("/api/v1/parse", json={"query": q}).json() for q in QUERIES]
        deadline = time.monotonic() + 10
        while store.count() < 2 * len(QUERIES) and time.monotonic() < deadline:
            time.sleep(0.05)  # the shadow parse runs after the answer is sent
        health = client.get("/health").json()
    assert {b["arm"] for b in bodies} == {"general"} and {b["model"] for b in bodies} == {"general-rules"}
    rows = store.decisions()
    assert sorted(r["arm"] for r in rows) == ["general"] * 3 + ["shadow:micro"] * 3
    assert {r["model"] for r in rows if r["arm"] == "shadow:micro"} == {"micro-rules"}
    assert health["counters"]["shadow"] == {"n": 3, "agree": 3, "failed": 0} and health["ab"]["shadow"] is True


def test_forced_model_and_structured_requests_are_marked(tmp_path):
    store = DecisionStore(f"sqlite:///{tmp_path / 'decisions.db'}")
    app = create_app(Rules("micro-rules"), Rules("general-rules"), store=store, options=options(micro_share=0.5))
    with running(app) as client:
        forced = client.post("/api/v1/parse", json={"query": QUERIES[0]}, headers={"X-Use-Micro-LLM": "false"})
        fields = client.post("/api/v1/dns/add", json={"name": "api.local", "value": "10.0.0.5"})
        too_long = client.post("/api/v1/parse", json={"query": QUERIES[0]}, headers={"X-Client-Id": "x" * 201})
    assert forced.json()["arm"] == "header:general" and fields.json()["arm"] == "structured"
    assert too_long.status_code == 422
    assert [r["arm"] for r in store.decisions()] == ["header:general", "structured"]


def test_split_needs_a_general_model():
    with pytest.raises(ServeConfigError, match="general model"):
        create_app(Rules("micro-rules"), options=options(micro_share=0.1))


def test_state_watcher_follows_the_file_and_survives_a_bad_one(tmp_path):
    state = tmp_path / "s.json"
    set_share(state, 0.1)
    w = ShareWatcher(state, interval=0.0)
    assert w.current() == (0.1, False)
    set_share(state, 0.5, shadow=True)
    assert w.current() == (0.5, True)
    state.write_text("{not json")
    assert w.current() == (0.5, True)  # the last good split
    state.write_text(json.dumps({"micro_share": 2}))
    with pytest.raises(ValueError, match="within"):
        ShareWatcher(state)


def test_old_database_gains_the_arm_column(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = DecisionStore(url)
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE ai_decisions DROP COLUMN arm"))  # as a database made before the column
    store.engine.dispose()
    store = DecisionStore(url)
    i = store.record("Remove user jane", {"action": "user_remove", "username": "jane"}, "m", "micro", 0.9, 1.0, "ok",
                     arm="micro")  # fmt: skip
    assert store.get(i)["arm"] == "micro"
