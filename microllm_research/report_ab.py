"""Notebook 05's tables and charts, read from results/ab/<run>/ as :func:`microllm.ab.run_ab` writes it: metrics.json
(per arm and data set; McNemar per pair of arms) and predictions.jsonl (one line per arm x data set x query)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from microllm.ab import ABConfig, ab_or_load
from microllm.calibration import calibration_summary, expected_calibration_error, plot_reliability
from microllm.config import load_config
from microllm.data.io import read_jsonl
from microllm.router import routing_quality
from microllm.schema import DOMAIN_OF_ACTION
from microllm_research.report import CATEGORY_ORDER

SHIPPED_AB = "recipes/qwen-coder-0.5b-lora/ab.yaml"  # the shipped recipe's A/B (`make ab`)
RESEARCH_AB = "research/qwen-lora/ab-final-pass.yaml"  # the committed A/B record of an earlier micro model
ARM_COLORS = {"micro": "tab:blue", "general": "tab:orange", "routed": "tab:purple", "rules": "tab:grey"}


def _models_on_disk(cfg: ABConfig) -> bool:
    """Whether every model file the config's predictor arms name is here (a catalog key: its GGUF under artifacts/)."""
    from microllm.models.catalog import CATALOG
    from microllm.models.resolve import ARTIFACTS

    for spec in cfg.arms.values():
        model = str((spec.get("kwargs") or {}).get("model", "")) if "predictor" in spec else ""
        if not model:
            continue
        if model in CATALOG:
            gguf = getattr(CATALOG[model], "gguf_file", None)
            if not gguf or not (Path(ARTIFACTS) / gguf).is_file():
                return False
        elif not Path(model).exists():
            return False
    return True


def ab_or_record(configs: tuple[str, ...] = (SHIPPED_AB, RESEARCH_AB), overrides: list[str] | None = None,
                 command: str | None = None) -> tuple[ABConfig, str, dict]:  # fmt: skip
    """The A/B to show: the first config's run when its models are on disk (reused when current, else run again),
    else the first config with a record under results/ab/<run>/, shown as recorded (never run: its models are not
    here). Returns that config, its file and its metrics; FileNotFoundError when no config has either."""
    for i, path in enumerate(configs):
        cfg = load_config(ABConfig, path, overrides)
        if i == 0 and _models_on_disk(cfg):
            return cfg, path, ab_or_load(cfg, command)
        record = Path(cfg.results_dir) / "ab" / cfg.run / "metrics.json"
        if record.is_file():
            return cfg, path, json.loads(record.read_text())
    raise FileNotFoundError(f"no A/B record and no models for {list(configs)}: run `make ab`")


def _micro_model(cfg: ABConfig) -> str:
    return str((cfg.arms.get("micro", {}).get("kwargs") or {}).get("model", cfg.arms.get("micro", {}).get("predictor")))


def micro_arm(cfg: ABConfig, config_path: str, metrics: dict, shipped: str = SHIPPED_AB) -> str:
    """Markdown that says which record is shown and which model its micro arm was: the shipped recipe's file or not,
    with the fine-tuning run behind it (results/finetune/<run>/config.yaml) when there is one."""
    model = _micro_model(cfg)
    shipped_model = _micro_model(load_config(ABConfig, shipped)) if Path(shipped).is_file() else None
    prov = metrics.get("provenance", {})
    machine = prov.get("machine", {})
    lines = [f"**Record shown:** `results/ab/{cfg.run}/` (config `{config_path}`; {prov.get('date_utc', '?')[:10]}, "
             f"{machine.get('cpu_count', '?')} cores, {machine.get('cpu', '?')})."]  # fmt: skip
    name = Path(model).name
    if model == shipped_model:
        lines.append(f"**Micro arm:** `{name}`, the shipped recipe's file (`{Path(shipped).parent}/`).")
        return "\n\n".join(lines)
    lines.append(f"**Micro arm:** `{name}`.")
    run = Path(model).parent.name if model.endswith(".gguf") else None
    train = Path(cfg.results_dir) / "finetune" / run / "config.yaml" if run else None
    if train is not None and train.is_file():
        import yaml

        t = yaml.safe_load(train.read_text())
        files = [t.get("train_file"), *(t.get("extra_train_files") or []), *(t.get("more_train_files") or [])]
        start = f"continued from `{t['init_from']}`" if t.get("init_from") else f"from `{t.get('base_model')}`"
        method = {"lora": "LoRA", "full": "full fine-tuning"}.get(t.get("method"), t.get("method", ""))
        lines[-1] += (f" Fine-tuning run `{run}`: {method} {start}, trained on "
                      + ", ".join(f"`{f}`" for f in files if f) + ".")  # fmt: skip
        if any("synthetic/test" in str(f) for f in files):
            lines[-1] += " It trained on the synthetic test split, so only dev (never trained on) measures it."
    if shipped_model is not None:
        lines.append(f"**This is not the shipped model** (`{Path(shipped_model).name}`, `{Path(shipped).parent}/`): "
                     "`make ab` writes the shipped recipe's record, which this notebook then shows.")  # fmt: skip
    return "\n\n".join(lines)


def load_rules(results_dir: str | Path = "results", data: str = "dev") -> dict:
    """The rule baseline's record on one data set: results/eval/rules/<data>/metrics.json."""
    return json.loads((Path(results_dir) / "eval" / "rules" / data / "metrics.json").read_text())


def headline_table(ab_metrics: dict, rules_metrics: dict, data: str = "dev") -> pd.DataFrame:
    """Four rows (the A/B's arms and the rule baseline): exact match with its 95% CI, p50 latency, size on disk."""
    rows = []
    for arm, per_data in ab_metrics["arms"].items():
        a = per_data[data]
        rows.append({"arm": arm, "n": a["n"], "exact_match": a["exact_match"], "ci_low": a["exact_match_ci95"][0],
                     "ci_high": a["exact_match_ci95"][1], "p50_ms": a["p50_ms"],
                     "size_mb": a.get("model_size_mb")})  # fmt: skip
    r = rules_metrics
    rows.append({"arm": "rules", "n": r["n"], "exact_match": r["exact_match"], "ci_low": r["exact_match_ci95"][0],
                 "ci_high": r["exact_match_ci95"][1], "p50_ms": (r.get("latency_ms") or {}).get("p50"),
                 "size_mb": 0.0})  # fmt: skip
    t = pd.DataFrame(rows)
    t["size_mb"] = t["size_mb"].astype(float)
    return t


def plot_headline(ab_metrics: dict, rules_metrics: dict, data: str = "dev") -> Figure:
    """Micro, general, routed and rules side by side in three panels: exact match (95% CI error bars), p50 latency
    per query (log scale) and size on disk. The rule baseline's latency comes from its own evaluation run."""
    t = headline_table(ab_metrics, rules_metrics, data)
    colors = [ARM_COLORS.get(a, "tab:green") for a in t["arm"]]
    fig = Figure(figsize=(10, 3.4))
    ax_em, ax_ms, ax_mb = fig.subplots(1, 3)
    err = [t["exact_match"] - t["ci_low"], t["ci_high"] - t["exact_match"]]
    bars = ax_em.bar(t["arm"], t["exact_match"], yerr=err, capsize=4, color=colors)
    ax_em.bar_label(bars, labels=[f"{v:.2f}" for v in t["exact_match"]], label_type="center", fontsize=8,
                    color="white")  # fmt: skip
    ax_em.set(ylim=(0, 1.05), title=f"exact match ({data}, 95% CI)")
    p50 = t["p50_ms"].fillna(0)
    bars = ax_ms.bar(t["arm"], p50, color=colors)
    ax_ms.bar_label(bars, labels=[f"{v:,.0f}" if v >= 10 else f"{v:.2g}" for v in p50], fontsize=8)
    ax_ms.set(yscale="log", ylim=(max(p50[p50 > 0].min() / 3, 0.01), p50.max() * 4),
              title="p50 latency per query (ms, log)")  # fmt: skip
    size = t["size_mb"].fillna(0)
    bars = ax_mb.bar(t["arm"], size, color=colors)
    ax_mb.bar_label(bars, labels=["no model" if v == 0 else f"{v:.0f}" for v in size], fontsize=8)
    ax_mb.set(ylim=(0, max(size.max(), 1) * 1.15), title="size on disk (MiB)")
    for ax in (ax_em, ax_ms, ax_mb):
        ax.tick_params(axis="x", labelsize=9)
        ax.spines[["top", "right"]].set_visible(False)
    micro = ab_metrics["arms"].get("micro", {}).get(data, {}).get("predictor", "")
    if micro.startswith("llamacpp:"):
        fig.suptitle(f"micro = {Path(micro.split(':')[1]).stem}", fontsize=9)
    fig.tight_layout()
    return fig


def summary_table(results_dir: str | Path, run: str, data: str = "dev") -> pd.DataFrame:
    """:func:`ab_table` on one data set, the columns that fit a page: exact match [95% CI], valid JSON, p50/p95,
    what loading the arm added to memory, size on disk and cost per million queries."""
    t = ab_table(results_dir, run).query("data == @data")
    numeric = ["valid_json_rate", "p50_ms", "p95_ms", "rss_added_mb", "size_mb", "cost_per_million"]
    t = t.assign(**{c: pd.to_numeric(t[c]).astype(float) for c in numeric})  # no model file: None -> NaN
    return pd.DataFrame({
        "arm": t["arm"], "n": t["n"],
        "exact match [95% CI]": [f"{e:.3f} [{lo:.3f}, {hi:.3f}]" for e, lo, hi in
                                 zip(t["exact_match"], t["em_ci95_low"], t["em_ci95_high"], strict=True)],
        "valid JSON": t["valid_json_rate"].round(3), "p50 ms": t["p50_ms"].round(0), "p95 ms": t["p95_ms"].round(0),
        "RSS added MB": t["rss_added_mb"].round(0), "size MB": t["size_mb"].round(0),
        "cost / 1M": t["cost_per_million"].round(2),
    }).set_index("arm")  # fmt: skip


def load_metrics(results_dir: str | Path, run: str) -> dict:
    """results/ab/<run>/metrics.json."""
    return json.loads((Path(results_dir) / "ab" / run / "metrics.json").read_text())


def load_predictions(results_dir: str | Path, run: str) -> pd.DataFrame:
    """One row per arm x data set x query, with the category of the gold intent's action."""
    df = pd.DataFrame(read_jsonl(Path(results_dir) / "ab" / run / "predictions.jsonl"))
    df["category"] = [DOMAIN_OF_ACTION.get(g["action"], g["action"]) for g in df["gold"]]
    return df


def ab_table(results_dir: str | Path, run: str) -> pd.DataFrame:
    """Per data set and arm: exact match with its 95% CI, valid JSON, p50/p95 latency, memory (the process peak,
    all models loaded together, and what each arm's load added), size on disk, CPU-seconds and cost per query."""
    m, rows = load_metrics(results_dir, run), []
    for data in dict.fromkeys(d for per_data in m["arms"].values() for d in per_data):
        for arm, per_data in m["arms"].items():
            a = per_data[data]
            lo, hi = a["exact_match_ci95"]
            rows.append({"data": data, "arm": arm, "predictor": a["predictor"], "n": a["n"],
                         "exact_match": a["exact_match"], "em_ci95_low": lo, "em_ci95_high": hi,
                         "valid_json_rate": a["valid_json_rate"], "p50_ms": a["p50_ms"], "p95_ms": a["p95_ms"],
                         "process_peak_rss_mb": m["process_peak_rss_mb"], "rss_added_mb": a["rss_load_mb"],
                         "size_mb": a["model_size_mb"], "cpu_s_per_query": a["cpu_s_per_query"],
                         "cost_per_million": a["cost_per_million"]})  # fmt: skip
    return pd.DataFrame(rows)


def targets(results_dir: str | Path, run: str, data: str = "dev", micro: str = "micro", general: str = "general"):
    """The A/B targets, checked: micro at least as exact as general, p50 at least 5x faster and under 0.5 s, model
    under a quarter of the general model's size (``met`` is None where a number is missing, e.g. no model file)."""
    t = ab_table(results_dir, run).set_index(["data", "arm"])
    a, b = t.loc[(data, micro)], t.loc[(data, general)]
    ratio = a["size_mb"] / b["size_mb"] if pd.notna(a["size_mb"]) and pd.notna(b["size_mb"]) else None
    rows = [("exact match: micro >= general", a["exact_match"], b["exact_match"], a["exact_match"] - b["exact_match"],
             a["exact_match"] >= b["exact_match"]),
            ("p50 speed-up (general / micro) >= 5", a["p50_ms"], b["p50_ms"], b["p50_ms"] / a["p50_ms"],
             b["p50_ms"] >= 5 * a["p50_ms"]),
            ("size on disk (micro / general) < 0.25", a["size_mb"], b["size_mb"], ratio,
             None if ratio is None else ratio < 0.25),
            ("micro p50 < 500 ms", a["p50_ms"], None, None, a["p50_ms"] < 500)]  # fmt: skip
    return pd.DataFrame(rows, columns=["target", micro, general, "value", "met"])


def mcnemar_table(results_dir: str | Path, run: str) -> pd.DataFrame:
    """Exact McNemar test for every pair of arms on each data set (discordant pairs and two-sided p-value)."""
    tests = load_metrics(results_dir, run)["mcnemar"]
    rows = [{"data": data, **dict(zip(("arm_a", "arm_b"), pair.split(" vs "), strict=True)), **test}
            for data, pairs in tests.items() for pair, test in pairs.items()]  # fmt: skip
    return pd.DataFrame(rows)


def plot_accuracy_latency(results_dir: str | Path, run: str, data: str = "dev") -> Figure:
    """Exact match (95% CI error bars) against p50 latency on a log scale: up and to the left is better."""
    t = ab_table(results_dir, run).query("data == @data")
    ax = Figure(figsize=(6.5, 4)).subplots()
    for _, r in t.iterrows():
        err = [[r["exact_match"] - r["em_ci95_low"]], [r["em_ci95_high"] - r["exact_match"]]]
        ax.errorbar([r["p50_ms"]], [r["exact_match"]], yerr=err, fmt="o", capsize=3, label=r["arm"])
        ax.annotate(r["arm"], (r["p50_ms"], r["exact_match"]), textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.set(xscale="log", ylim=(-0.02, 1.02), xlabel="p50 latency per query (ms, log scale)", ylabel="exact match",
           title=f"A/B: accuracy against latency ({data})")  # fmt: skip
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def plot_latency_distributions(results_dir: str | Path, run: str, data: str = "dev", target_ms: float = 500) -> Figure:
    """Empirical CDF of per-query latency for each arm (log scale), with the micro model's p50 target."""
    p = load_predictions(results_dir, run)
    ax = Figure(figsize=(6.5, 4)).subplots()
    for arm, g in p[p["data"] == data].groupby("arm", sort=False):
        ms = np.sort(g["latency_ms"].to_numpy())
        ax.step(ms, np.arange(1, len(ms) + 1) / len(ms), where="post", label=arm, color=ARM_COLORS.get(arm))
    ax.axvline(target_ms, ls="--", color="grey", lw=1, label=f"{target_ms:g} ms target")
    ax.set(xscale="log", ylim=(0, 1.01), xlabel="latency per request (ms, log scale)", ylabel="fraction of requests",
           title=f"Latency distribution per arm ({data})")  # fmt: skip
    lo, hi = ax.get_xlim()
    ticks = [t * 10**e for e in range(-2, 6) for t in (1, 2, 5) if lo <= t * 10**e <= hi]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def per_category(results_dir: str | Path, run: str, data: str = "dev") -> pd.DataFrame:
    """Exact match per category (rows) and arm (columns), with the number of queries per category."""
    p = load_predictions(results_dir, run)
    p = p[p["data"] == data]
    table = p.pivot_table(index="category", columns="arm", values="exact", aggfunc="mean", sort=False)
    table = table[list(dict.fromkeys(p["arm"]))].astype(float)
    table["n"] = p[p["arm"] == p["arm"].iloc[0]].groupby("category").size()
    return table.reindex([c for c in CATEGORY_ORDER if c in table.index])


def plot_per_category(results_dir: str | Path, run: str, data: str = "dev") -> Figure:
    """Grouped bars: exact match per category, one bar per arm."""
    ax = Figure(figsize=(9, 3.8)).subplots()
    table = per_category(results_dir, run, data).drop(columns="n")
    table.plot.bar(ax=ax, width=0.8, color=[ARM_COLORS.get(a, "tab:green") for a in table.columns], rot=0)
    ax.set(ylim=(0, 1.02), ylabel="exact match", xlabel="", title=f"Exact match per category ({data})")
    ax.legend(fontsize=8, ncols=len(table.columns), loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.figure.tight_layout()
    return ax.figure


def plot_cost(results_dir: str | Path, run: str, data: str = "dev") -> Figure:
    """Cost per million queries per arm (CPU-seconds per query x the configured price of a core-hour)."""
    t = ab_table(results_dir, run).query("data == @data")
    price = load_metrics(results_dir, run)["price_per_core_hour"]
    ax = Figure(figsize=(6, 3.5)).subplots()
    bars = ax.bar(t["arm"], t["cost_per_million"], color="tab:green")
    ax.bar_label(bars, labels=[f"{v:.3g}" for v in t["cost_per_million"]], fontsize=8)
    ax.set(ylabel="cost per million queries", title=f"CPU cost at {price:g} per core-hour ({data})")
    ax.figure.tight_layout()
    return ax.figure


def calibration_table(results_dir: str | Path, run: str, arm: str = "micro") -> pd.DataFrame:
    """Per data set, the arm's confidence against exact match: ECE, error-detection AUROC, and the lowest threshold
    whose accepted answers are 99% exact, with the share of queries it accepts (coverage)."""
    p, rows = load_predictions(results_dir, run), []
    for data, g in p[p["arm"] == arm].groupby("data", sort=False):
        s = calibration_summary(g["confidence"].tolist(), g["exact"].tolist())
        rows.append({"data": data, "n": s["n"], "n_missing": s["n_missing"], "ece": s["ece"],
                     "error_auroc": s["error_auroc"], **{k: s["accept"][k] for k in
                     ("target", "threshold", "precision", "coverage", "n_accepted")}})  # fmt: skip
    return pd.DataFrame(rows)


def plot_calibration(results_dir: str | Path, run: str, arm: str = "micro", data: str = "dev") -> Figure:
    """Reliability diagram of the arm's confidence on one data set (microllm.calibration.plot_reliability)."""
    p = load_predictions(results_dir, run)
    g = p[(p["arm"] == arm) & (p["data"] == data)]
    conf, exact = g["confidence"].tolist(), g["exact"].tolist()
    return plot_reliability(conf, exact, title=f"{arm} ({data}): ECE {expected_calibration_error(conf, exact):.3f}")


def routing_table(results_dir: str | Path, run: str) -> pd.DataFrame:
    """Per routed arm and data set: microllm.router.routing_quality of its routes against the gold scope (in scope:
    the gold action is not ``unknown``), with the routed arm's exact match."""
    p, rows = load_predictions(results_dir, run), []
    routed = p[p["route"].notna()] if "route" in p else p.iloc[:0]
    for (arm, data), g in routed.groupby(["arm", "data"], sort=False):
        quality = routing_quality([{"output": gold} for gold in g["gold"]], g["route"].tolist())
        rows.append({"arm": arm, "data": data, "exact_match": g["exact"].mean(), **quality})
    return pd.DataFrame(rows)
