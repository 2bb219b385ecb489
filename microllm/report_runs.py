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

TARGET = 0.95  # issue 4: the fine-tuned Gemma 3 270M reaches at least 95% exact match on dev
_RUN_IN_MODEL = re.compile(r"artifacts/quantized/([^/]+)/")
COLUMNS = ["base_model", "run", "method", "examples", "steps", "chain_minutes", "cpu", "eval_loss", "arms", "chosen_on",
           "arm", "val_em", "test_em", "dev_em", "dev_n", "dev_ci95", "dev_best", "dev_target_met"]  # fmt: skip


def _dataset(metrics: dict) -> str:
    """dev, val or test, from the data file a score was computed on (archived scores live in free-named folders)."""
    return Path(metrics.get("data", "")).stem


def _scores(results_dir: Path, runs: set[str]) -> dict[str, dict[str, dict[str, dict]]]:
    """run -> arm -> dataset -> metrics, rechecked decoding left out (off by default: results/compare/recheck)."""
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
