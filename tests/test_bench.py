"""The benchmark's CPU, memory, decoding-count, stage and cost columns, measured on fake predictors (no GGUF): one
like the decoding engine (it reports passes, tokens and stage times), one like an older backend (only its timings),
and the rules baseline."""

import json
import math
import mmap
import time
from types import SimpleNamespace

import pytest
from conftest import ROOT

from microllm.bench import STAGES, BenchConfig, render_markdown, run_benchmark, usage_measures
from microllm.predictors import _REGISTRY, Prediction


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


class FakeEngine:
    """Burns CPU (as llama.cpp's threads would) and reports the engine's usage keys, without a ``rules`` stage."""

    def __init__(self, model: str, **_):
        self.resolved = SimpleNamespace(size_bytes=100 * 2**20)
        self.last_usage: dict = {}
        self.hold = None

    def predict(self, text: str) -> Prediction:
        # Its own mapping, written, so its pages are resident while the call runs and returned after it (a malloc'd
        # buffer can stay resident in the allocator's heap between calls, and calloc's pages are never touched).
        self.hold = mmap.mmap(-1, 48 * 2**20)
        self.hold.write(b"\x01" * len(self.hold))
        time.sleep(0.03)  # long enough for the RSS sampler to see it
        self.hold.close()
        _burn(0.004)
        self.last_usage = {"prompt_tokens": 40, "completion_tokens": 12, "forward_passes": 5, "sampled_tokens": 4,
                           "forced_tokens": 8, "stage_ms": {"prompt": 3.0, "forced": 1.0, "sampled": 2.0,
                                                            "mask": 0.5, "grammar": 0.0}}  # fmt: skip
        return Prediction({"action": "unknown"}, "{}")


class FakeOldBackend:
    """Mostly waits (wall time without CPU) and reports only an older backend's usage keys."""

    def __init__(self, model: str, **_):
        self.resolved = SimpleNamespace(size_bytes=400 * 2**20)
        self.last_usage: dict = {}

    def predict(self, text: str) -> Prediction:
        time.sleep(0.02)
        self.last_usage = {"prompt_tokens": 40, "reused_prefix": 30, "completion_tokens": 12, "prompt_eval_s": 0.005,
                           "decode_s": 0.015, "speculative": None}  # fmt: skip
        return Prediction({"action": "unknown"}, "{}")


def _fake(model: str, **kwargs):
    return (FakeEngine if model == "micro" else FakeOldBackend)(model, **kwargs)


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("bench")
    cfg = BenchConfig(models=["micro", "general"], backend="fake", constrained=[True], baselines=["rules"],
                      queries_file=str(ROOT / "data" / "synthetic" / "test.jsonl"), n_queries=3, warmup=1, repeats=2,
                      reference="general:constrained", usd_per_cpu_hour=0.5, results_dir=str(tmp_path),
                      run="fake")  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(_REGISTRY, "fake", _fake)
        table = run_benchmark(cfg).set_index("arm")
    record = json.loads((tmp_path / "bench" / "fake" / "bench.json").read_text())
    return cfg, table, record, (tmp_path / "bench" / "fake" / "bench.md").read_text(), tmp_path


def test_every_arm_and_the_rules_baseline_get_cpu_memory_and_cost(bench):
    cfg, table, record, _, _ = bench
    assert list(table.index) == ["micro:constrained", "general:constrained", "rules"]
    assert list(table["kind"]) == ["model", "model", "baseline"]
    assert (table["cpu_s_median"] > 0).all() and (table["cpu_s_mean"] > 0).all()
    micro, general = table.loc["micro:constrained"], table.loc["general:constrained"]
    assert micro["cpu_s_median"] >= 0.004  # the burn is process time
    assert general["cpu_s_median"] < general["p50_ms"] / 1000 / 2  # sleeping is wall time, not CPU time
    for arm, row in table.iterrows():  # cost from the measured CPU time and the configured price
        assert row["usd_per_1m_requests"] == pytest.approx(row["cpu_s_median"] * 1e6 / 3600 * 0.5), arm
    assert micro["call_growth_mb"] > 24 and micro["peak_ram_mb"] >= micro["rss_added_mb"] + 24
    assert (table["peak_rss_mb"] > 0).all() and "rss_added_mb" in table
    assert record["usd_per_cpu_hour"] == 0.5 and record["reference"] == cfg.reference


def test_ratios_come_from_the_measured_values(bench):
    _, table, record, _, _ = bench
    ref = table.loc["general:constrained"]
    assert table["x_faster"].tolist() == pytest.approx((ref["p50_ms"] / table["p50_ms"]).tolist())
    assert table["p50_vs_general:constrained"].tolist() == pytest.approx((table["p50_ms"] / ref["p50_ms"]).tolist())
    assert table.loc["micro:constrained", "size_vs_reference"] == pytest.approx(0.25)
    assert math.isnan(table.loc["rules", "size_mb"]) and math.isnan(table.loc["rules", "size_vs_reference"])
    assert record["rows"][2]["size_mb"] is None  # no model file: null in the record, not 0


def test_decoding_counts_and_stages_are_read_and_missing_ones_stay_empty(bench):
    _, table, record, md, _ = bench
    micro, general, rules = (table.loc[a] for a in ("micro:constrained", "general:constrained", "rules"))
    assert (micro["passes_per_answer"], micro["sampled_per_answer"], micro["forced_per_answer"]) == (5, 4, 8)
    assert micro["tokens_per_pass"] == pytest.approx(12 / 5) and micro["usage_source"] == "engine"
    assert micro["stage_prompt_ms"] == 3.0 and micro["stage_mask_ms"] == 0.5 and micro["stage_grammar_ms"] == 0.0
    assert math.isnan(micro["stage_rules_ms"])  # not reported: empty, not 0
    # An older backend: the prompt and the rest of decoding from its timings, nothing it cannot say.
    assert general["usage_source"] == "derived" and general["stage_prompt_ms"] == pytest.approx(5.0)
    assert general["stage_sampled_ms"] == pytest.approx(15.0) and general["answer_tokens"] == 12
    assert all(math.isnan(general[c]) for c in ("passes_per_answer", "sampled_per_answer", "forced_per_answer",
                                                "stage_forced_ms", "stage_mask_ms", "stage_rules_ms"))  # fmt: skip
    assert rules["usage_source"] == "none" and math.isnan(rules["tokens_per_pass"])
    assert all(math.isnan(rules[f"stage_{s}_ms"]) for s in STAGES)
    row = record["rows"][0]
    assert row["stage_rules_ms"] is None and row["forced_per_answer"] == 8
    # bench.md: the machine, the arms table and the stages table; empty cells where nothing was reported.
    assert f"CPU: {record['provenance']['machine']['cpu']}" in md
    assert "| arm | p50 ms | p95 ms | x faster | CPU-s/req | peak RAM MB | size MB |" in md
    assert "| arm | prompt | forced | sampled | mask | grammar | draft | rules | source |" in md
    assert "| `micro:constrained` | 3.00 | 1.00 | 2.00 | 0.500 | 0 |  |  | engine |" in md
    assert "| `rules` |  |  |  |  |  |  |  | none |" in md
    assert "0.5 USD per CPU-hour, an assumed price" in md


def test_usage_measures_never_invent_what_is_missing():
    assert usage_measures({}) == ({}, "none")
    measures, source = usage_measures({"completion_tokens": 9, "speculative": {"passes": 3}})
    assert measures == {"passes": 3, "answer": 9} and source == "derived"
    measures, source = usage_measures({"sampled_tokens": 2, "forced_tokens": 5, "stage_ms": {"prompt": 1.5}})
    assert measures == {"sampled": 2, "forced": 5, "answer": 7, "stage_prompt": 1.5} and source == "engine"
    measures, _ = usage_measures({"forward_passes": 2, "accepted_tokens": 6, "stage_ms": {"draft": 0.4}})
    assert measures == {"passes": 2, "accepted": 6, "stage_draft": 0.4}


def test_a_drafter_other_than_the_default_is_named_in_the_arm():
    from microllm.bench import _arm_name

    assert _arm_name("m.gguf", True, True) == _arm_name("m.gguf", True, True, "rules") == "m.gguf:constrained:grounded"
    assert _arm_name("m.gguf", True, True, "none") == "m.gguf:constrained:grounded:no-draft"


def test_an_older_record_still_renders():
    ref = "p50_vs_general:constrained"
    old = {"rows": [{"arm": "a/m.gguf:constrained", "p50_ms": 500.0, "p95_ms": 900.0, "queries_per_s": 1.5,
                     "tokens_per_pass": 1.0, "rss_added_mb": 550.0, "size_mb": 440.0, ref: 0.5},
                    {"arm": "general:constrained", "p50_ms": 1000.0, "p95_ms": 2000.0, "queries_per_s": 0.5,
                     "tokens_per_pass": 1.0, "rss_added_mb": 1900.0, "size_mb": 1066.0, ref: 1.0}],
           "n_timed_queries": 20, "repeats": 3,
           "provenance": {"machine": {"cpu": "AMD EPYC", "cpu_isa": ["avx2"], "cpu_count": 2}}}  # fmt: skip
    md = render_markdown(old, "old")
    assert "CPU: AMD EPYC (avx2), 2 cores;" in md and "reference: `general:constrained`" in md
    assert "| `m.gguf:constrained` | 500 | 900 | 2.00x |  | 550 | 440 |  |  |  |  |  |" in md  # RAM: load delta
    assert "not in this record" in md


def test_an_unknown_reference_is_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(_REGISTRY, "fake", _fake)
    cfg = BenchConfig(models=["general"], backend="fake", constrained=[True], reference="nope", n_queries=1, warmup=0,
                      repeats=1, queries_file=str(ROOT / "data" / "synthetic" / "test.jsonl"),
                      results_dir=str(tmp_path))  # fmt: skip
    with pytest.raises(ValueError, match="reference 'nope' is not an arm"):
        run_benchmark(cfg)


def test_the_readers_take_a_record_with_the_rules_arm(bench):
    from microllm_research.readme import render_bench_runs
    from microllm_research.report_models import bench_table
    from microllm_research.report_speed import speed_table

    _, table, _, _, tmp_path = bench
    speed = speed_table(tmp_path, "fake")
    assert list(speed["decoding"]) == ["forced tokens batched", "one pass per token", "no model"]
    assert math.isnan(speed["tokens_per_pass"].iloc[2]) and speed["speedup_vs_general"].iloc[1] == 1.0
    assert len(bench_table(tmp_path, "fake")) == 3
    page = render_bench_runs(tmp_path, tmp_path)
    assert "| arm | p50 | p95 | queries/s | size | x faster | CPU-s/req | peak RAM | USD per 1M req |" in page
    rules = next(line for line in page.splitlines() if line.startswith("| `rules`"))
    assert "| - MB |" in rules and f"{table.loc['rules', 'usd_per_1m_requests']:.2f} |" in rules
