"""Comparing two training runs of one config: identical logs say so, drifting ones give the size of the drift."""

import json

import pytest

from microllm_research.report_repro import compare_answers, compare_runs, reproduction_table


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


def _answers(path, rows):
    path.write_text("".join(json.dumps({"id": i, "output": out, "exact": ok}) + "\n" for i, out, ok in rows))
    return path


def test_answers_of_two_evaluations(tmp_path):
    a = _answers(tmp_path / "a.jsonl", [("d1", {"x": 1}, True), ("d2", {"x": 2}, False), ("d3", {"x": 3}, True)])
    b = _answers(tmp_path / "b.jsonl", [("d1", {"x": 1}, True), ("d2", {"x": 5}, True), ("d3", {"x": 4}, False)])
    got = compare_answers(a, b)
    assert (got["rows"], got["same_output"], got["exact_recorded"], got["exact_again"]) == (3, 1, 2, 2)
    assert got["lost"] == ["d3"] and got["gained"] == ["d2"]
    assert compare_answers(a, a)["same_output"] == 3 and not compare_answers(a, a)["lost"]
    with pytest.raises(ValueError, match="different rows"):
        compare_answers(a, _answers(tmp_path / "c.jsonl", [("d1", {"x": 1}, True)]))


def test_reproduction_table_one_row_per_pair(tmp_path):
    (tmp_path / "finetune").mkdir()
    _run(tmp_path / "finetune" / "a", [1.0, 0.5], 0.3)
    _run(tmp_path / "finetune" / "b", [1.0, 0.5], 0.3)
    _run(tmp_path / "finetune" / "c", [1.0, 0.6], 0.4)
    got = reproduction_table(tmp_path, [("a", "b"), ("a", "c")])
    assert list(got["identical_losses"]) == [True, False] and list(got["again_eval_loss"]) == [0.3, 0.4]
