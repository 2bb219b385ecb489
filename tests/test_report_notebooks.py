"""The notebooks' compact tables and capped charts (notebooks 01-03) on small fabricated results trees."""

import json

import pandas as pd
import pytest
from conftest import write_record as write

from microllm_research.report import load_baselines, scores_table
from microllm_research.report_errors import plot_error_kinds
from microllm_research.report_finetune import plot_learning_curves, plot_losses, recipe_run, training_summary
from microllm_research.report_models import base_models, bench_table, headline, plot_per_category
from microllm_research.report_runs import candidates, plot_runs


def test_baseline_scores_load_and_fit_the_page(tmp_path):
    write(tmp_path / "baselines" / "summary.json",
          [{"predictor": "rules", "dataset": "dev", "n": 10, "exact_match": 0.81234, "em_ci95_low": 0.6,
            "em_ci95_high": 0.9, "field_f1": 0.91234, "action_accuracy": 0.95, "valid_json_rate": 1.0}])  # fmt: skip
    table = scores_table(load_baselines(tmp_path))
    assert list(table.columns) == ["predictor", "dataset", "n", "exact match [95% CI]", "field F1", "action"]
    assert table.loc[0, "exact match [95% CI]"] == "0.812 [0.600, 0.900]" and table.loc[0, "field F1"] == 0.912


def test_general_model_tables_drop_fine_tuned_arms_and_stay_narrow(tmp_path):
    arm = {"dataset": "dev", "n": 10, "em_ci95_low": 0.1, "em_ci95_high": 0.9, "valid_json_rate": 0.98765,
           "p50_ms": 812.4, "size_mb": 380.6, "constrained": True}  # fmt: skip
    table = pd.DataFrame(
        [
            {**arm, "model": "m", "prompt": "few-shot", "exact_match": 0.5},
            {**arm, "model": "a/run.gguf", "prompt": "trained", "exact_match": 0.9},
            {**arm, "model": "m", "prompt": "zero-shot", "exact_match": 0.3, "constrained": False},
        ]
    )
    general = base_models(table)
    assert list(general["prompt"]) == ["few-shot", "zero-shot"]
    top = headline(general, "dev")
    assert len(top.columns) == 8 and list(top["decoding"]) == ["grammar", "free"]
    assert top.loc[0, "valid JSON"] == 0.988 and top.loc[0, "p50 ms"] == 812
    assert headline(table, "dev").loc[0, "model"] == "run"  # a GGUF path shows as its file's stem


def test_charts_refuse_more_series_than_a_reader_can_follow(tmp_path):
    with pytest.raises(ValueError, match="at most 6"):
        plot_per_category(pd.DataFrame({f"arm{i}": [0.5] for i in range(7)}, index=["dns"]))
    for i in range(7):
        run = tmp_path / "finetune" / f"r{i}"
        write(run / "train_log.jsonl", [{"step": 1, "loss": 1.0, "epoch": 1.0}])
    with pytest.raises(ValueError, match="pass runs"):
        plot_losses(tmp_path)
    assert len(plot_losses(tmp_path, runs=["r0", "r1"]).axes[0].lines) == 4  # train lines and validation dots


def test_bench_table_keeps_latency_and_throughput(tmp_path):
    assert bench_table(tmp_path, "none").empty
    write(
        tmp_path / "bench" / "b" / "bench.json",
        {"rows": [{"arm": "m:constrained", "p50_ms": 101.26, "p95_ms": 150.7, "queries_per_s": 9.8765, "x": 1}]},
    )
    assert bench_table(tmp_path, "b").to_dict("records") == [
        {"arm": "m:constrained", "p50 ms": 101.0, "p95 ms": 151.0, "queries/s": 9.88}]  # fmt: skip


def test_recipe_run_falls_back_to_the_committed_record(tmp_path, capsys):
    metrics = {"run": "old", "base_model": "b", "method": "lora", "examples": 40, "steps": 10, "epochs": 1.0,
               "seconds_total": 600.0, "trainable_params": 8_800_000, "first_loss": 1.2, "eval_loss": 0.02164,
               "seconds_per_step_median": 8.17}  # fmt: skip
    write(tmp_path / "finetune" / "old" / "metrics.json", metrics)
    assert recipe_run(tmp_path, "new", "old") == "old"
    assert "results/finetune/old" in capsys.readouterr().out
    write(tmp_path / "finetune" / "new" / "metrics.json", {**metrics, "run": "new"})
    assert recipe_run(tmp_path, "new", "old") == "new"
    facts = training_summary(tmp_path, "new")["new"]
    assert facts["minutes"] == "10" and facts["validation loss"] == "0.0216"
    assert facts["trainable parameters (M)"] == "8.8"


def test_learning_curves_one_line_per_curve(tmp_path):
    point = {"dev_exact_match": 0.5, "dev_ci95": [0.4, 0.6]}
    write(tmp_path / "finetune" / "c1" / "curve.json", {"points": [{"examples": 250, **point},
                                                                  {"examples": 500, **point}]})  # fmt: skip
    ax = plot_learning_curves(tmp_path, {"a": "c1", "missing": "c2"}).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a"]
    assert list(ax.get_xticks()) == [250, 500]


def _run(root, run, base, method, dev, seconds=600):
    write(
        root / "finetune" / run / "metrics.json",
        {"run": run, "base_model": base, "method": method, "examples": 100, "steps": 10, "seconds_total": seconds},
    )
    write(
        root / "eval" / f"{run}-arm" / "dev" / "metrics.json",
        {
            "predictor": "llamacpp:x",
            "data": "data/eval/dev.jsonl",
            "n": 160,
            "exact_match": dev,
            "exact_match_ci95": [dev - 0.05, dev + 0.05],
            "arm": {"model": f"artifacts/quantized/{run}/{run}.gguf"},
        },
    )


def test_candidates_leave_out_reproductions_and_sort_by_dev(tmp_path):
    _run(tmp_path, "a", "gemma", "lora", 0.6)
    _run(tmp_path, "b", "qwen", "lora", 0.9, seconds=3000)
    _run(tmp_path, "b-repro", "qwen", "lora", 0.91)
    write(
        tmp_path / "finetune" / "c" / "metrics.json",
        {"run": "c", "base_model": "gemma", "method": "full", "examples": 1, "steps": 1, "seconds_total": 1},
    )
    table = candidates(tmp_path)
    assert list(table["run"]) == ["b", "a"]  # no repro, no unscored run
    assert list(table.columns) == ["run", "base", "method", "rows", "minutes", "val", "dev", "dev 95% CI"]
    assert table.loc[0, "minutes"] == 50 and table.loc[0, "dev 95% CI"] == "[0.850, 0.950]"
    ax = plot_runs(tmp_path).axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["a", "b"]
    assert len(plot_runs(tmp_path, base_model="gemma").axes[0].texts) == 1


def test_error_kind_bars_stack_to_one():
    table = pd.DataFrame([{"arm": "x", "dataset": "dev", "n": 4, "exact": 0.5, "action": 0.25,
                           "invented value": 0.25, "other field": 0.0, "no output": 0.0}])  # fmt: skip
    ax = plot_error_kinds(table, "dev").axes[0]
    assert sum(p.get_width() for p in ax.patches) == pytest.approx(1.0) and len(ax.get_legend().get_texts()) == 5


def test_recipe_scores_read_the_recipes_record_or_the_earlier_one(tmp_path, capsys):

    from microllm_research.report_finetune import recipe_scores

    def write(run, em):
        rows = [
            {
                "dataset": d,
                "n": 10,
                "exact_match": em,
                "em_ci95_low": em - 0.1,
                "em_ci95_high": em + 0.05,
                "valid_json_rate": 1.0,
                "p50_ms": 400.0,
                "grounded": g,
            }
            for d in ("dev", "val")
            for g in (True, False)
        ]
        (tmp_path / "compare" / run).mkdir(parents=True)
        (tmp_path / "compare" / run / "summary.json").write_text(json.dumps(rows))  # fmt: skip

    write("earlier", 0.8)
    table = recipe_scores(tmp_path, "recipe", "earlier")
    assert list(table["data"]) == ["val", "dev"] and set(table["exact match"]) == {0.8}
    assert "compare/earlier" in capsys.readouterr().out
    write("recipe", 0.9)
    assert set(recipe_scores(tmp_path, "recipe", "earlier")["exact match"]) == {0.9}
    assert "compare/recipe/" in capsys.readouterr().out
