"""The README's headline table is generated from results/ and must match it."""

import re

from conftest import ROOT

from microllm.readme import (
    BEGIN,
    END,
    HEAD_BEGIN,
    HEAD_END,
    RUNS_BEGIN,
    RUNS_END,
    render_headline,
    render_results_table,
    render_runs_table,
)


def test_readme_results_table_matches_results():
    text = (ROOT / "README.md").read_text()
    block = text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()
    assert block == render_results_table(ROOT / "results"), "run `microllm readme` (make all does)"


def test_every_linked_result_exists():
    table = render_results_table(ROOT / "results")
    links = re.findall(r"\]\(([^)]+)\)", table)
    assert links and all((ROOT / link).exists() for link in links)


def test_readme_headline_matches_the_ab_results():
    text = (ROOT / "README.md").read_text()
    block = text[text.index(HEAD_BEGIN) + len(HEAD_BEGIN) : text.index(HEAD_END)].strip()
    assert block == render_headline(ROOT / "results"), "run `microllm readme` (make all does)"
    assert all((ROOT / link).exists() for link in re.findall(r"\]\(([^)]+)\)", block))


def test_readme_runs_table_matches_the_finetune_results():
    text = (ROOT / "README.md").read_text()
    block = text[text.index(RUNS_BEGIN) + len(RUNS_BEGIN) : text.index(RUNS_END)].strip()
    assert block == render_runs_table(ROOT / "results"), "run `microllm readme` (make all does)"
    links = re.findall(r"\]\(([^)]+)\)", block)
    assert links and all((ROOT / link).exists() for link in links)


def test_a_score_on_an_older_version_of_its_data_file_is_marked(tmp_path):
    import json

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test.jsonl").write_text('{"input": "x", "output": {"action": "unknown"}}\n')
    for name, sha in (("fresh", None), ("stale", "0" * 64)):
        out = tmp_path / "results" / "eval" / name / "test"
        out.mkdir(parents=True)
        from microllm.provenance import file_sha256

        data = {"path": "data/test.jsonl", "sha256": sha or file_sha256(tmp_path / "data" / "test.jsonl")}
        out.joinpath("metrics.json").write_text(json.dumps({
            "predictor": name, "n": 1, "exact_match": 1.0, "exact_match_ci95": [1.0, 1.0], "field_f1": 1.0,
            "action_accuracy": 1.0, "valid_json_rate": 1.0, "provenance": {"data": {"data": data}}}))  # fmt: skip
    rows = render_results_table(tmp_path / "results").splitlines()[2:]
    assert rows[0].startswith("| fresh | test | 1 |") and rows[1].startswith("| stale | test (older file) | 1 |")
