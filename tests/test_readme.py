"""The README's generated blocks, the recipe's model card block and docs/results.md are rendered from results/ and
must match it; the headline shows the shipped model's A/B only when its record exists and was made with that file."""

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from microllm_research import readme as R

LINK = re.compile(r"\]\(([^)#]+)(?:#[^)]*)?\)")


def _links_exist(text: str, base: Path) -> list[str]:
    """The relative links in ``text`` (from the directory ``base``) that point nowhere."""
    return [link for link in LINK.findall(text) if "://" not in link and not (base / link).exists()]


# --- the committed files match what the code renders from the committed results/ -----------------------------------


@pytest.mark.parametrize(
    "begin, end, render",
    [(R.HEAD_BEGIN, R.HEAD_END, lambda: R.render_headline(ROOT / "results", ROOT)),
     (R.STEPS_BEGIN, R.STEPS_END, lambda: R.render_steps(ROOT / "results", ROOT)),
     (R.MODELS_BEGIN, R.MODELS_END, R.render_models)],
    ids=["headline", "steps", "models"],
)  # fmt: skip
def test_readme_blocks_match_results(begin, end, render):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert R.block(text, begin, end) == render().strip(), "run `microllm readme` (make all does)"


def test_model_card_block_matches_results():
    card = ROOT / R.RECIPE_DIR / "README.md"
    block = R.block(card.read_text(encoding="utf-8"), R.CARD_BEGIN, R.CARD_END)
    assert block == R.render_card(ROOT / "results", card.parent).strip(), "run `microllm readme` (make all does)"


def test_results_page_matches_results():
    page = (ROOT / R.RESULTS_PAGE).read_text(encoding="utf-8")
    assert page == R.render_results_page(ROOT / "results"), "run `microllm readme` (make all does)"


def test_every_link_in_the_generated_documents_exists():
    assert not _links_exist((ROOT / "README.md").read_text(encoding="utf-8"), ROOT)
    card = ROOT / R.RECIPE_DIR / "README.md"
    assert not _links_exist(card.read_text(encoding="utf-8"), card.parent)
    page = (ROOT / R.RESULTS_PAGE).read_text(encoding="utf-8")
    assert LINK.findall(page) and not _links_exist(page, ROOT / R.RESULTS_PAGE.parent)


def test_headline_is_four_rows_and_says_which_micro_model():
    block = R.block((ROOT / "README.md").read_text(encoding="utf-8"), R.HEAD_BEGIN, R.HEAD_END)
    rows = [line for line in block.splitlines() if line.startswith("| **")]
    if not rows:  # no A/B record at all: one line with the command that makes it
        assert len(block.splitlines()) == 1 and "not run yet" in block.lower() and "`make all`" in block
        return
    assert [r.split("|")[1].strip() for r in rows] == ["**micro**", "**general**", "**routed**", "**rules**"]
    shipped = "the shipped fine-tuned model" in rows[0]
    assert shipped != ("has not run yet" in block), "the micro row is the shipped model's only when its A/B ran"


# --- a small fake results tree --------------------------------------------------------------------------------------


def _arm(em: float, p50: float, size: float, model: str) -> dict:
    return {"predictor": model, "n": 160, "exact_match": em, "exact_match_ci95": [em - 0.04, em + 0.03],
            "valid_json_rate": 1.0, "p50_ms": p50, "p95_ms": 2 * p50, "model_size_mb": size,
            "cost_per_million": 1.0}  # fmt: skip


def _fake_tree(tmp_path: Path, micro_model: str | None = None) -> Path:
    """tmp_path/{recipes/<recipe>/decode.yaml, results/...}: the recipe's A/B (when ``micro_model``), the rules
    baseline on dev, a compare run with val/test/dev records and a training record."""
    root = tmp_path
    shutil.copytree(ROOT / R.RECIPE_DIR, root / R.RECIPE_DIR)
    shipped = R.shipped_file(ROOT)
    res = root / "results"
    rules = res / "eval" / "rules" / "dev"
    rules.mkdir(parents=True)
    (rules / "metrics.json").write_text(json.dumps({"predictor": "rules", "n": 160, "exact_match": 0.89,
        "exact_match_ci95": [0.84, 0.94], "field_f1": 0.92, "action_accuracy": 0.92, "valid_json_rate": 1.0,
        "latency_ms": {"p50": 0.3, "p95": 0.9}}))  # fmt: skip
    if micro_model:
        ab = res / "ab" / R.RECIPE_RUN
        ab.mkdir(parents=True)
        arms = {"micro": {"predictor": "llamacpp", "kwargs": {"model": micro_model, "prompt": "auto",
                                                              "constrained": True, "ground": True}},
                "general": {"predictor": "llamacpp", "kwargs": {"model": "qwen2.5-coder-1.5b", "prompt": "few-shot",
                                                                "constrained": True, "ground": True}},
                "routed": {"router": {"micro": "micro", "general": "general", "strategy": "confidence",
                                      "threshold": 0.5}}}  # fmt: skip
        (ab / "config.yaml").write_text(yaml.safe_dump({"arms": arms}))
        metrics = {
            "arms": {
                "micro": {"dev": _arm(0.95, 480, 440, f"llamacpp:{micro_model}")},
                "general": {"dev": _arm(0.72, 1270, 1066, "llamacpp:qwen2.5-coder-1.5b")},
                "routed": {"dev": _arm(0.93, 570, 1506, "router:confidence:micro+general")},
            },
            "mcnemar": {"dev": {"micro vs general": {"p_value": 3e-8}}},
            "provenance": {"machine": {"cpu": "Test CPU", "cpu_count": 2}, "date_utc": "2026-01-02T00:00"},
        }
        (ab / "metrics.json").write_text(json.dumps(metrics))  # fmt: skip
        (ab / "predictions.jsonl").write_text("".join(json.dumps({"latency_ms": 30000.0}) + "\n" for _ in range(4)))
        summary = []
        for data, em in (("dev", 0.94), ("val", 0.96), ("test", 0.9)):
            rel = f"results/eval/fake-arm/{data}/metrics.json"
            (root / rel).parent.mkdir(parents=True)
            (root / rel).write_text(json.dumps({"predictor": f"llamacpp:{micro_model}", "n": 200, "exact_match": em,
                "exact_match_ci95": [em - 0.03, em + 0.02], "field_f1": em, "action_accuracy": em,
                "valid_json_rate": 1.0}))  # fmt: skip
            (root / rel).with_name("predictions.jsonl").write_text(json.dumps({"latency_ms": 60000.0}) + "\n")
            summary.append({"model": micro_model, "prompt": "trained", "constrained": True, "grounded": True,
                            "dataset": data, "n": 200, "exact_match": em, "em_ci95_low": em - 0.03,
                            "em_ci95_high": em + 0.02, "field_f1": em, "valid_json_rate": 1.0, "p50_ms": 500.0,
                            "size_mb": 440.0, "metrics": rel})  # fmt: skip
        compare = res / "compare" / R.RECIPE_RUN
        compare.mkdir(parents=True)
        (compare / "summary.json").write_text(json.dumps(summary))
        train = res / "finetune" / R.RECIPE
        train.mkdir(parents=True)
        (train / "metrics.json").write_text(json.dumps({"run": R.RECIPE, "method": "lora", "steps": 599,
            "examples": 4785, "seconds_total": 5400.0,
            "seconds_per_step_median": 8.5, "eval_loss": 0.02,
            "provenance": {"machine": {"cpu": "Test CPU", "cpu_count": 2}}}))  # fmt: skip
    assert shipped
    return res


def test_headline_has_the_four_rows_when_the_recipes_ab_record_exists(tmp_path):
    res = _fake_tree(tmp_path, micro_model=R.shipped_file(ROOT))
    headline = R.render_headline(res)
    rows = [line for line in headline.splitlines() if line.startswith("| **")]
    assert [r.split("|")[1].strip() for r in rows] == ["**micro**", "**general**", "**routed**", "**rules**"]
    micro, general, routed, rules = rows
    assert "0.950 [0.910, 0.980]" in micro and "480 ms" in micro and "440 MB" in micro
    assert Path(R.shipped_file(ROOT)).name in micro and "qwen2.5-coder-1.5b" in general
    assert "0.720" in general and "0.930" in routed and "0.890 [0.840, 0.940]" in rules and "0.3 ms" in rules
    assert "Not yet run" not in headline and "Test CPU" in headline
    assert not _links_exist(headline, tmp_path)  # every row links its record
    assert f"results/ab/{R.RECIPE_RUN}/metrics.json" in micro and "results/eval/rules/dev/metrics.json" in rules


def test_headline_says_not_yet_run_without_the_recipes_ab_record(tmp_path):
    res = _fake_tree(tmp_path)
    old = res / "ab" / "another-run"  # another model's A/B must not stand in for the shipped model's
    old.mkdir(parents=True)
    (old / "metrics.json").write_text(json.dumps({"arms": {"micro": {"dev": _arm(0.94, 490, 440, "x")}}}))
    headline = R.render_headline(res)
    assert len(headline.splitlines()) == 1
    assert "not run yet" in headline.lower() and "`make all`" in headline and "0.940" not in headline


def test_headline_refuses_an_ab_record_made_with_another_model(tmp_path):
    res = _fake_tree(tmp_path, micro_model="artifacts/quantized/other-run/other-run-Q8_0.gguf")
    headline = R.render_headline(res)
    assert len(headline.splitlines()) == 1 and "has not run yet" in headline and "other-run-Q8_0.gguf" in headline
    assert "0.950" not in headline


def test_headline_shows_the_recorded_ab_as_an_earlier_model_until_the_recipe_runs(tmp_path):
    res = _fake_tree(tmp_path)
    run, study, what = R.RECORDED_AB
    (tmp_path / study).parent.mkdir(parents=True)
    (tmp_path / study).write_text("arms: {}\n")
    shutil.copytree(_fake_tree(tmp_path / "other", micro_model="artifacts/quantized/old/old-Q8_0.gguf") / "ab" /
                    R.RECIPE_RUN, res / "ab" / run)  # fmt: skip
    headline = R.render_headline(res, tmp_path)
    caption, table = headline.split("\n\n", 1)
    assert "has not run yet" in caption and "earlier model" in caption and what in caption and study in caption
    rows = [line for line in table.splitlines() if line.startswith("| **")]
    assert [r.split("**")[1] for r in rows] == ["micro", "general", "routed", "rules"]
    assert "old-Q8_0.gguf" in rows[0] and "shipped" not in rows[0] and f"results/ab/{run}/metrics.json" in rows[0]
    assert not _links_exist(headline, tmp_path)


def test_model_card_shows_minutes_and_scores_from_the_records(tmp_path):
    res = _fake_tree(tmp_path, micro_model=R.shipped_file(ROOT))
    card_dir = tmp_path / R.RECIPE_DIR
    card = R.render_card(res, card_dir)
    assert "| train | `make train` | [90](../../results/finetune/" in card  # 5400 s
    assert "| evaluate | `make evaluate` | [3](" in card and "| ab | `make ab` | [2](" in card  # summed latencies
    assert "| quantize | `make quantize` | not yet run |" in card
    splits = [line.split("|")[1].strip() for line in card.splitlines() if line.startswith(("| val", "| test", "| dev"))]
    assert splits == ["val", "test", "dev"] and "0.960 [0.930, 0.980]" in card
    assert not _links_exist(card, card_dir)
    assert "not yet run" in R.render_card(_fake_tree(tmp_path / "empty"), tmp_path / "empty" / R.RECIPE_DIR).lower()


def test_steps_use_measured_minutes_where_a_record_exists(tmp_path):
    res = _fake_tree(tmp_path, micro_model=R.shipped_file(ROOT))
    steps = R.render_steps(res, tmp_path)
    assert "| train | fine-tune the recipe: LoRA, one epoch, merged | [90](results/finetune/" in steps
    assert "| setup |" in steps and "~10 |" in steps and steps.splitlines()[-1].startswith("| **all** | | **~")
    assert [line.split("|")[1].strip() for line in steps.splitlines()[2:-1]] == [s for s, _, _ in R.STEPS]


def test_update_writes_readme_card_and_results_page(tmp_path):
    res = _fake_tree(tmp_path, micro_model=R.shipped_file(ROOT))
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{R.HEAD_BEGIN}\nold\n{R.HEAD_END}\n{R.STEPS_BEGIN}\n{R.STEPS_END}\n")
    card = tmp_path / R.RECIPE_DIR / "README.md"
    card.write_text(f"# card\n{R.CARD_BEGIN}\n{R.CARD_END}\n")
    assert R.update_readme(readme, res) is True
    assert R.block(readme.read_text(), R.HEAD_BEGIN, R.HEAD_END) == R.render_headline(res, tmp_path)
    assert "0.960" in card.read_text() and (tmp_path / R.RESULTS_PAGE).read_text() == R.render_results_page(res)
    assert R.update_readme(readme, res) is False  # nothing left to change


def test_a_score_on_an_older_version_of_its_data_file_is_marked(tmp_path):
    from microllm.provenance import file_sha256

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test.jsonl").write_text('{"input": "x", "output": {"action": "unknown"}}\n')
    for name, sha in (("fresh", None), ("stale", "0" * 64)):
        out = tmp_path / "results" / "eval" / name / "test"
        out.mkdir(parents=True)
        data = {"path": "data/test.jsonl", "sha256": sha or file_sha256(tmp_path / "data" / "test.jsonl")}
        out.joinpath("metrics.json").write_text(json.dumps({
            "predictor": name, "n": 1, "exact_match": 1.0, "exact_match_ci95": [1.0, 1.0], "field_f1": 1.0,
            "action_accuracy": 1.0, "valid_json_rate": 1.0, "provenance": {"data": {"data": data}}}))  # fmt: skip
    rows = R.render_results_table(tmp_path / "results").splitlines()[2:]
    assert rows[0].startswith("| fresh | test | 1 |") and rows[1].startswith("| stale | test (older file) | 1 |")


def test_headline_refuses_an_ab_record_older_than_the_shipped_file(tmp_path):
    import os

    res = _fake_tree(tmp_path, micro_model=R.shipped_file(ROOT))
    gguf = tmp_path / R.shipped_file(ROOT)
    gguf.parent.mkdir(parents=True)
    gguf.write_bytes(b"GGUF")
    record = res / "ab" / R.RECIPE_RUN / "metrics.json"
    os.utime(record, (gguf.stat().st_mtime - 60, gguf.stat().st_mtime - 60))
    headline = R.render_headline(res)
    assert len(headline.splitlines()) == 1 and "older than the shipped file" in headline


def test_model_card_lists_categories_and_val_real_errors_with_passwords_masked(tmp_path):
    import json

    rows = []
    for split, n in (("val", 2), ("val-real", 2)):
        d = tmp_path / "results" / "eval" / "m" / split
        d.mkdir(parents=True)
        cats = {"users": {"n": n, "exact_match": 0.5}} | (
            {"dns": {"n": 1, "exact_match": 1.0}} if split == "val" else {}
        )
        (d / "metrics.json").write_text(json.dumps({"per_category": cats}))
        preds = [{"input": "Create user bob with password Secr3t!", "exact": False,
                  "output": {"action": "user_add", "username": "bob"},
                  "gold": {"action": "user_add", "username": "bob", "password": "Secr3t!"}},
                 {"input": "Remove user amy", "exact": True, "output": {}, "gold": {}}]  # fmt: skip
        (d / "predictions.jsonl").write_text("\n".join(json.dumps(p) for p in preds) + "\n")
        rows.append({"dataset": split, "n": n, "metrics": f"results/eval/m/{split}/metrics.json"})
    cats = R.render_categories(rows, tmp_path)
    assert "| category | val | val-real |" in cats and "| users | 0.50 (2) | 0.50 (2) |" in cats
    assert "| dns | 1.00 (1) | - |" in cats
    errors = "\n".join(R.render_errors(rows, tmp_path, "val-real"))
    assert "Errors on val-real (1 of 2)" in errors and "Remove user amy" not in errors
    assert "Secr3t!" not in errors and "Create user bob with password ***" in errors
    assert R.render_errors(rows, tmp_path, "dev") == []
