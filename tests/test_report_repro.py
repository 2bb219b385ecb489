"""Comparing two training runs of one config: identical logs say so, drifting ones give the size of the drift."""

import json

import pytest

from microllm.report_repro import compare_runs


def _run(d, losses, eval_loss):
    d.mkdir()
    lines = [json.dumps({"step": 5 * i, "loss": x}) for i, x in enumerate(losses, 1)]
    (d / "train_log.jsonl").write_text("\n".join([*lines, '{"step": 99, "eval_loss": 1}']) + "\n")
    meta = {
        "eval_loss": eval_loss,
        "final_loss": losses[-1] if losses else None,
        "seconds_total": 600.0,
        "seconds_per_step_median": 2.0,
        "provenance": {"machine": {"cpu": "X"}, "date_utc": "2026-12-02"},
    }
    (d / "metrics.json").write_text(json.dumps(meta))
    return d


def test_identical_and_drifting_runs(tmp_path):
    a = _run(tmp_path / "a", [1.0, 0.5, 0.25], 0.3)
    same = compare_runs(a, _run(tmp_path / "b", [1.0, 0.5, 0.25], 0.3))
    assert same["identical_losses"] and same["max_abs_loss_diff"] == 0 and same["steps_compared"] == 3
    drift = compare_runs(a, _run(tmp_path / "c", [1.0, 0.52, 0.25], 0.31))
    assert not drift["identical_losses"] and drift["max_abs_loss_diff"] == pytest.approx(0.02)
    assert drift["again_run"]["eval_loss"] == 0.31 and drift["recorded_run"]["minutes"] == 10.0
    with pytest.raises(ValueError, match="share no logged step"):
        compare_runs(a, _run(tmp_path / "d", [], 0.3))
