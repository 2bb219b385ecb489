"""Tables and charts for the notebooks (each notebook cell calls one of these)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

CATEGORY_ORDER = ["dns", "users", "samba", "mail", "pki", "firewall", "network", "multi", "clarify", "unknown"]


def counts_table(splits: dict[str, list[dict]]) -> pd.DataFrame:
    """Rows per category (rows) and split (columns), with totals."""
    df = pd.DataFrame([{"split": s, "category": r["category"]} for s, rows in splits.items() for r in rows])
    table = pd.crosstab(df["category"], df["split"], margins=True, margins_name="total")
    order = [c for c in CATEGORY_ORDER if c in table.index] + ["total"]
    return table.reindex(order)[[*splits, "total"]]


def plot_counts(splits: dict[str, list[dict]]):
    """Stacked bars: rows per category, coloured by split."""
    table = counts_table(splits).drop(index="total").drop(columns="total")
    ax = table.plot.barh(stacked=True, figsize=(7, 4))
    ax.invert_yaxis()
    ax.set_xlabel("rows")
    ax.set_title("Synthetic dataset: rows per category and split")
    plt.tight_layout()
    return ax.figure


def examples(splits: dict[str, list[dict]], split: str = "train", per_category: int = 2) -> pd.DataFrame:
    """A few (input, output) pairs per category from one split (the template id left out, to fit the page)."""
    df = pd.DataFrame(splits[split])
    picked = df.groupby("category", sort=False).head(per_category)
    return picked[["category", "input", "output"]].reset_index(drop=True)


def templates_table(splits: dict[str, list[dict]]) -> pd.DataFrame:
    """Distinct phrasing templates per category (rows) and split (columns)."""
    df = pd.DataFrame(
        [{"split": s, "category": r["category"], "template": r["template"]} for s, rows in splits.items() for r in rows]
    ).drop_duplicates()
    table = pd.crosstab(df["category"], df["split"], margins=True, margins_name="total")
    order = [c for c in CATEGORY_ORDER if c in table.index] + ["total"]
    return table.reindex(order)[[*splits, "total"]]


def split_overlap(splits: dict[str, list[dict]]) -> pd.DataFrame:
    """How many templates and inputs each pair of splits shares (zero is the point of the split)."""
    names = list(splits)
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ta, tb = {r["template"] for r in splits[a]}, {r["template"] for r in splits[b]}
            ia, ib = {r["input"] for r in splits[a]}, {r["input"] for r in splits[b]}
            rows.append(
                {
                    "pair": f"{a} / {b}",
                    "templates_a": len(ta),
                    "templates_b": len(tb),
                    "shared_templates": len(ta & tb),
                    "shared_inputs": len(ia & ib),
                }
            )
    return pd.DataFrame(rows)


def plot_scores(table: pd.DataFrame, metric: str = "exact_match"):
    """Grouped bars of a metric per predictor and dataset, with the 95% bootstrap interval."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    datasets = list(dict.fromkeys(table["dataset"]))
    predictors = list(dict.fromkeys(table["predictor"]))
    width = 0.8 / len(predictors)
    for j, pred in enumerate(predictors):
        sub = table[table["predictor"] == pred].set_index("dataset").reindex(datasets)
        x = [i + j * width for i in range(len(datasets))]
        err = None
        if metric == "exact_match":
            err = [sub[metric] - sub["em_ci95_low"], sub["em_ci95_high"] - sub[metric]]
        ax.bar(x, sub[metric], width, yerr=err, capsize=4, label=pred)
    ax.set_xticks([i + width * (len(predictors) - 1) / 2 for i in range(len(datasets))], datasets)
    ax.set_ylim(0, 1)
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(f"Baselines: {metric.replace('_', ' ')} (95% bootstrap CI)")
    ax.legend()
    plt.tight_layout()
    return fig


def per_category_table(metrics_by_run: dict[str, dict]) -> pd.DataFrame:
    """Exact match per category, one column per run (e.g. 'rules/dev')."""
    cols = {run: {c: v["exact_match"] for c, v in m["per_category"].items()} for run, m in metrics_by_run.items()}
    table = pd.DataFrame(cols)
    return table.reindex([c for c in CATEGORY_ORDER if c in table.index])


def load_eval_metrics(results_dir: str, predictors: list[str], datasets: list[str]) -> dict[str, dict]:
    """metrics.json of each predictor x dataset under ``results_dir/eval``, keyed 'predictor/dataset'."""
    import json
    from pathlib import Path

    out = {}
    for p in predictors:
        for d in datasets:
            path = Path(results_dir) / "eval" / p / d / "metrics.json"
            out[f"{p}/{d}"] = json.loads(path.read_text())
    return out


def load_baselines(results_dir: str = "results") -> pd.DataFrame:
    """The baselines' scores as `microllm baselines` recorded them (results/baselines/summary.json)."""
    import json
    from pathlib import Path

    return pd.DataFrame(json.loads((Path(results_dir) / "baselines" / "summary.json").read_text()))


def scores_table(table: pd.DataFrame) -> pd.DataFrame:
    """Baseline scores, narrow and rounded: exact match with its 95% interval, field F1, action accuracy."""
    return pd.DataFrame({
        "predictor": table["predictor"], "dataset": table["dataset"], "n": table["n"],
        "exact match [95% CI]": [f"{e:.3f} [{lo:.3f}, {hi:.3f}]" for e, lo, hi in
                                 zip(table["exact_match"], table["em_ci95_low"], table["em_ci95_high"], strict=True)],
        "field F1": table["field_f1"].round(3), "action": table["action_accuracy"].round(3),
    })  # fmt: skip


def train_values_table(plain: dict[str, list[dict]], made_up: dict[str, list[dict]]) -> pd.DataFrame:
    """Distinct values per kind (users, hosts, ...): in the train split without and with made-up names, in the test
    split, and how many test values the made-up train split never shows (from each dataset's card)."""
    from microllm.data.card import data_card

    a, b = data_card(plain)["held_out_values"], data_card(made_up)["held_out_values"]
    return pd.DataFrame({"train": {k: v["distinct_train"] for k, v in a.items()},
                         "train, made up": {k: v["distinct_train"] for k, v in b.items()},
                         "test": {k: v["distinct_test"] for k, v in b.items()},
                         "test unseen": {k: v["unseen_in_train_test"] for k, v in b.items()}})  # fmt: skip
