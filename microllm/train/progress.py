"""A training progress bar: optimizer steps, the latest loss, rate and ETA (on a terminal only, see
:mod:`microllm.progress`), and one summary line when training ends."""

from __future__ import annotations

import time

from transformers import TrainerCallback

from microllm import progress


class TrainProgress(TrainerCallback):
    """Draws ``steps/total [elapsed<ETA, s/step] loss=...`` while a Trainer runs; prints a summary line at the end.

    A resumed run starts the bar at its checkpoint's step, so the ETA covers only the steps left."""

    def __init__(self, run: str = ""):
        self.run = run
        self.bar = None
        self.start = 0.0
        self.first_step = 0
        self.loss: float | None = None
        self.eval_loss: float | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        """Open the bar at the step training starts from (0, or a checkpoint's)."""
        self.start = time.perf_counter()
        self.first_step = state.global_step
        if progress.bars_enabled():
            self.bar = progress.new_bar(total=state.max_steps or None, initial=state.global_step,
                                      desc=f"train {self.run}".strip(), unit="step")  # fmt: skip

    def on_step_end(self, args, state, control, **kwargs):
        """One optimizer step done."""
        if self.bar is not None:
            self.bar.update(state.global_step - self.bar.n)

    def on_log(self, args, state, control, logs=None, **kwargs):
        """Show the latest training (and validation) loss beside the bar."""
        logs = logs or {}
        if "loss" in logs:
            self.loss = float(logs["loss"])
        if "eval_loss" in logs:
            self.eval_loss = float(logs["eval_loss"])
        if self.bar is not None and self.loss is not None:
            text = f"loss={self.loss:.4f}" + (f" val={self.eval_loss:.4f}" if self.eval_loss is not None else "")
            self.bar.set_postfix_str(text, refresh=False)

    def on_train_end(self, args, state, control, **kwargs):
        """Close the bar; print steps, time and the last loss on one line."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        seconds = time.perf_counter() - self.start
        steps = state.global_step - self.first_step
        rate = f", {seconds / steps:.2f} s/step" if steps else ""
        loss = f", loss {self.loss:.4f}" if self.loss is not None else ""
        done = f"{state.global_step}/{state.max_steps} steps"
        progress.summary(f"train {self.run}: {done} in {seconds:.0f} s{rate}{loss}")
