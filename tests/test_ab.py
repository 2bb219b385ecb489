"""A/B runner on a few synthetic test rows with the rules and classic baselines; McNemar on a constructed case."""

import json

import pytest
from conftest import ROOT

from microllm.ab import ABConfig, mcnemar, run_ab
from microllm.cli import main
from microllm.config import load_config

TEST_FILE = str(ROOT / "data" / "synthetic" / "test.jsonl")
ROUTER = {"micro": "micro", "general": "general", "strategy": "confidence", "threshold": 0.9}


def test_mcnemar_by_hand():
    # 8 rows only A gets right, 1 only B: exact two-sided p = 2 * (C(9,8) + C(9,9)) / 2^9 = 20/512.
    a = [True] * 8 + [False] + [True] * 5 + [False] * 3
    b = [False] * 8 + [True] + [True] * 5 + [False] * 3
    got = mcnemar(a, b)
    assert (got["only_a_correct"], got["only_b_correct"], got["n_discordant"]) == (8, 1, 9)
    assert got["p_value"] == pytest.approx(20 / 512)
    assert mcnemar([True, False], [True, False])["p_value"] == 1.0  # no discordant pair: no evidence


@pytest.fixture(scope="module")
def small_train(tmp_path_factory):
    """Classic fitted on 400 training rows: seconds, not the full split's ~20 s."""
    path = tmp_path_factory.mktemp("ab") / "train.jsonl"
    lines = (ROOT / "data" / "synthetic" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[::7][:400]) + "\n", encoding="utf-8")
    return str(path)


def test_run_ab_tiny(tmp_path, small_train):
    arms = {"micro": {"predictor": "rules"},
            "general": {"predictor": "classic", "kwargs": {"train_file": small_train}},
            "routed": {"router": ROUTER},
            "keyword": {"router": {"micro": "micro", "general": "general", "strategy": "keyword"}}}  # fmt: skip
    cfg = ABConfig(arms=arms, datasets={"test": TEST_FILE}, limits={"test": 8}, results_dir=str(tmp_path),
                   run="tiny", warmup=1, bootstrap_resamples=200, price_per_core_hour=0.5)  # fmt: skip
    table = run_ab(cfg, command="pytest")
    out = tmp_path / "ab" / "tiny"
    assert {p.name for p in out.iterdir()} == {"config.yaml", "metrics.json", "predictions.jsonl"}
    assert load_config(ABConfig, out / "config.yaml").arms == arms  # the exact config travels with the results
    assert list(table["arm"]) == ["micro", "general", "routed", "keyword"] and set(table["n"]) == {8}

    m = json.loads((out / "metrics.json").read_text())
    assert m["provenance"]["command"] == "pytest" and m["process_peak_rss_mb"] > 0
    for name in arms:
        a = m["arms"][name]["test"]
        lo, hi = a["exact_match_ci95"]
        assert lo <= a["exact_match"] <= hi and a["valid_json_rate"] == 1.0
        assert a["p95_ms"] >= a["p50_ms"] > 0 and a["cpu_s_per_query"] > 0
        assert a["cost_per_million"] == pytest.approx(a["cpu_s_per_query"] / 3600 * 0.5 * 1e6)
        assert a["model_size_mb"] is None  # baselines have no model file
    assert m["arms"]["routed"]["test"]["routing"]["n"] == 8
    assert set(m["mcnemar"]["test"]) == {"micro vs general", "micro vs routed", "micro vs keyword",
                                         "general vs routed", "general vs keyword", "routed vs keyword"}  # fmt: skip

    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == 4 * 8
    by = {(r["arm"], r["id"]): r for r in rows}
    for r in rows:
        if r["arm"] not in ("routed", "keyword"):
            continue
        # A routed answer is exactly the answer of the arm it was routed to, and costs at least that arm's run.
        source = by[("micro" if r["route"] == "micro" else "general", r["id"])]
        assert r["output"] == source["output"] and r["latency_ms"] >= source["latency_ms"]
        if r["arm"] == "routed":  # the confidence router always pays for the micro model
            assert r["cpu_s"] >= by[("micro", r["id"])]["cpu_s"]


def test_router_arm_must_name_predictor_arms(tmp_path):
    cfg = ABConfig(arms={"micro": {"predictor": "rules"}, "routed": {"router": ROUTER}},
                   datasets={"test": TEST_FILE}, limits={"test": 2}, results_dir=str(tmp_path))  # fmt: skip
    with pytest.raises(ValueError, match="not predictor arms"):
        run_ab(cfg)


def test_cli_ab(tmp_path, capsys):
    arms = "{micro: {predictor: rules}, general: {predictor: rules}, routed: {router: ROUTER}}"
    arms = arms.replace("ROUTER", "{micro: micro, general: general}")
    code = main(["ab", "--config", str(ROOT / "recipes" / "qwen-coder-0.5b-lora" / "ab.yaml"), "--set", f"arms={arms}",
                 f"datasets={{test: {TEST_FILE}}}", "limits={test: 3}", f"results_dir={tmp_path}", "run=cli",
                 "bootstrap_resamples=100"])  # fmt: skip
    assert code == 0 and (tmp_path / "ab" / "cli" / "metrics.json").exists()
    assert "routed" in capsys.readouterr().out
