"""What a training run leaves in results/finetune/<run>/: train_log.jsonl, loss_curve.png and metrics.json."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from transformers import TrainerCallback

from microllm.data.io import read_jsonl, write_jsonl

TRAIN_KEYS = {"loss": "loss", "learning_rate": "lr", "grad_norm": "grad_norm", "epoch": "epoch",
              "mean_token_accuracy": "token_accuracy", "num_tokens": "tokens"}  # fmt: skip


class JsonlLog(TrainerCallback):
    """One JSON line per logged step: step, loss, lr, seconds (wall clock since the run started, across resumes),
    plus grad norm, epoch and token accuracy; validation rows carry ``eval_loss`` instead.

    On resume, rows after the checkpoint's step are dropped (those steps run again) and seconds continue from the
    last kept row.
    """

    def __init__(self, path: str | Path, resume_step: int | None = None, carry: list[dict] | None = None):
        """``carry``: the rows to start from instead (another run's log, when continuing from that run)."""
        self.path = Path(path)
        kept = list(carry) if carry is not None else []
        if carry is None and resume_step is not None and self.path.exists():
            kept = [r for r in read_jsonl(self.path) if r["step"] <= resume_step]
        write_jsonl(kept, self.path)
        self.offset = kept[-1]["seconds"] if kept else 0.0
        self.start = time.perf_counter()

    def on_train_begin(self, args, state, control, **kwargs):
        self.start = time.perf_counter()  # after model and data preparation: seconds count training only

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        row = {"step": state.global_step}
        if "loss" in logs:
            row.update({short: logs[key] for key, short in TRAIN_KEYS.items() if key in logs})
        elif "eval_loss" in logs:
            row["eval_loss"] = logs["eval_loss"]
        else:  # the end-of-training summary (train_runtime, ...) goes to metrics.json instead
            return
        row["seconds"] = round(self.offset + time.perf_counter() - self.start, 3)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")


def step_seconds(rows: list[dict]) -> float | None:
    """Median seconds per step between consecutive logged training steps (robust to the first, warm-up step)."""
    train = [r for r in rows if "loss" in r]
    rates = [(b["seconds"] - a["seconds"]) / (b["step"] - a["step"])
             for a, b in zip(train, train[1:], strict=False) if b["step"] > a["step"]]  # fmt: skip
    return statistics.median(rates) if rates else None


def plot_loss(rows: list[dict], path: str | Path, title: str = "") -> Path:
    """Training loss (and validation loss, where logged) against the optimizer step, as a PNG."""
    import matplotlib.ticker
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.5))  # not pyplot: no global backend or figure state (notebooks keep theirs)
    ax = fig.subplots()
    train = [r for r in rows if "loss" in r]
    ax.plot([r["step"] for r in train], [r["loss"] for r in train], label="train", lw=1)
    val = [r for r in rows if "eval_loss" in r]
    if val:
        ax.plot([r["step"] for r in val], [r["eval_loss"] for r in val], "o-", label="validation")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss (answer tokens)")
    ax.set_yscale("log")  # the answer loss falls by orders of magnitude; plain numbers on the axis, not 10^x
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.LogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return Path(path)
