"""Every fine-tuning run against the dev exact-match target: what it cost to train and what its scored models reached.

A run's scores are those of the evaluations whose model came out of it (``artifacts/quantized/<run>/...`` or the run's
own name) plus the ones archived with it (``results/finetune/<run>/eval/``). One of its scored arms (quantization x
decoding) stands for the run, chosen on the synthetic validation split where one was scored there, else on the
synthetic test split, else on dev; the column ``chosen_on`` says which, so a dev score is never picked on dev unless
dev is all there is. ``dev_best`` is the best dev score over all of the run's arms, for the record.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

TARGET = 0.95  # the dev exact match a fine-tuned micro model is to reach
_RUN_IN_MODEL = re.compile(r"artifacts/quantized/([^/]+)/")
COLUMNS = ["base_model", "run", "method", "examples", "steps", "chain_minutes", "cpu", "eval_loss", "arms", "chosen_on",
           "arm", "val_em", "test_em", "dev_em", "dev_n", "dev_ci95", "dev_best", "dev_target_met"]  # fmt: skip


def _dataset(metrics: dict) -> str:
    """dev, val or test, from the data file a score was computed on (archived scores live in free-named folders)."""
    return Path(metrics.get("data", "")).stem


def _scores(results_dir: Path, runs: set[str]) -> dict[str, dict[str, dict[str, dict]]]:
    """run -> arm -> dataset -> metrics, rechecked decoding left out (research only: results/compare/recheck)."""
    found: dict[str, dict[str, dict[str, dict]]] = {}
    paths = [(p, None) for p in results_dir.glob("eval/*/*/metrics.json")]
    archived = results_dir.glob("finetune/*/eval/**/metrics.json")
    paths += [(p, p.relative_to(results_dir / "finetune").parts[0]) for p in archived]
    for path, archived_run in sorted(paths):
        m = json.loads(path.read_text())
        if ":rechecked" in m.get("predictor", ""):
            continue
        model = str((m.get("arm") or {}).get("model") or "")
        hit = _RUN_IN_MODEL.search(model)
        run = archived_run or (hit.group(1) if hit else model)
        if run not in runs:
            continue
        dataset = _dataset(m)
        if archived_run is None:
            arm = path.parent.parent.name
        else:  # eval/<arm>/<dataset>/, eval/<dataset>/ or eval/<dataset>-<arm>/: one arm for all its datasets
            parts = list(path.parent.relative_to(results_dir / "finetune" / run / "eval").parts)
            if parts and parts[-1] == dataset:
                parts.pop()
            elif parts and parts[-1].startswith(dataset + "-"):
                parts[-1] = parts[-1][len(dataset) + 1 :]
            arm = "/".join(["eval", *parts])
        found.setdefault(run, {}).setdefault(arm, {})[dataset] = m
    return found


def _chain_minutes(run: str, by_run: dict[str, dict]) -> float:
    """Training minutes of the run and of every run whose merged weights it started from (``initialised_from``); a
    resumed run's own total already counts the steps it resumed (``continued_from``). A retrain whose records were
    moved to ``<trained_as><suffix>`` started from the run of the same suffix, when there is one."""
    total, seen = 0.0, set()
    while run in by_run and run not in seen:
        seen.add(run)
        m = by_run[run]
        total += m["seconds_total"] / 60
        hit = re.search(r"artifacts/finetune/([^/]+)/", m.get("initialised_from") or "")
        start = hit.group(1) if hit else ""
        trained_as = m.get("trained_as") or ""
        suffix = run[len(trained_as) :] if trained_as and run.startswith(trained_as) else ""
        run = start + suffix if suffix and start + suffix in by_run else start
    return round(total, 1)


def runs_vs_target(results_dir: str | Path = "results", base_model: str | None = None,
                   target: float = TARGET) -> pd.DataFrame:  # fmt: skip
    """One row per fine-tuning run (results/finetune/<run>/metrics.json with steps): its training cost, the arm that
    stands for it and that arm's exact match on val, test and dev, and whether dev meets ``target``."""
    results_dir = Path(results_dir)
    by_run = {}
    for path in sorted(results_dir.glob("finetune/*/metrics.json")):
        m = json.loads(path.read_text())
        if "steps" in m and (base_model is None or m.get("base_model") == base_model):
            by_run[m["run"]] = m
    scores = _scores(results_dir, set(by_run))
    rows = []
    for run, m in by_run.items():
        arms = scores.get(run, {})
        row = {"base_model": m.get("base_model"), "run": run, "method": m.get("method"), "examples": m["examples"],
               "steps": m["steps"], "chain_minutes": _chain_minutes(run, by_run),
               "cpu": ((m.get("provenance") or {}).get("machine") or {}).get("cpu"), "eval_loss": m.get("eval_loss"),
               "arms": len(arms)}  # fmt: skip
        for basis in ("val", "test", "dev"):
            scored = {a: d for a, d in arms.items() if basis in d}
            if scored:
                # ties: an arm also scored on dev, then a current record (results/eval) over an archived one
                arm = max(sorted(scored), key=lambda a: (scored[a][basis]["exact_match"], "dev" in arms[a],
                                                         not a.startswith("eval/")))  # fmt: skip
                chosen = arms[arm]
                row.update(chosen_on=basis, arm=arm, **{f"{d}_em": chosen[d]["exact_match"] if d in chosen else None
                                                        for d in ("val", "test", "dev")})  # fmt: skip
                if "dev" in chosen:
                    lo, hi = chosen["dev"]["exact_match_ci95"]
                    row.update(dev_n=chosen["dev"]["n"], dev_ci95=f"[{lo:.3f}, {hi:.3f}]",
                               dev_target_met=chosen["dev"]["exact_match"] >= target)  # fmt: skip
                break
        devs = [d["dev"]["exact_match"] for d in arms.values() if "dev" in d]
        row["dev_best"] = max(devs) if devs else None
        rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["base_model", "dev_em", "run"], ascending=[True, False, True],
                             na_position="last").reset_index(drop=True)  # fmt: skip


# Runs that repeat another run (a retrain to check reproduction) or only time it (a probe, a profile): no candidates.
NOT_CANDIDATES = r"-repro$|-fresh-|-probe$|^profile-"


def candidates(results_dir: str | Path = "results", exclude: str = NOT_CANDIDATES) -> pd.DataFrame:
    """The candidate fine-tuning runs, compact enough for a page: one row per run with a dev score (reproductions,
    probes and profiles left out), best dev first: its base, method, train rows, training minutes (its chain), and the
    exact match of the arm that stands for it on val and dev with dev's 95% interval (``runs_vs_target``)."""
    table = runs_vs_target(results_dir)
    table = table[table["dev_em"].notna() & ~table["run"].str.contains(exclude, regex=True)]
    out = pd.DataFrame({"run": table["run"], "base": table["base_model"], "method": table["method"],
                        "rows": table["examples"], "minutes": table["chain_minutes"].round().astype(int),
                        "val": table["val_em"].round(3), "dev": table["dev_em"].round(3),
                        "dev 95% CI": table["dev_ci95"]})  # fmt: skip
    return out.sort_values(["dev", "run"], ascending=[False, True]).reset_index(drop=True)


def plot_runs(results_dir: str | Path = "results", base_model: str | None = None, exclude: str = NOT_CANDIDATES,
              max_series: int = 6):  # fmt: skip
    """Dev exact match (95% CI) of each candidate run against its training minutes (its chain), one series per base
    model and method (at most ``max_series``), each point named by its run: which base and method pay off."""
    from matplotlib.figure import Figure

    table = runs_vs_target(results_dir, base_model=base_model)
    table = table[table["dev_em"].notna() & ~table["run"].str.contains(exclude, regex=True)]
    groups = list(table.groupby(["base_model", "method"], sort=True))
    if len(groups) > max_series:
        raise ValueError(f"{len(groups)} base/method series in one chart (at most {max_series})")
    fig = Figure(figsize=(8, 5.5))
    ax = fig.subplots()
    for (base, method), g in groups:
        ci = g["dev_ci95"].str.strip("[]").str.split(", ", expand=True).astype(float)
        err = [g["dev_em"] - ci[0], ci[1] - g["dev_em"]]
        ax.errorbar(g["chain_minutes"], g["dev_em"], yerr=err, fmt="o", capsize=3, label=f"{base}, {method}")
    for i, (_, r) in enumerate(table.sort_values(["chain_minutes", "dev_em"]).iterrows()):
        # neighbours on x take turns above and below their point, so close runs keep readable names
        ax.annotate(r["run"], (r["chain_minutes"], r["dev_em"]), fontsize=6.5, xytext=(5, -9 if i % 2 else 3),
                    textcoords="offset points")  # fmt: skip
    ax.axhline(TARGET, color="grey", ls="--", lw=1)
    ax.set(xlabel="training minutes (the run and every run it started from)", ylabel="exact match (dev, 95% CI)",
           ylim=(0, 1.02))  # fmt: skip
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
