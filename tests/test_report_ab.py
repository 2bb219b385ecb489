"""Notebook 05's tables and charts on a tiny A/B run (rules vs classic, two routers), and the run-or-load logic."""

import json
import shutil

import pytest
from conftest import ROOT
from matplotlib.figure import Figure

import microllm.ab
from microllm.ab import ABConfig, ab_or_load
from microllm.config import save_config
from microllm.rules import DEFAULT_RULES, LEGACY_FINISH, rules_signature
from microllm_research import report_ab

DATA = {"test": str(ROOT / "data" / "synthetic" / "test.jsonl"), "val": str(ROOT / "data" / "synthetic" / "val.jsonl")}
ARMS = ["micro", "general", "routed", "keyword"]


@pytest.fixture(scope="module")
def ab_run(tmp_path_factory):
    """A finished A/B run in a temporary results folder: (results_dir, run, config, metrics)."""
    root = tmp_path_factory.mktemp("report_ab")
    lines = (ROOT / "data" / "synthetic" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    (root / "train.jsonl").write_text("\n".join(lines[::7][:400]) + "\n", encoding="utf-8")
    arms = {"micro": {"predictor": "rules"},
            "general": {"predictor": "classic", "kwargs": {"train_file": str(root / "train.jsonl")}},
            "routed": {"router": {"micro": "micro", "general": "general", "strategy": "confidence", "threshold": 0.9}},
            "keyword": {"router": {"micro": "micro", "general": "general", "strategy": "keyword"}}}  # fmt: skip
    cfg = ABConfig(arms=arms, datasets=DATA, limits={"test": 12, "val": 10}, results_dir=str(root / "results"),
                   run="tiny", warmup=1, bootstrap_resamples=200, price_per_core_hour=0.5)  # fmt: skip
    metrics = ab_or_load(cfg, command="pytest")
    return str(root / "results"), "tiny", cfg, metrics


def test_ab_or_load_reuses_only_results_of_the_same_config(ab_run, monkeypatch):
    results_dir, run, cfg, metrics = ab_run
    assert metrics["provenance"]["command"] == "pytest" and set(metrics["arms"]) == set(ARMS)

    def no_run(*args, **kwargs):
        raise AssertionError("ran again")

    monkeypatch.setattr(microllm.ab, "run_ab", no_run)
    assert ab_or_load(cfg) == metrics  # same config, same data, no model file: loaded
    other = ABConfig(**{**cfg.__dict__, "limits": {"test": 3, "val": 3}})
    with pytest.raises(AssertionError, match="ran again"):
        ab_or_load(other)


def test_ab_table_per_arm_and_dataset(ab_run):
    results_dir, run, _, metrics = ab_run
    t = report_ab.ab_table(results_dir, run)
    assert list(zip(t["data"], t["arm"], strict=True)) == [(d, a) for d in ("test", "val") for a in ARMS]
    assert list(t.groupby("data", sort=False)["n"].first()) == [12, 10]
    assert (t["em_ci95_low"] <= t["exact_match"]).all() and (t["exact_match"] <= t["em_ci95_high"]).all()
    assert (t["p95_ms"] >= t["p50_ms"]).all() and (t["valid_json_rate"] == 1.0).all()
    assert t["cost_per_million"].tolist() == pytest.approx((t["cpu_s_per_query"] / 3600 * 0.5 * 1e6).tolist())
    assert (t["process_peak_rss_mb"] == metrics["process_peak_rss_mb"]).all() and t["size_mb"].isna().all()


def test_targets_are_checked_from_the_table(ab_run):
    results_dir, run, _, _ = ab_run
    t = report_ab.ab_table(results_dir, run).set_index(["data", "arm"])
    got = report_ab.targets(results_dir, run, "test").set_index("target")
    assert got.loc["exact match: micro >= general", "micro"] == t.loc[("test", "micro"), "exact_match"]
    speedup = got.loc["p50 speed-up (general / micro) >= 5"]
    assert speedup["value"] == pytest.approx(t.loc[("test", "general"), "p50_ms"] / t.loc[("test", "micro"), "p50_ms"])
    assert speedup["met"] == (speedup["value"] >= 5)
    assert got.loc["size on disk (micro / general) < 0.25", "met"] is None  # baselines have no model file
    assert got.loc["micro p50 < 500 ms", "met"]  # rules answer in well under a millisecond


def test_mcnemar_table_has_every_pair(ab_run):
    results_dir, run, _, metrics = ab_run
    t = report_ab.mcnemar_table(results_dir, run)
    assert len(t) == 2 * 6 and set(t["data"]) == {"test", "val"}
    row = t[(t["data"] == "test") & (t["arm_a"] == "micro") & (t["arm_b"] == "general")].iloc[0]
    assert row["p_value"] == metrics["mcnemar"]["test"]["micro vs general"]["p_value"]
    assert (t["n_discordant"] == t["only_a_correct"] + t["only_b_correct"]).all()


def test_per_category_matches_the_predictions(ab_run):
    results_dir, run, _, metrics = ab_run
    table = report_ab.per_category(results_dir, run, "test")
    assert list(table.columns) == [*ARMS, "n"] and table["n"].sum() == 12
    em = (table["micro"] * table["n"]).sum() / 12  # per-category means weighted back: the overall exact match
    assert em == pytest.approx(metrics["arms"]["micro"]["test"]["exact_match"])


def test_calibration_and_routing_from_the_predictions(ab_run):
    results_dir, run, _, metrics = ab_run
    cal = report_ab.calibration_table(results_dir, run, "micro").set_index("data")
    stored = metrics["arms"]["micro"]["test"]["calibration"]  # what run_ab computed from the same rows
    assert cal.loc["test", "n"] == 12 and cal.loc["test", "ece"] == pytest.approx(stored["ece"])
    assert cal.loc["test", "coverage"] == pytest.approx(stored["accept"]["coverage"])
    routing = report_ab.routing_table(results_dir, run)
    assert list(zip(routing["arm"], routing["data"], strict=True)) == [
        ("routed", "test"), ("keyword", "test"), ("routed", "val"), ("keyword", "val")]  # fmt: skip
    first, stored = routing.iloc[0].to_dict(), metrics["arms"]["routed"]["test"]["routing"]
    assert {k: first[k] for k, v in stored.items() if v is not None} == {
        k: v for k, v in stored.items() if v is not None
    }
    assert (routing["n_micro"] + routing["n_general"] == routing["n"]).all()


@pytest.mark.parametrize(
    "plot", ["plot_accuracy_latency", "plot_latency_distributions", "plot_per_category", "plot_cost"]
)
def test_charts_are_figures_with_one_mark_per_arm(ab_run, plot):
    results_dir, run, _, _ = ab_run
    fig = getattr(report_ab, plot)(results_dir, run, "val")
    assert isinstance(fig, Figure) and fig.axes
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else []
    labels += [t.get_text() for t in ax.get_xticklabels()]
    assert all(any(arm in label for label in labels) for arm in ARMS), labels


def test_reliability_diagram_of_the_micro_arm(ab_run):
    results_dir, run, _, _ = ab_run
    fig = report_ab.plot_calibration(results_dir, run, "micro", "test")
    assert isinstance(fig, Figure) and fig.axes[0].get_title().startswith("micro (test): ECE ")


def test_a_grounded_run_made_under_other_rules_is_not_reused(ab_run, tmp_path):
    results_dir, run, cfg, metrics = ab_run
    assert metrics["rules"] == {}  # the baselines run no intent rules
    arms = {**cfg.arms, "micro": {"predictor": "llamacpp", "kwargs": {"model": "absent.gguf", "ground": True}}}
    grounded = ABConfig(**{**cfg.__dict__, "arms": arms, "results_dir": str(tmp_path)})
    out = tmp_path / "ab" / run
    shutil.copytree(f"{results_dir}/ab/{run}", out)
    save_config(grounded, out / "config.yaml")
    recorded = {k: v for k, v in metrics.items() if k != "rules"}

    def current(record: dict, config: ABConfig = grounded) -> bool:
        (out / "metrics.json").write_text(json.dumps({**recorded, **record}))
        return microllm.ab._is_current(config, out)

    assert current({"rules": {"micro": rules_signature(DEFAULT_RULES)}})
    # The grounded arm's rules spelled out are the same arm as the ones grounding implies.
    pinned = {**arms, "micro": {**arms["micro"], "kwargs": {**arms["micro"]["kwargs"], "rules": "default"}}}
    assert current({"rules": {"micro": rules_signature(DEFAULT_RULES)}}, ABConfig(**{**grounded.__dict__,
                                                                                     "arms": pinned}))  # fmt: skip
    assert current({"finish": 4}) == (rules_signature(DEFAULT_RULES) == LEGACY_FINISH[4])  # older record
    assert not current({"finish": 3}) and not current({})
    assert not current({"rules": {"micro": "command_flags@1"}})
    assert not current({"rules": {"micro": rules_signature(DEFAULT_RULES).replace("@1", "@0", 1)}})
    fewer = {**arms, "micro": {**arms["micro"], "kwargs": {**arms["micro"]["kwargs"], "rules": "command_flags"}}}
    assert not current({"rules": {"micro": rules_signature(DEFAULT_RULES)}}, ABConfig(**{**grounded.__dict__,
                                                                                         "arms": fewer}))  # fmt: skip
    (out / "metrics.json").write_text(json.dumps(metrics))
    assert not microllm.ab._is_current(ABConfig(**{**cfg.__dict__, "results_dir": str(tmp_path)}), out)  # other arms


RULES = {"n": 12, "exact_match": 0.5, "exact_match_ci95": [0.25, 0.75], "latency_ms": {"p50": 0.4}}


def test_headline_puts_micro_general_routed_and_rules_side_by_side(ab_run):
    results_dir, run, _, metrics = ab_run
    table = report_ab.headline_table(metrics, RULES, "test").set_index("arm")
    assert list(table.index) == [*ARMS, "rules"] and table.loc["rules", "size_mb"] == 0
    assert table.loc["micro", "exact_match"] == metrics["arms"]["micro"]["test"]["exact_match"]
    assert table.loc["rules", "p50_ms"] == 0.4 and (table["ci_low"] <= table["exact_match"]).all()
    fig = report_ab.plot_headline(metrics, RULES, "test")
    assert isinstance(fig, Figure) and len(fig.axes) == 3  # exact match, p50 latency, size
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == [*ARMS, "rules"]
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == pytest.approx(list(table["exact_match"]))
    assert fig.axes[0].containers and fig.axes[1].get_yscale() == "log"
    summary = report_ab.summary_table(results_dir, run, "test")
    assert list(summary.index) == ARMS and summary["size MB"].isna().all()  # baselines have no model file


def test_ab_or_record_shows_the_next_record_when_the_first_config_has_no_models(ab_run, tmp_path, monkeypatch):
    results_dir, run, cfg, metrics = ab_run
    shipped = {
        **cfg.__dict__,
        "results_dir": str(tmp_path / "none"),
        "run": "shipped",
        "arms": {**cfg.arms, "micro": {"predictor": "llamacpp", "kwargs": {"model": "absent/x.gguf"}}},
    }
    save_config(ABConfig(**shipped), tmp_path / "shipped.yaml")
    save_config(cfg, tmp_path / "earlier.yaml")

    def no_run(*args, **kwargs):
        raise AssertionError("ran an A/B")

    monkeypatch.setattr(microllm.ab, "run_ab", no_run)
    configs = (str(tmp_path / "shipped.yaml"), str(tmp_path / "earlier.yaml"))
    shown, path, got = report_ab.ab_or_record(configs)
    assert path == configs[1] and shown.run == run and got == metrics
    note = report_ab.micro_arm(shown, path, got, shipped=configs[0])
    assert f"results/ab/{run}/" in note and "not the shipped model" in note and "x.gguf" in note
    assert report_ab.ab_or_record(configs[1:])[2] == metrics  # no model files to miss: ab_or_load reuses the run
    with pytest.raises(FileNotFoundError):
        report_ab.ab_or_record(configs[:1])
