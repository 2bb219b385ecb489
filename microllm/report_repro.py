"""Did a retraining reproduce a run? Its logged losses, validation loss and time beside the recorded run's."""

from __future__ import annotations

import json
from pathlib import Path


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
