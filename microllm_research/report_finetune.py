"""Notebook 03's tables and charts: training runs, the CPU speed profile, fine-tuned vs base models vs baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, ScalarFormatter

from microllm.data.io import read_jsonl
from microllm_research.report_models import load_comparison

RUN_COLUMNS = ["run", "base_model", "method", "examples", "steps", "epochs", "trainable_params", "total_params",
               "seconds_per_step_median", "seconds_total", "first_loss", "final_loss", "eval_loss"]  # fmt: skip


def load_runs(results_dir: str | Path = "results", runs: list[str] | None = None) -> pd.DataFrame:
    """One row per finished fine-tuning run (results/finetune/<run>/metrics.json), minutes included."""
    paths = sorted(Path(results_dir).glob("finetune/*/metrics.json"))
    rows = [json.loads(p.read_text()) for p in paths]
    rows = [r for r in rows if "steps" in r and (runs is None or r["run"] in runs)]
    table = pd.DataFrame(rows, columns=RUN_COLUMNS)
    table["minutes"] = (table["seconds_total"] / 60).round(1)
    return table.drop(columns=["seconds_total"])


MAX_SERIES = 6  # a chart with more lines than this is unreadable: pick the runs


def plot_losses(results_dir: str | Path = "results", runs: list[str] | None = None, max_runs: int = MAX_SERIES,
                title: str | None = None) -> Figure:  # fmt: skip
    """Training loss (lines) and validation loss (dots) of each run against the epoch, on a log scale; at most
    ``max_runs`` runs (pass ``runs`` to choose them)."""
    paths = [p for p in sorted(Path(results_dir).glob("finetune/*/train_log.jsonl"))
             if runs is None or p.parent.name in runs]  # fmt: skip
    if len(paths) > max_runs:
        raise ValueError(f"{len(paths)} runs in one chart (at most {max_runs}): pass runs=[...]")
    fig = Figure(figsize=(7.5, 4))
    ax = fig.subplots()
    for path in paths:
        rows = read_jsonl(path)
        train = [r for r in rows if "loss" in r]
        if not train:
            continue
        per_step = train[-1]["epoch"] / train[-1]["step"]  # validation rows carry the step only
        (line,) = ax.plot([r["epoch"] for r in train], [r["loss"] for r in train], lw=1, label=path.parent.name)
        val = [r for r in rows if "eval_loss" in r]
        ax.plot([r["step"] * per_step for r in val], [r["eval_loss"] for r in val], "o", color=line.get_color())
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss on answer tokens (dots: validation)")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def recipe_run(results_dir: str | Path, run: str, earlier: str) -> str:
    """The run whose training record stands for the recipe: ``run`` once `make all` has trained it, else ``earlier``
    (the same recipe's committed record); prints which, so the reader knows."""
    if (Path(results_dir) / "finetune" / run / "metrics.json").is_file():
        print(f"Training record: results/finetune/{run} (this checkout's run of the recipe).")
        return run
    print(f"Training record: results/finetune/{earlier}, the same recipe's committed run "
          f"(`make all` writes results/finetune/{run} when it trains the recipe).")  # fmt: skip
    return earlier


def training_summary(results_dir: str | Path, run: str) -> pd.DataFrame:
    """One run's training at a glance, one row per fact (rounded): what was trained, how long, where the loss ended."""
    m = json.loads((Path(results_dir) / "finetune" / run / "metrics.json").read_text())
    facts = {"base model": m.get("base_model"), "method": m.get("method"),
             "trainable parameters (M)": round(m["trainable_params"] / 1e6, 1) if m.get("trainable_params") else None,
             "train rows": m.get("examples"), "steps": m.get("steps"), "epochs": m.get("epochs"),
             "minutes": round(m["seconds_total"] / 60), "seconds per step (median)": round(
                 m.get("seconds_per_step_median") or m.get("seconds_per_step") or 0, 1),
             "first train loss": round(m["first_loss"], 3) if m.get("first_loss") is not None else None,
             "validation loss": round(m["eval_loss"], 4) if m.get("eval_loss") is not None else None}  # fmt: skip
    return pd.DataFrame({run: facts}).astype(str)


def recipe_scores(results_dir: str | Path, compare_run: str, earlier_run: str | None = None) -> pd.DataFrame:
    """Exact match [95% CI] of the recipe's grounded file per data set, from results/compare/<compare_run>/summary.json
    (``earlier_run``'s compare record when the recipe's own has not run yet); says which record it read."""
    rows = []
    for run in (compare_run, earlier_run):
        path = Path(results_dir) / "compare" / str(run) / "summary.json"
        if run and path.is_file():
            rows = [r for r in json.loads(path.read_text()) if r.get("grounded")]
            print(f"Scores: results/compare/{run}/summary.json")
            break
    table = pd.DataFrame([{"data": r["dataset"], "n": r["n"], "exact match": round(r["exact_match"], 3),
                           "95% CI": f"[{r['em_ci95_low']:.3f}, {r['em_ci95_high']:.3f}]",
                           "valid JSON": round(r["valid_json_rate"], 3), "p50 ms": round(r["p50_ms"])}
                          for r in rows])  # fmt: skip
    order = {"val": 0, "test": 1, "dev": 2}
    return table.sort_values("data", key=lambda c: c.map(order)).reset_index(drop=True) if len(table) else table


def plot_learning_curves(results_dir: str | Path, curves: dict[str, str], dataset: str = "dev") -> Figure:
    """Exact match (95% CI) on ``dataset`` against train rows, one line per learning curve
    (``{label: run}``, results/finetune/<run>/curve.json), log-scaled x."""
    fig = Figure(figsize=(6.5, 3.8))
    ax = fig.subplots()
    sizes: set[int] = set()
    for label, run in curves.items():
        path = Path(results_dir) / "finetune" / run / "curve.json"
        if not path.is_file():
            continue
        points = json.loads(path.read_text())["points"]
        xs = [p["examples"] for p in points]
        sizes.update(xs)
        ys = [p[f"{dataset}_exact_match"] for p in points]
        err = [[y - p[f"{dataset}_ci95"][0] for y, p in zip(ys, points, strict=True)],
               [p[f"{dataset}_ci95"][1] - y for y, p in zip(ys, points, strict=True)]]  # fmt: skip
        ax.errorbar(xs, ys, yerr=err, marker="o", capsize=3, label=label)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(sorted(sizes))
    ax.set(xlabel="train rows (nested subsamples, one epoch each)", ylabel=f"exact match ({dataset})", ylim=(0, 1))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def load_profile(path: str | Path) -> pd.DataFrame:
    """The speed-lever table written by `microllm-research train-profile` (empty when it has not been run); a variant
    stopped at the time budget shows how long its unfinished step had run."""
    path = Path(path)
    if not path.exists():
        return pd.DataFrame()
    rows = json.loads(path.read_text())["variants"]
    cols = ["variant", "steps", "tokens_per_example", "seconds_per_step", "minutes_per_epoch", "speedup_vs_first"]
    if any(r.get("timed_out") for r in rows):
        cols += ["timed_out", "unfinished_step_seconds"]
    return pd.DataFrame(rows).reindex(columns=cols)


def before_after(results_dir: str | Path = "results", dataset: str = "dev") -> pd.DataFrame:
    """Baselines, base models (best prompt, constrained) and fine-tuned arms on one dataset, best exact match first.
    Rows on a subset say so in ``n``; compare like with like: arms scored on an older version of the data file (a
    regenerated synthetic split) are left out."""
    rows = []
    summary = Path(results_dir) / "baselines" / "summary.json"
    if summary.exists():
        for r in json.loads(summary.read_text()):
            if r["dataset"] == dataset:
                rows.append({"system": f"baseline: {r['predictor']}", "stage": "baseline", "n": r["n"],
                             "exact_match": r["exact_match"], "em_ci95_low": r["em_ci95_low"],
                             "em_ci95_high": r["em_ci95_high"], "valid_json_rate": r["valid_json_rate"],
                             "p50_ms": None})  # fmt: skip
    table = load_comparison(results_dir, current_only=True)
    if not table.empty:
        for _, r in table[table["dataset"] == dataset].iterrows():
            tuned = r["prompt"] == "trained"
            name = Path(r["model"]).stem if str(r["model"]).endswith(".gguf") else r["model"]
            mode = ("" if r["constrained"] else ", free") + (", grounded" if r["grounded"] else "")
            rows.append({"system": f"{name} ({r['prompt']}{mode})", "stage": "fine-tuned" if tuned else "base model",
                         "n": r["n"], "exact_match": r["exact_match"], "em_ci95_low": r["em_ci95_low"],
                         "em_ci95_high": r["em_ci95_high"], "valid_json_rate": r["valid_json_rate"],
                         "p50_ms": r["p50_ms"]})  # fmt: skip
    out = pd.DataFrame(rows)
    return out.sort_values("exact_match", ascending=False).reset_index(drop=True) if not out.empty else out


def confidence_split(table: pd.DataFrame, dataset: str = "dev") -> pd.DataFrame:
    """Mean confidence of right and of wrong answers per fine-tuned arm (the targets: above 0.9 and below 0.7)."""
    rows = []
    for _, r in table[(table["dataset"] == dataset) & (table["prompt"] == "trained")].iterrows():
        m = json.loads(Path(r["metrics"]).read_text())
        conf = m.get("confidence") or {}
        rows.append({"model": Path(r["model"]).stem, "constrained": r["constrained"], "grounded": r["grounded"],
                     "exact_match": r["exact_match"], "mean_conf_correct": conf.get("mean_correct"),
                     "mean_conf_wrong": conf.get("mean_wrong")})  # fmt: skip
    return pd.DataFrame(rows)


def wrong_answers(predictions: str | Path, n: int = 12) -> pd.DataFrame:
    """The first ``n`` wrong answers of one arm (request, output, gold): what the errors look like. Use it on the
    synthetic test split; reading dev-set errors one by one invites tuning on the held-out set."""
    rows = [r for r in read_jsonl(predictions) if not r.get("exact")]
    return pd.DataFrame([{"category": r.get("category"), "request": r["input"], "output": r.get("raw"),
                          "gold": json.dumps(r["gold"])} for r in rows[:n]])  # fmt: skip


def archived_scores(results_dir: str | Path = "results") -> pd.DataFrame:
    """Scores kept with an earlier run (results/finetune/<run>/eval/<arm>/<dataset>/metrics.json, e.g. the data v1
    model's), so a later run of the same name can be compared with it; ``data_sha256`` says which data file."""
    rows = []
    for path in sorted(Path(results_dir).glob("finetune/*/eval/*/*/metrics.json")):
        m = json.loads(path.read_text())
        data = ((m.get("provenance") or {}).get("data") or {}).get("data") or {}
        lo, hi = m["exact_match_ci95"]
        sha = (data.get("sha256") or "")[:12]
        rows.append({"run": path.parents[3].name, "arm": path.parents[1].name, "dataset": path.parent.name,
                     "n": m["n"], "exact_match": m["exact_match"], "em_ci95_low": lo, "em_ci95_high": hi,
                     "valid_json_rate": m["valid_json_rate"], "data_sha256": sha})  # fmt: skip
    return pd.DataFrame(rows)


def confidence_modes(eval_dir: str | Path) -> pd.DataFrame:
    """Exact match and mean confidence of right and wrong answers for each ``<dataset>-conf-<mode>`` evaluation
    under ``eval_dir`` (one model decoded with ``confidence=values`` and ``confidence=decisions``)."""
    rows = []
    for path in sorted(Path(eval_dir).glob("*-conf-*/metrics.json")):
        m = json.loads(path.read_text())
        dataset, mode = path.parent.name.split("-conf-", 1)
        conf = m.get("confidence") or {}
        rows.append({"dataset": dataset, "confidence": mode, "n": m["n"], "exact_match": m["exact_match"],
                     "mean_conf_correct": conf.get("mean_correct"),
                     "mean_conf_wrong": conf.get("mean_wrong")})  # fmt: skip
    return pd.DataFrame(rows)
