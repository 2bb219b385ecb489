"""The simulated feedback loop (microllm.feedback.simulate): an honest stream, the whole loop at tiny size, no password
in clear text in the store, the chart."""

import json
import os
import time

import pytest
from conftest import ROOT

pytest.importorskip("sqlalchemy")

from microllm.config import load_config  # noqa: E402
from microllm.data.generate import all_templates, dedup_key  # noqa: E402
from microllm.data.io import read_jsonl  # noqa: E402
from microllm.data.split import templates_by_split  # noqa: E402
from microllm.feedback import simulate as sim  # noqa: E402
from microllm.feedback.redact import intent_passwords  # noqa: E402
from microllm.feedback.simulate import SimulateConfig, build_stream, check_disjoint  # noqa: E402

SYNTHETIC = ROOT / "data" / "synthetic"


def keys(rows):
    return {dedup_key(r["input"]) for r in rows}


def test_stream_parts_are_disjoint_and_never_seen_in_training():
    cfg = load_config(SimulateConfig, ROOT / "research" / "feedback-loop" / "simulate.yaml")
    parts = build_stream(cfg)
    assert {n: len(r) for n, r in parts.items()} == {"measure": 120, "gate": 50, "feed-1": 80, "feed-2": 80}
    feed = keys(parts["feed-1"]) | keys(parts["feed-2"])
    assert not feed & keys(parts["measure"]) and not feed & keys(parts["gate"])
    assert not keys(parts["measure"]) & keys(parts["gate"])
    assert sum(len(r) for r in parts.values()) == len(set().union(*(keys(r) for r in parts.values())))
    train_templates = {t.id for t in templates_by_split(all_templates())["train"]}
    assert not {r["template"] for rows in parts.values() for r in rows} & train_templates
    synthetic = set().union(*(keys(read_jsonl(SYNTHETIC / f"{s}.jsonl")) for s in ("train", "val", "test")))
    assert not set().union(*(keys(r) for r in parts.values())) & synthetic
    assert build_stream(cfg) == parts  # seeded
    with pytest.raises(ValueError, match="in both"):
        check_disjoint({"feed-1": parts["feed-1"], "measure": parts["measure"] + parts["feed-1"][:1]})


@pytest.mark.parametrize("override, message", [("gate_datasets=[test, measure]", "must not decide promotions"),
                                               ("stream_split=train", "never in train"),
                                               ("train_file=data/eval/dev.jsonl", "measurement only"),
                                               ("train_file=data/synthetic/test.jsonl", "measurement only"),
                                               ("train_file=data/real/val-real.jsonl", "val-real")])  # fmt: skip
def test_config_refuses_dishonest_settings(override, message):
    with pytest.raises(ValueError, match=message):
        load_config(SimulateConfig, ROOT / "research" / "feedback-loop" / "simulate.yaml", [override])


def test_smoke_simulation_end_to_end(tmp_path, monkeypatch):
    """Tiny model, two rounds of serve -> log -> review -> export -> 2 LoRA steps -> gate -> promote, < 60 s."""
    pytest.importorskip("trl")
    pytest.importorskip("peft")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    db = tmp_path / "decisions.db"
    cfg = sim.smoke_config(tmp_path, [f"db_url=sqlite:///{db}"])
    metrics = sim.simulate(cfg)
    seconds = time.perf_counter() - start
    assert seconds < 60, f"SMOKE simulation took {seconds:.0f}s"

    out = cfg.out_dir
    assert load_config(SimulateConfig, out / "config.yaml") == cfg
    assert json.loads((out / "metrics.json").read_text())["rounds"] == json.loads(json.dumps(metrics["rounds"]))
    assert (out / "accuracy_over_rounds.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert metrics["provenance"]["git_commit"] and "stream_measure" in metrics["provenance"]["data"]
    assert [a["round"] for a in metrics["accuracy_over_rounds"]] == [0, 1, 2]
    assert all({"test", "gate", "measure"} <= set(a) for a in metrics["accuracy_over_rounds"])
    facts = metrics["stream"]
    assert facts["templates_in_train_split"] == facts["feed_in_gate_or_measure"] == facts["in_synthetic_files"] == 0
    # +0 points suffices in SMOKE: both candidates are promoted, and round 2 trains from v2 (incremental).
    assert [r["candidate"] for r in metrics["rounds"]] == ["v2", "v3"] and all(r["promoted"] for r in metrics["rounds"])
    assert [r["served_by"] for r in metrics["rounds"]] == ["v1", "v2"]
    round2 = json.loads((out / "rounds" / "smoke-v3" / "retrain.json").read_text())
    assert round2["base_model"].endswith("smoke-v2/model/merged")
    for r in metrics["rounds"]:
        assert r["feed"] == 6 and r["review_queue"] == 6 and r["review_verified"] + r["review_corrected"] == 6
        m = r["monitor"]
        assert m["n"] == 6 and 0 <= m["fallback_rate"] <= 1 and sum(m["confidence_histogram"]["counts"]) <= 6
    assert metrics["rounds"][1]["exported_rows"] == 12  # cumulative: both rounds' reviewed requests

    # Only FEED requests ever became training rows (those with a password as stored: with its fake); gate and
    # measure requests never did.
    stream = {p.stem: read_jsonl(p) for p in (out / "stream").glob("*.jsonl")}
    feed = stream["feed-1"] + stream["feed-2"]
    passwords = {p for r in feed for p in intent_passwords(r["output"])}
    assert passwords, "the SMOKE stream should serve at least one request with a password"
    rows = read_jsonl(cfg.work_dir / "rounds" / "smoke-v3" / "feedback.jsonl")
    assert len(rows) == 12 and not keys(rows) & (keys(stream["gate"]) | keys(stream["measure"]))
    assert len(keys(rows) - keys(feed)) == sum(bool(intent_passwords(r["output"])) for r in feed)

    # Passwords of the served requests never reach the store's files in clear text.
    files = list(tmp_path.glob("decisions.db*"))
    assert files
    for path in files:
        data = path.read_bytes()
        assert not any(p.encode() in data for p in passwords), path

    # Run-or-load: the same config is loaded, not run again.
    monkeypatch.setattr(sim, "simulate", lambda cfg: pytest.fail("ran again"))
    assert sim.simulate_or_load(cfg)["rounds"] == json.loads(json.dumps(metrics["rounds"]))


def test_gguf_paths_pass_through(tmp_path):
    assert sim.gguf_for(tmp_path / "m-Q4_K_M.gguf", tmp_path / "cache") == tmp_path / "m-Q4_K_M.gguf"


def test_a_model_retrained_in_place_gets_a_fresh_gguf(tmp_path):
    import os

    model = tmp_path / "merged"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"v1")
    first = sim.gguf_cache_name(model, "Q8_0")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / first).write_bytes(b"cached")
    assert sim.gguf_for(model, tmp_path / "cache", "Q8_0") == tmp_path / "cache" / first  # cached: reused
    (model / "model.safetensors").write_bytes(b"v2 weights")
    os.utime(model / "model.safetensors", ns=(1, 1))
    assert sim.gguf_cache_name(model, "Q8_0") != first
    assert sim.gguf_cache_name(model, "Q8_0").endswith("-Q8_0.gguf")


def test_the_dev_set_can_never_gate_a_promotion():
    import pytest

    from microllm.feedback.simulate import SimulateConfig

    with pytest.raises(ValueError, match="dev set only ever measures"):
        SimulateConfig(gate_datasets=["test", "dev"])
