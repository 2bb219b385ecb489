"""Did a retraining reproduce a run? Its logged losses, validation loss and time beside the recorded run's."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def _log(run_dir: Path) -> dict[int, float]:
    rows = [json.loads(line) for line in (run_dir / "train_log.jsonl").read_text().splitlines() if line.strip()]
    return {r["step"]: r["loss"] for r in rows if "loss" in r}


def compare_runs(recorded: str | Path, again: str | Path) -> dict:
    """Step-by-step training loss of two runs of one config (``results/finetune/<run>/`` folders) and their totals.

    Bit-identical on the same machine; on another CPU the float kernels differ, so the losses drift a little."""
    a, b = Path(recorded), Path(again)
    la, lb = _log(a), _log(b)
    steps = sorted(set(la) & set(lb))
    if not steps:
        raise ValueError(f"{a} and {b} share no logged step")
    ma, mb = (json.loads((d / "metrics.json").read_text()) for d in (a, b))
    diffs = [abs(la[s] - lb[s]) for s in steps]

    def side(m: dict) -> dict:
        machine = m["provenance"]["machine"]
        return {
            "eval_loss": m["eval_loss"],
            "final_loss": m["final_loss"],
            "minutes": round(m["seconds_total"] / 60, 1),
            "seconds_per_step_median": m["seconds_per_step_median"],
            "cpu": machine["cpu"],
            "date_utc": m["provenance"]["date_utc"],
        }

    return {"recorded": str(a), "again": str(b), "steps_compared": len(steps),
            "identical_losses": all(d == 0 for d in diffs), "max_abs_loss_diff": max(diffs),
            "mean_abs_loss_diff": sum(diffs) / len(diffs), "recorded_run": side(ma), "again_run": side(mb)}  # fmt: skip


def compare_answers(recorded: str | Path, again: str | Path) -> dict:
    """Row-by-row answers of two evaluations of one data file (``predictions.jsonl`` paths): how many are the
    same, how many each got exact, and the flips either way (ids only, so the rows' text is not echoed)."""
    ra, rb = ({r["id"]: r for r in map(json.loads, Path(p).read_text().splitlines())} for p in (recorded, again))
    if set(ra) != set(rb):
        raise ValueError(f"{recorded} and {again} answer different rows ({len(set(ra) ^ set(rb))} not shared)")
    ids = sorted(ra)
    return {"recorded": str(recorded), "again": str(again), "rows": len(ids),
            "same_output": sum(ra[i]["output"] == rb[i]["output"] for i in ids),
            "exact_recorded": sum(bool(ra[i]["exact"]) for i in ids),
            "exact_again": sum(bool(rb[i]["exact"]) for i in ids),
            "lost": [i for i in ids if ra[i]["exact"] and not rb[i]["exact"]],
            "gained": [i for i in ids if rb[i]["exact"] and not ra[i]["exact"]]}  # fmt: skip


def reproduction_table(results_dir: str | Path, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """One :func:`compare_runs` row per (recorded, again) pair of ``results/finetune/`` run names."""
    rows = []
    for recorded, again in pairs:
        c = compare_runs(Path(results_dir) / "finetune" / recorded, Path(results_dir) / "finetune" / again)
        rows.append({"recorded": recorded, "again": again, "again_cpu": c["again_run"]["cpu"],
                     "steps": c["steps_compared"], "identical_losses": c["identical_losses"],
                     "max_abs_loss_diff": c["max_abs_loss_diff"], "eval_loss": c["recorded_run"]["eval_loss"],
                     "again_eval_loss": c["again_run"]["eval_loss"], "minutes": c["recorded_run"]["minutes"],
                     "again_minutes": c["again_run"]["minutes"]})  # fmt: skip
    return pd.DataFrame(rows)
