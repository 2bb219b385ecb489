"""The base-model comparison and the benchmark run end to end on a tiny GGUF; unavailable models are listed."""

import hashlib
import json
import shutil

import pytest
from conftest import ROOT

from microllm.bench import BenchConfig, run_benchmark
from microllm.compare import CompareConfig, run_comparison, run_slug
from microllm.decode import DECODER
from microllm.rules import DEFAULT_RULES, LEGACY_FINISH, rules_signature
from microllm.testing import make_tiny_gguf


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(make_tiny_gguf(tmp_path_factory.mktemp("tiny") / "tiny.gguf"))


def test_comparison_scores_available_models_and_lists_the_rest(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = CompareConfig(models=[tiny, "phi-3-mini-4k-instruct"], prompts=["zero-shot"], constrained=[True],
                        datasets={"dev": str(ROOT / "data" / "eval" / "dev.jsonl")}, limits={"dev": 3},
                        n_threads=1, max_tokens=12, results_dir=str(tmp_path), run="tiny")  # fmt: skip
    table, missing = run_comparison(cfg, log=lambda _: None)
    assert list(table["n"]) == [3] and table["size_mb"].iloc[0] > 0
    assert missing.to_dict("records")[0]["model"] == "phi-3-mini-4k-instruct"
    assert "not available offline" in missing.to_dict("records")[0]["reason"]
    out = tmp_path / "compare" / "tiny"
    assert {p.name for p in out.iterdir()} >= {"config.yaml", "summary.json", "unavailable.json", "summary.md"}
    metrics = tmp_path / "eval" / run_slug(tiny, "llamacpp", "zero-shot", True) / "dev" / "metrics.json"
    assert json.loads(metrics.read_text())["n"] == 3
    # Every model-backend record names the decoding loop that made it; one from another loop is scored again.
    record = json.loads(metrics.read_text())
    assert record["arm"]["decoder"] == DECODER
    metrics.write_text(json.dumps({**record, "arm": {**record["arm"], "decoder": "old-loop"}, "exact_match": -3.0}))
    rescored, _ = run_comparison(cfg, log=lambda _: None)
    assert rescored["exact_match"].iloc[0] == table["exact_match"].iloc[0] >= 0
    # Grounded and plain side by side: the plain arm is reused, the grounded one has its own records and row.
    both, _ = run_comparison(
        CompareConfig(**{**cfg.__dict__, "models": [tiny], "ground": [False, True]}), log=lambda _: None
    )
    assert list(both["grounded"]) == [False, True] and both["metrics"].iloc[0] == table["metrics"].iloc[0]
    grounded = json.loads((metrics.parent.parent.parent / (metrics.parent.parent.name + "-grounded") / "dev" /
                           "metrics.json").read_text())  # fmt: skip
    assert grounded["arm"]["ground"] is True and grounded["predictor"].endswith(":grounded")
    assert grounded["arm"]["rules"] == grounded["rules"] == rules_signature(DEFAULT_RULES)
    assert "finish" not in grounded["arm"] and "rechecked" not in both
    # A record from before the rules had names, "finish": 4, is one of the default rules at version 1: reused while
    # no default rule has been bumped since.
    path = metrics.parent.parent.parent / (metrics.parent.parent.name + "-grounded") / "dev" / "metrics.json"
    legacy = {k: v for k, v in grounded["arm"].items() if k != "rules"}
    path.write_text(json.dumps({**grounded, "arm": {**legacy, "finish": 4}, "exact_match": -2.0}))
    kept, _ = run_comparison(
        CompareConfig(**{**cfg.__dict__, "models": [tiny], "ground": [False, True]}), log=lambda _: None
    )
    assert (kept["exact_match"].iloc[1] == -2.0) == (LEGACY_FINISH[4] == rules_signature(DEFAULT_RULES))
    # A grounded record made under other rules (an older finishing version) is stale: scored again, not reused.
    path.write_text(json.dumps({**grounded, "arm": {**legacy, "finish": 3}, "exact_match": -1.0}))
    again, _ = run_comparison(
        CompareConfig(**{**cfg.__dict__, "models": [tiny], "ground": [False, True]}), log=lambda _: None
    )
    assert again["exact_match"].iloc[1] == both["exact_match"].iloc[1] >= 0
    assert json.loads(path.read_text())["arm"]["rules"] == rules_signature(DEFAULT_RULES)
    # The recheck setting left compare: a config that still names it is refused.
    with pytest.raises(TypeError, match="recheck"):
        CompareConfig(**{**cfg.__dict__, "recheck": [False, True]})
    # The default drafter goes unrecorded (answers do not depend on it); another one is recorded and makes the
    # default's record stale for it. An unknown drafter is refused before any model loads.
    assert "draft" not in record["arm"]
    undrafted, _ = run_comparison(CompareConfig(**{**cfg.__dict__, "models": [tiny], "draft": "none"}),
                                  log=lambda _: None)  # fmt: skip
    assert json.loads(metrics.read_text())["arm"]["draft"] == "none"
    assert undrafted["exact_match"].iloc[0] == table["exact_match"].iloc[0]
    with pytest.raises(ValueError, match="draft must be one of"):
        CompareConfig(**{**cfg.__dict__, "draft": "oracle"})


def test_run_slug_is_path_safe():
    assert run_slug("/x/y/Tiny Model.gguf", "llamacpp", "few-shot", False) == "llamacpp-Tiny-Model-few-shot-free"


def test_benchmark_reports_medians_and_ratios(tiny, tmp_path):
    cfg = BenchConfig(models=[tiny], constrained=[True, False], prompt="zero-shot", n_queries=2, warmup=1, repeats=2,
                      n_threads=1, queries_file=str(ROOT / "data" / "synthetic" / "test.jsonl"),
                      results_dir=str(tmp_path), run="tiny", ground=[False, True])  # fmt: skip
    table = run_benchmark(cfg)
    assert len(table) == 3 and (table["p50_ms"] > 0).all() and (table["p95_ms"] >= table["p50_ms"]).all()
    assert list(table["arm"]) == [f"{tiny}:constrained", f"{tiny}:constrained:grounded", f"{tiny}:free"]
    # Forced tokens ride along with the sampled ones: more than one answer token per forward pass when constrained.
    assert (table["tokens_per_pass"].iloc[:2] > 1.0).all() and table["tokens_per_pass"].iloc[2] == pytest.approx(
        1.0, abs=0.05
    )
    ratio = [c for c in table.columns if c.startswith("p50_vs_")][0]
    assert table[ratio].iloc[0] == pytest.approx(1.0)
    record = json.loads((tmp_path / "bench" / "tiny" / "bench.json").read_text())
    assert record["repeats"] == 2 and record["provenance"]["machine"]["cpu_count"]


def test_a_retrained_model_at_the_same_path_is_scored_again(tiny, tmp_path, monkeypatch):
    model = tmp_path / "model.gguf"
    shutil.copy(tiny, model)
    cfg = CompareConfig(models=[str(model)], prompts=["zero-shot"], constrained=[True],
                        datasets={"dev": str(ROOT / "data" / "eval" / "dev.jsonl")}, limits={"dev": 2},
                        n_threads=1, max_tokens=8, results_dir=str(tmp_path), run="tiny")  # fmt: skip
    metrics = tmp_path / "eval" / run_slug(str(model), "llamacpp", "zero-shot", True) / "dev" / "metrics.json"
    run_comparison(cfg, log=lambda _: None)
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    assert json.loads(metrics.read_text())["arm"]["weights_sha256"] == {str(model): digest}
    stamp = metrics.stat().st_mtime_ns
    run_comparison(cfg, log=lambda _: None)
    assert metrics.stat().st_mtime_ns == stamp  # same weights: reused, not rewritten
    with model.open("ab") as f:  # "retrained": same path, other bytes
        f.write(b"\0" * 32)
    monkeypatch.setattr("microllm.compare.evaluate", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("rescored")))
    with pytest.raises(RuntimeError, match="rescored"):
        run_comparison(cfg, log=lambda _: None)


def test_a_scored_model_whose_weights_are_gone_keeps_its_recorded_rows(tiny, tmp_path):
    model = tmp_path / "model.gguf"
    shutil.copy(tiny, model)
    cfg = CompareConfig(models=[str(model)], prompts=["zero-shot"], constrained=[True], ground=[False, True],
                        datasets={"dev": str(ROOT / "data" / "eval" / "dev.jsonl")}, limits={"dev": 2},
                        n_threads=1, max_tokens=8, results_dir=str(tmp_path), run="tiny")  # fmt: skip
    scored, _ = run_comparison(cfg, log=lambda _: None)
    model.unlink()  # a fresh clone: results/ committed, artifacts/ not
    kept, missing = run_comparison(cfg, log=lambda _: None)
    assert kept.to_dict("records") == scored.to_dict("records")
    assert "does not exist" in missing["reason"][0] and "recorded scores are kept" in missing["reason"][0]
    # Settings that were never scored (another limit) have no record: unavailable, and no row.
    other, missing = run_comparison(CompareConfig(**{**cfg.__dict__, "limits": {"dev": 3}}), log=lambda _: None)
    assert other.empty and "recorded" not in missing["reason"][0]
