"""Notebook 03's tables and charts: training runs, the CPU speed profile, fine-tuned vs base models vs baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from microllm.data.io import read_jsonl
from microllm.report_models import load_comparison

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


def plot_losses(results_dir: str | Path = "results", runs: list[str] | None = None) -> Figure:
    """Training loss (lines) and validation loss (dots) of each run against the epoch, on a log scale."""
    fig = Figure(figsize=(7.5, 4))
    ax = fig.subplots()
    for path in sorted(Path(results_dir).glob("finetune/*/train_log.jsonl")):
        run = path.parent.name
        if runs is not None and run not in runs:
            continue
        rows = read_jsonl(path)
        train = [r for r in rows if "loss" in r]
        if not train:
            continue
        per_step = train[-1]["epoch"] / train[-1]["step"]  # validation rows carry the step only
        (line,) = ax.plot([r["epoch"] for r in train], [r["loss"] for r in train], lw=1, label=run)
        val = [r for r in rows if "eval_loss" in r]
        ax.plot([r["step"] * per_step for r in val], [r["eval_loss"] for r in val], "o", color=line.get_color())
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss on answer tokens (dots: validation)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def load_profile(path: str | Path) -> pd.DataFrame:
    """The speed-lever table written by `microllm train-profile` (empty when it has not been run); a variant stopped
    at the time budget shows how long its unfinished step had run."""
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
