"""Every fine-tuning run against the dev target: which arm stands for a run, what its training chain cost."""

import json

import pytest

from microllm_research.report_runs import runs_vs_target


def _write(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def _run(root, run, seconds, initialised_from=None, base="gemma-3-270m"):
    _write(root / "finetune" / run / "metrics.json",
           {"run": run, "base_model": base, "method": "full", "examples": 100, "steps": 10, "seconds_total": seconds,
            "eval_loss": 0.05, "initialised_from": initialised_from,
            "provenance": {"machine": {"cpu": "AMD EPYC"}}})  # fmt: skip


def _score(path, model, data, em, predictor="llamacpp:x:trained:constrained:grounded"):
    _write(path, {"predictor": predictor, "data": data, "n": 160, "exact_match": em,
                  "exact_match_ci95": [em - 0.05, em + 0.05], "arm": {"model": model}})  # fmt: skip


@pytest.fixture
def results(tmp_path):
    root = tmp_path / "results"
    _run(root, "first", 600)
    _run(root, "second", 300, initialised_from="artifacts/finetune/first/merged")
    _run(root, "qwen", 120, base="qwen2.5-coder-0.5b")
    gguf = "artifacts/quantized/second/second-{}.gguf"
    for arm, val, dev in (("plain", 0.80, 0.90), ("grounded", 0.85, 0.84)):
        arm_dir = root / "eval" / f"second-{arm}"
        _score(arm_dir / "val" / "metrics.json", gguf.format(arm), "data/synthetic/val.jsonl", val)
        _score(arm_dir / "dev" / "metrics.json", gguf.format(arm), "data/eval/dev.jsonl", dev)
    # rechecked decoding is research only: its better val score must not choose the run's arm
    _score(
        root / "eval" / "second-re" / "val" / "metrics.json",
        gguf.format("re"),
        "data/synthetic/val.jsonl",
        0.99,
        predictor="llamacpp:x:trained:constrained:grounded:rechecked",
    )
    _score(
        root / "eval" / "first-a" / "dev" / "metrics.json",
        "artifacts/quantized/first/first-F16.gguf",
        "data/eval/dev.jsonl",
        0.70,
    )
    # a score archived with the run, in a folder not named after its dataset
    _score(
        root / "finetune" / "qwen" / "eval" / "dev-conf-values" / "metrics.json",
        "whatever.gguf",
        "data/eval/dev.jsonl",
        0.96,
    )
    _write(root / "finetune" / "profile-x" / "metrics.json", {"run": "profile-x", "variants": []})
    return root


def test_the_arm_is_chosen_on_val_not_dev_and_rechecked_arms_are_left_out(results):
    table = runs_vs_target(results).set_index("run")
    second = table.loc["second"]
    assert (second["chosen_on"], second["arm"]) == ("val", "second-grounded")
    assert second["dev_em"] == 0.84 and second["dev_best"] == 0.90  # dev_best is reported, never used to choose
    assert second["arms"] == 2 and not second["dev_target_met"]


def test_dev_is_the_basis_only_when_nothing_else_was_scored(results):
    table = runs_vs_target(results).set_index("run")
    assert table.loc["first", "chosen_on"] == "dev" and table.loc["first", "dev_em"] == 0.70
    qwen = table.loc["qwen"]
    assert qwen["arm"] == "eval/conf-values" and bool(qwen["dev_target_met"])  # dev-conf-values: dev of conf-values


def test_chain_minutes_follow_the_merged_weights_a_run_started_from(results):
    table = runs_vs_target(results).set_index("run")
    assert table.loc["second", "chain_minutes"] == 15.0 and table.loc["first", "chain_minutes"] == 10.0
    assert "profile-x" not in table.index  # a speed profile is not a training run


def test_one_base_model_and_an_unscored_run(results):
    _run(results, "unscored", 60)
    table = runs_vs_target(results, base_model="gemma-3-270m")
    assert set(table["run"]) == {"first", "second", "unscored"}
    assert table.iloc[-1]["run"] == "unscored" and table.iloc[-1]["arms"] == 0  # unscored runs sort last


def test_a_moved_retrain_counts_its_own_first_pass_and_archived_arms_join_their_datasets(results):
    _run(results, "first-fresh", 900)
    _run(results, "second-fresh", 60, initialised_from="artifacts/finetune/first/merged")
    metrics = results / "finetune" / "second-fresh" / "metrics.json"
    metrics.write_text(json.dumps({**json.loads(metrics.read_text()), "trained_as": "second"}))
    for data, em in (("val", 0.9), ("dev", 0.8)):
        _score(results / "finetune" / "second-fresh" / "eval" / "trimmed" / data / "metrics.json", "x.gguf",
               f"data/{data}.jsonl", em)  # fmt: skip
    row = runs_vs_target(results).set_index("run").loc["second-fresh"]
    assert row["chain_minutes"] == 16.0  # its first pass was first-fresh (15 min), not the recorded first (10)
    assert (row["arm"], row["chosen_on"], row["val_em"], row["dev_em"]) == ("eval/trimmed", "val", 0.9, 0.8)
