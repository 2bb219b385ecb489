"""Notebook 03/04 report helpers on small fabricated results trees (the real ones come from `make all`)."""

import json

import pandas as pd
import pytest
from conftest import write_record as write

from microllm_research.report_finetune import before_after, confidence_modes, load_profile, load_runs, plot_losses
from microllm_research.report_models import grounding_effect, load_comparison, recheck_effect
from microllm_research.report_quantize import nf4_table, plot_tradeoffs, quant_table, quant_tables, quant_targets


def test_runs_losses_and_profile(tmp_path):
    run = tmp_path / "finetune" / "r1"
    write(run / "metrics.json", {"run": "r1", "base_model": "b", "method": "lora", "examples": 40, "steps": 10,
                                 "epochs": 2.0, "seconds_total": 120.0, "final_loss": 0.1})  # fmt: skip
    write(run / "train_log.jsonl", [{"step": 5, "loss": 1.0, "epoch": 1.0}, {"step": 10, "loss": 0.5, "epoch": 2.0},
                                    {"step": 10, "eval_loss": 0.6}])  # fmt: skip
    runs = load_runs(tmp_path)
    assert runs.loc[0, "minutes"] == 2.0 and runs.loc[0, "steps"] == 10
    ax = plot_losses(tmp_path).axes[0]
    assert len(ax.lines) == 2 and list(ax.lines[1].get_xdata()) == [2.0]  # validation drawn at its epoch
    assert load_profile(tmp_path / "missing.json").empty
    write(tmp_path / "p.json", {"variants": [{"variant": "a", "steps": 3, "seconds_per_step": 2.0}]})
    assert load_profile(tmp_path / "p.json").loc[0, "seconds_per_step"] == 2.0
    assert "unfinished_step_seconds" not in load_profile(tmp_path / "p.json")
    stopped = {"variant": "b", "steps": 3, "seconds_per_step": None, "timed_out": True, "unfinished_step_seconds": 80.0}
    write(tmp_path / "q.json", {"variants": [{"variant": "a", "steps": 3, "seconds_per_step": 2.0}, stopped]})
    assert load_profile(tmp_path / "q.json").loc[1, "unfinished_step_seconds"] == 80.0


def test_before_after_ranks_baselines_base_and_finetuned(tmp_path):
    write(tmp_path / "baselines" / "summary.json",
          [{"predictor": "rules", "dataset": "dev", "n": 10, "exact_match": 0.8, "em_ci95_low": 0.6,
            "em_ci95_high": 0.9, "valid_json_rate": 1.0}])  # fmt: skip
    arm = {"backend": "llamacpp", "dataset": "dev", "n": 10, "em_ci95_low": 0, "em_ci95_high": 1, "field_f1": 1,
           "action_accuracy": 1, "valid_json_rate": 1.0, "p50_ms": 5, "p95_ms": 9, "size_mb": 1, "rss_load_mb": 1,
           "metrics": "x"}  # fmt: skip
    write(
        tmp_path / "compare" / "a" / "summary.json",
        [
            {**arm, "model": "base-m", "prompt": "few-shot", "constrained": True, "exact_match": 0.5},
            {**arm, "model": "q/run-Q4_K_M.gguf", "prompt": "trained", "constrained": True, "exact_match": 0.95},
        ],
    )
    table = before_after(tmp_path, "dev")
    assert list(table["stage"]) == ["fine-tuned", "baseline", "base model"]
    assert table.loc[0, "system"] == "run-Q4_K_M (trained)"


def test_grounded_arms_are_kept_apart_and_compared(tmp_path):
    arm = {"backend": "llamacpp", "n": 10, "em_ci95_low": 0, "em_ci95_high": 1, "field_f1": 1, "action_accuracy": 1,
           "valid_json_rate": 1.0, "p50_ms": 5, "p95_ms": 9, "size_mb": 1, "rss_load_mb": 1, "metrics": "x",
           "model": "q/run-F16.gguf", "prompt": "trained", "constrained": True}  # fmt: skip
    # An old run without the column, then a grounding run that scores the same model both ways.
    write(tmp_path / "compare" / "a" / "summary.json", [{**arm, "dataset": "dev", "exact_match": 0.7}])
    write(tmp_path / "compare" / "b" / "summary.json",
          [{**arm, "grounded": g, "dataset": d, "exact_match": e}
           for g, d, e in ((False, "val", 0.6), (True, "val", 0.65), (True, "dev", 0.8))])  # fmt: skip
    table = load_comparison(tmp_path)
    assert len(table) == 4 and table["grounded"].dtype == bool
    effect = grounding_effect(table).set_index("dataset")
    assert effect.loc["dev", "gain"] == pytest.approx(0.1) and effect.loc["val", "gain"] == pytest.approx(0.05)
    assert effect.loc["dev", "model"] == "run-F16"
    assert set(before_after(tmp_path, "dev")["system"]) == {"run-F16 (trained)", "run-F16 (trained, grounded)"}


def test_rechecked_arms_stay_out_of_the_tables_and_have_their_own(tmp_path):
    arm = {"backend": "llamacpp", "n": 10, "em_ci95_low": 0, "em_ci95_high": 1, "field_f1": 1, "action_accuracy": 1,
           "valid_json_rate": 1.0, "size_mb": 1, "rss_load_mb": 1, "metrics": "x", "model": "q/run-F16.gguf",
           "prompt": "trained", "constrained": True, "grounded": True, "dataset": "dev"}  # fmt: skip
    write(tmp_path / "compare" / "recheck" / "summary.json",
          [{**arm, "rechecked": r, "exact_match": e, "p50_ms": ms, "p95_ms": ms}
           for r, e, ms in ((False, 0.8, 100.0), (True, 0.85, 120.0))])  # fmt: skip
    plain = load_comparison(tmp_path)
    assert list(plain["exact_match"]) == [0.8] and not plain["rechecked"].any()  # grounding tables are unchanged
    assert len(load_comparison(tmp_path, rechecked=True)) == 2
    effect = recheck_effect(tmp_path).set_index("dataset")
    assert effect.loc["dev", "gain"] == pytest.approx(0.05) and effect.loc["dev", "p50_ms rechecked"] == 120.0
    assert effect.loc["dev", "model"] == "run-F16" and recheck_effect(tmp_path, "absent").empty


def test_quant_table_joins_sizes_accuracy_and_latency(tmp_path):
    write(
        tmp_path / "quantize" / "run" / "metrics.json",
        {"formats": [{"format": "F16", "size_bytes": 2 * 2**20}, {"format": "Q4_K_M", "size_bytes": 2**20}]},
    )
    arm = {"backend": "llamacpp", "prompt": "trained", "constrained": True, "n": 4, "em_ci95_low": 0,
           "em_ci95_high": 1, "field_f1": 1, "action_accuracy": 1, "valid_json_rate": 1.0, "p50_ms": 5, "p95_ms": 9,
           "size_mb": 1, "rss_load_mb": 1, "metrics": "x"}  # fmt: skip
    write(
        tmp_path / "compare" / "q" / "summary.json",
        [
            {**arm, "model": "a/run-F16.gguf", "dataset": "dev", "exact_match": 1.0},
            {**arm, "model": "a/run-Q4_K_M.gguf", "dataset": "dev", "exact_match": 0.75},
        ],
    )
    write(
        tmp_path / "bench" / "quantized" / "bench.json",
        {
            "rows": [
                {"arm": "a/run-Q4_K_M.gguf:constrained", "p50_ms": 100.0, "p95_ms": 150.0, "rss_added_mb": 9.0},
                {"arm": "a/run-Q4_K_M.gguf:free", "p50_ms": 50.0, "p95_ms": 60.0, "rss_added_mb": 9.0},
            ]
        },
    )
    table = quant_table(tmp_path, "run").set_index("format")
    assert table.loc["Q4_K_M", "size_mb"] == 1.0 and table.loc["Q4_K_M", "em_dev"] == 0.75
    assert table.loc["Q4_K_M", "p50_ms"] == 100.0 and table.loc["F16", "em_dev"] == 1.0
    assert len(plot_tradeoffs(table.reset_index()).axes) == 2
    assert quant_table(tmp_path, "absent").empty
    both = quant_tables(tmp_path, ("run", "absent"))  # a run not quantized yet adds no rows
    assert both.columns[0] == "run" and both["run"].tolist() == ["run", "run"]
    assert len(plot_tradeoffs(both).axes) == 2 and quant_tables(tmp_path, ("absent",)).empty

    goals = quant_targets(table.reset_index(), "dev").set_index("unit")
    assert goals.loc["points below", "value"] == 25.0 and not goals.loc["points below", "met"]
    assert goals.loc["MB", "value"] == 1.0 and goals.loc["MB", "met"]  # 1 MiB = 1.05 MB, rounded to 0.1
    assert list(quant_targets(table.reset_index(), "test")["met"]) == [None, True]  # no test-set accuracy yet
    assert list(quant_targets(pd.DataFrame())["met"]) == [None, None]  # nothing quantized yet


def test_nf4_row_from_the_quantize_metrics(tmp_path):
    nf4 = {"path": "q/nf4", "memory_footprint_mb": 1.5, "weights_mb": 1.2, "linear4bit_layers": 14, "seconds": 2.0}
    write(tmp_path / "quantize" / "run" / "metrics.json", {"formats": [], "nf4": nf4})
    write(tmp_path / "quantize" / "none" / "metrics.json", {"formats": [], "nf4": None})
    assert nf4_table(tmp_path, "run").to_dict("records") == [{"format": "NF4 (bitsandbytes)", **nf4}]
    assert nf4_table(tmp_path, "none").empty and nf4_table(tmp_path, "absent").empty


def test_wrong_answers_lists_only_the_misses(tmp_path):
    from microllm_research.report_finetune import wrong_answers

    rows = [{"input": "a", "raw": "{}", "gold": {"action": "unknown"}, "exact": True, "category": "unknown"},
            {"input": "b", "raw": "{}", "gold": {"action": "group_add", "group": "x"}, "exact": False,
             "category": "users"}]  # fmt: skip
    write(tmp_path / "p.jsonl", rows)
    table = wrong_answers(tmp_path / "p.jsonl")
    assert list(table["request"]) == ["b"] and json.loads(table.loc[0, "gold"])["group"] == "x"


def test_choose_format_takes_the_smallest_that_keeps_accuracy_and_fits():
    import pandas as pd

    from microllm_research.report_quantize import choose_format

    table = pd.DataFrame({"format": ["F16", "Q8_0", "Q5_K_M", "Q4_K_M"], "size_mb": [500.0, 270.0, 240.0, 230.0],
                          "em_dev": [0.70, 0.70, 0.685, 0.40]})  # fmt: skip
    assert choose_format(table)["format"] == "Q8_0"  # Q5_K_M is 1.5 points down
    assert choose_format(table, max_drop_points=2)["format"] == "Q5_K_M"
    assert choose_format(table.assign(em_dev=[0.7, 0.1, 0.1, 0.1]), fallback="Q8_0")["reason"].startswith("no format")
    assert choose_format(pd.DataFrame())["format"] == "Q8_0"


def test_arms_scored_on_an_older_data_file_are_flagged_and_left_out(tmp_path):
    from microllm.provenance import provenance
    from microllm_research.report_models import load_comparison

    data = tmp_path / "test.jsonl"
    data.write_text('{"id": 1}\n')
    arm = {"backend": "llamacpp", "dataset": "test", "n": 1, "em_ci95_low": 0, "em_ci95_high": 1, "field_f1": 1,
           "action_accuracy": 1, "valid_json_rate": 1.0, "p50_ms": 5, "p95_ms": 9, "size_mb": 1, "rss_load_mb": 1,
           "prompt": "few-shot", "constrained": True, "exact_match": 0.5}  # fmt: skip
    old = tmp_path / "old.json"
    write(old, {"provenance": provenance({"data": data})})
    data.write_text('{"id": 2}\n')  # the split was regenerated after "old" was scored
    new = tmp_path / "new.json"
    write(new, {"provenance": provenance({"data": data})})
    write(tmp_path / "compare" / "a" / "summary.json",
          [{**arm, "model": "old-m", "metrics": str(old)}, {**arm, "model": "new-m", "metrics": str(new)}])  # fmt: skip
    table = load_comparison(tmp_path)
    assert dict(zip(table["model"], table["data_current"], strict=True)) == {"old-m": False, "new-m": True}
    assert load_comparison(tmp_path, current_only=True)["model"].tolist() == ["new-m"]
    assert before_after(tmp_path, "test")["system"].tolist() == ["new-m (few-shot)"]


def test_archived_scores_of_an_earlier_run(tmp_path):
    from microllm_research.report_finetune import archived_scores

    m = {"n": 160, "exact_match": 0.69, "exact_match_ci95": [0.61, 0.76], "valid_json_rate": 1.0,
         "provenance": {"data": {"data": {"path": "dev.jsonl", "sha256": "eb3159ba603626804ac0"}}}}  # fmt: skip
    write(tmp_path / "finetune" / "run-v1" / "eval" / "llamacpp-run-F16" / "dev" / "metrics.json", m)
    t = archived_scores(tmp_path)
    assert t.to_dict("records") == [{"run": "run-v1", "arm": "llamacpp-run-F16", "dataset": "dev", "n": 160,
                                     "exact_match": 0.69, "em_ci95_low": 0.61, "em_ci95_high": 0.76,
                                     "valid_json_rate": 1.0, "data_sha256": "eb3159ba6036"}]  # fmt: skip
    assert archived_scores(tmp_path / "none").empty


def test_confidence_modes_one_row_per_dataset_and_mode(tmp_path):
    for name, wrong in [("dev-conf-values", 0.8), ("dev-conf-decisions", 0.6), ("val-conf-values", 0.75)]:
        (tmp_path / name).mkdir()
        m = {"n": 10, "exact_match": 0.9, "confidence": {"mean_correct": 0.95, "mean_wrong": wrong}}
        (tmp_path / name / "metrics.json").write_text(json.dumps(m))
    (tmp_path / "dev").mkdir()  # an evaluation without a confidence mode is not one of them
    (tmp_path / "dev" / "metrics.json").write_text("{}")
    got = confidence_modes(tmp_path)
    assert list(zip(got["dataset"], got["confidence"], got["mean_conf_wrong"], strict=True)) == [
        ("dev", "decisions", 0.6),
        ("dev", "values", 0.8),
        ("val", "values", 0.75),
    ]
