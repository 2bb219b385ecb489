"""Supervised fine-tuning with TRL's SFTTrainer (+ PEFT LoRA) on a CUDA GPU or the CPU's cores: seeded, resumable,
results with provenance (device and threads included)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from microllm.config import load_config, save_config
from microllm.data.io import read_jsonl
from microllm.hardware import cuda_bf16, threads, torch_device
from microllm.provenance import provenance
from microllm.train.checkpoints import continue_point, init_point, last_checkpoint
from microllm.train.config import FinetuneConfig
from microllm.train.data import (
    build_dataset,
    data_files,
    ensure_chat_template,
    finetune_system_prompt,
    load_rows,
    load_train_rows,
)
from microllm.train.memory import keep_freed_memory
from microllm.train.model import compact_lm_head, count_params, freeze_embeddings, load_base, save_final


def precision(cfg: FinetuneConfig, device: str) -> bool:
    """Whether the run trains in bf16 mixed precision: on a GPU where it has bf16 (and ``gpu_bf16``), on the CPU
    when the config's ``bf16`` says so."""
    return bool(cfg.gpu_bf16 and cuda_bf16()) if device == "cuda" else cfg.bf16


def sft_args(cfg: FinetuneConfig, has_eval: bool, device: str = "cpu"):
    """TRL's SFTConfig for a run of ``cfg`` on ``device`` ("cpu" or "cuda"; TRL's GPU-minded defaults overridden
    where they hurt on a CPU)."""
    from trl import SFTConfig

    eval_every = cfg.eval_every if has_eval and cfg.eval_every else None
    return SFTConfig(
        output_dir=cfg.output_dir,
        run_name=cfg.run,
        use_cpu=device == "cpu",
        bf16=precision(cfg, device),  # TRL defaults to bf16=True
        # TRL turns checkpointing on by default: ~20-30% slower, for memory a CPU run has (transformers 5 name).
        activation_checkpointing=cfg.gradient_checkpointing,
        max_length=cfg.max_length,
        packing=cfg.packing,
        completion_only_loss=True,  # prompt/completion data: labels are -100 on the prompt
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps or -1,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type=cfg.lr_scheduler,
        warmup_steps=cfg.warmup_ratio,  # transformers 5: a float in [0, 1) is a ratio of the total steps
        weight_decay=cfg.weight_decay,
        max_grad_norm=cfg.max_grad_norm,
        per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        train_sampling_strategy="group_by_length" if cfg.group_by_length else "random",  # transformers 5 name
        seed=cfg.seed,
        data_seed=cfg.seed,
        logging_steps=cfg.log_every,
        eval_strategy="steps" if eval_every else "no",
        eval_steps=eval_every,
        save_strategy="steps",
        save_steps=cfg.save_every,
        save_total_limit=cfg.save_total_limit,
        report_to="none",
        disable_tqdm=True,  # our own bar (train/progress.py) shows loss and ETA, and stays off in logs and CI
        dataloader_num_workers=0,  # tokenized in memory already: worker processes only compete with the math
    )


def build_trainer(cfg: FinetuneConfig, callbacks: list | None = None):
    """(SFTTrainer, facts) for ``cfg``: the base model (LoRA-wrapped or with frozen embeddings), the tokenized
    datasets and the arguments for its device; facts are the example counts, where the base came from, and the
    device, precision and threads the run uses."""
    import torch
    from peft import LoraConfig
    from transformers import set_seed
    from trl import SFTTrainer

    device = torch_device(cfg.device)
    torch.set_num_threads(threads(cfg.n_threads))  # process-wide, as torch has it; the CPU's share even on a GPU
    # process-wide too; before the model loads, so its buffers come from the heap
    memory_kept = keep_freed_memory() if cfg.keep_freed_memory else False
    set_seed(cfg.seed)
    base = cfg.base_model
    if base == "scratch":
        from microllm.train.scratch import ScratchSpec, init_scratch_model

        base = str(init_scratch_model(Path(cfg.output_dir) / "init", cfg.train_file, ScratchSpec(**(cfg.scratch or {})),
                                      cfg.seed))  # fmt: skip
    if cfg.init_from:
        base = str(init_point(cfg))
    model, tokenizer, resolved = load_base(base)
    added_template = ensure_chat_template(tokenizer)
    rows = load_train_rows(cfg.train_file, cfg.extra_train_files, cfg.max_examples, cfg.seed, cfg.extra_max_examples,
                           cfg.more_train_files, cfg.more_train_files_whole)  # fmt: skip
    train_ds = build_dataset(rows, cfg.system_prompt)
    val_ds = None
    if cfg.val_file:
        val_ds = build_dataset(load_rows(cfg.val_file, cfg.val_examples, cfg.seed, role="val"), cfg.system_prompt)
    peft_config = None
    if cfg.method == "lora":
        peft_config = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                                 target_modules=list(cfg.lora_targets), task_type="CAUSAL_LM")  # fmt: skip
    elif cfg.freeze_embeddings:
        freeze_embeddings(model)
    trainer = SFTTrainer(model=model, args=sft_args(cfg, val_ds is not None, device), train_dataset=train_ds,
                         eval_dataset=val_ds, processing_class=tokenizer, peft_config=peft_config,
                         callbacks=callbacks)  # fmt: skip
    facts = {"examples": len(train_ds), "val_examples": len(val_ds) if val_ds is not None else 0,
             "base_kind": resolved.kind, "base_path": str(resolved.path),
             "chat_template_added": added_template, "freed_memory_kept": memory_kept,
             "device": device, "gpu": torch.cuda.get_device_name(0) if device == "cuda" else None,
             "bf16_effective": trainer.args.bf16}  # fmt: skip
    return trainer, facts


def train(cfg: FinetuneConfig) -> dict:
    """Fine-tune ``cfg.base_model``; write the model to ``cfg.output_dir`` and config.yaml, train_log.jsonl,
    loss_curve.png and metrics.json to ``cfg.results_dir``. Returns the metrics."""
    import torch

    from microllm.train.log import JsonlLog, plot_loss, step_seconds
    from microllm.train.precision import warn_if_slow_bf16
    from microllm.train.progress import TrainProgress

    results = Path(cfg.results_dir)
    results.mkdir(parents=True, exist_ok=True)
    save_config(cfg, results / "config.yaml")
    checkpoint, resume_step = last_checkpoint(cfg.output_dir) if cfg.resume else (None, None)
    continued = None
    if checkpoint is None and cfg.continue_from:
        checkpoint, resume_step, continued = continue_point(cfg)
    log = JsonlLog(results / "train_log.jsonl", resume_step, carry=continued)
    # The CPU's bf16 kernels matter only on the CPU; a GPU run decides its precision in sft_args.
    on_cpu = torch_device(cfg.device) == "cpu"
    bf16_native = warn_if_slow_bf16(cfg.bf16) if on_cpu else None
    trainer, facts = build_trainer(cfg, callbacks=[log, TrainProgress(cfg.run)])
    params = count_params(trainer.model)
    # On a GPU TRL's Triton path compacts by itself; forcing it there would need Triton where there may be none.
    with compact_lm_head(cfg.compact_lm_head and on_cpu):
        start = time.perf_counter()
        output = trainer.train(resume_from_checkpoint=checkpoint)
        seconds = time.perf_counter() - start
        rows = read_jsonl(log.path)
        evals = [r for r in rows if "eval_loss" in r and r["step"] == trainer.state.global_step]
        if trainer.eval_dataset is not None and not evals:  # a final validation loss, unless just logged
            trainer.evaluate()
            rows = read_jsonl(log.path)
    eval_rows = [r for r in rows if "eval_loss" in r]
    train_rows = [r for r in rows if "loss" in r]
    prompt = {"system_prompt": cfg.system_prompt, "system": finetune_system_prompt(cfg.system_prompt)}
    model = trainer.accelerator.unwrap_model(trainer.model)
    paths = save_final(model, trainer.processing_class, cfg.output_dir, prompt, merge=cfg.merge)
    plot_loss(rows, results / "loss_curve.png", title=cfg.run)
    session_steps = trainer.state.global_step - (resume_step or 0)
    runtime = {"device": facts["device"], "gpu": facts["gpu"], "threads": torch.get_num_threads(),
               "bf16": facts["bf16_effective"]}  # fmt: skip
    metrics = {
        "run": cfg.run,
        "base_model": cfg.base_model,
        "method": cfg.method,
        **facts,
        "steps": trainer.state.global_step,
        "epochs": trainer.state.epoch,
        "first_loss": train_rows[0]["loss"] if train_rows else None,
        "final_loss": train_rows[-1]["loss"] if train_rows else None,
        "mean_train_loss": output.training_loss,
        "eval_loss": eval_rows[-1]["eval_loss"] if eval_rows else None,
        "seconds_total": round(log.offset + seconds, 3),  # training time across resumes
        "seconds_this_session": round(seconds, 3),
        # Wall time of trainer.train() per step (in-training evaluations and checkpoints included), and the median
        # time between logged steps (the typical step, without the first step's warm-up).
        "seconds_per_step": round(seconds / session_steps, 4) if session_steps else None,
        "seconds_per_step_median": step_seconds(rows),
        "resumed_from_step": resume_step,
        "continued_from": {"run": cfg.continue_from, "checkpoint": checkpoint} if continued is not None else None,
        "threads": torch.get_num_threads(),
        "bf16_native": bf16_native if cfg.bf16 and on_cpu else None,  # False: a slow reference GEMM ran (precision.py)
        **params,
        **paths,
        "initialised_from": str(init_point(cfg)) if cfg.init_from else None,
        "provenance": provenance(data_files(cfg), runtime=runtime),
    }
    (results / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def train_or_load(cfg: FinetuneConfig, require_model: bool = True) -> dict:
    """The metrics of ``cfg``'s finished run when its results were made by this very config and its model is on
    disk (notebooks rerun top to bottom without retraining); otherwise train. ``require_model=False`` reuses the
    record even when the weights were deleted (a fresh clone renders the committed runs; `model_on_disk` says so)."""
    results = Path(cfg.results_dir)
    done = results / "metrics.json"
    if done.exists() and (results / "config.yaml").exists():
        metrics = json.loads(done.read_text())
        same = load_config(FinetuneConfig, results / "config.yaml") == cfg
        on_disk = bool(metrics.get("model_dir")) and Path(metrics["model_dir"], "config.json").exists()
        if same and metrics.get("model_dir") and (on_disk or not require_model):
            return {**metrics, "model_on_disk": on_disk}
    return train(cfg)


def main_train(config_path: str | Path | None = None, overrides: list[str] | None = None) -> dict:
    """What `microllm train --config PATH --set key=value` runs."""
    return train(load_config(FinetuneConfig, config_path, overrides))
