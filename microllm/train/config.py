"""The one typed config of the fine-tuning stage (what SFTConfig is to TRL), from YAML: recipes/*/sft.yaml and the
studies' research/*/sft*.yaml."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from microllm.hardware import DEVICES

METHODS = ("lora", "full")
SYSTEM_PROMPT_STYLES = ("short", "none", "full")
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class FinetuneConfig:
    """Stage 4: supervised fine-tuning of a base model on the synthetic train split (loss on the answer only).

    Checkpoints and the final model go to ``output_dir`` (git-ignored ``artifacts/finetune/<run>``); the config,
    training log, loss curve and metrics go to ``results_dir`` (``results/finetune/<run>``).
    """

    run: str = "gemma-lora"
    base_model: str = "gemma-3-270m"  # catalog key, GGUF path or transformers directory ("scratch": see below)
    # base_model "scratch": a model of this size initialised at random (train/scratch.py), trained with method "full"
    scratch: dict | None = None
    method: str = "lora"  # "lora" | "full"
    # LoRA (method == "lora")
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_targets: list[str] = field(default_factory=lambda: list(LORA_TARGETS))
    # Data. Never the held-out dev set: data.py refuses any file under an `eval/` folder.
    train_file: str = "data/synthetic/train.jsonl"
    # More training files after train_file, e.g. the synthetic test split's held-out templates for a final model
    # trained once the recipe is fixed (its test-split score then means nothing; dev and val still do).
    extra_train_files: list[str] = field(default_factory=list)
    # New rows besides train_file, taken whole like it (never cut by extra_max_examples): e.g. a final pass over the
    # test split's templates *and* paraphrases, with a replay sample of train as extra_train_files.
    more_train_files: list[str] = field(default_factory=list)
    # max_examples subsamples train_file, more_train_files and the extra files as one (False), or all but
    # more_train_files, whose rows then all come on top (True: rows added to a fixed-size proxy sample).
    more_train_files_whole: bool = False
    # The extra files' rows, together, subsampled to this many (None = all): a short pass over new rows (train_file)
    # with a replay sample of rows the model has already learned, so that it does not drift from them.
    extra_max_examples: int | None = None
    val_file: str | None = "data/synthetic/val.jsonl"
    max_examples: int | None = None  # None = all; else a seeded subsample that keeps every category (learning curve)
    val_examples: int | None = 200  # validation loss on a fixed subsample (the whole split is slow on CPU)
    # "short": one line; "full": prompts.system_prompt() (~570 Gemma tokens: ten times the cost of a step).
    # Whatever is chosen here, the predictor must send the same messages (data.finetune_messages).
    system_prompt: str = "short"
    max_length: int = 256  # tokens; longer examples are cut (1 of 3,015 train rows with Gemma and "short")
    packing: bool = False  # pack examples into max_length rows (padding-free, block-diagonal attention)
    # Optimisation
    epochs: float = 3.0
    max_steps: int | None = None  # overrides epochs when set
    learning_rate: float = 2.0e-4
    lr_scheduler: str = "linear"
    batch_size: int = 8
    grad_accum: int = 1
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    seed: int = 0
    # CPU speed levers (microllm-research train-profile measures each)
    freeze_embeddings: bool = False  # full FT: freeze the input embeddings (and the output head when tied, as Gemma's)
    compact_lm_head: bool = True  # project only the answer tokens through the vocabulary (see model.py)
    gradient_checkpointing: bool = False  # TRL turns it on by default; on CPU memory is not the limit, time is
    group_by_length: bool = False  # batches of similar length: less padding
    bf16: bool = False  # bfloat16 autocast on CPU (fp32 master weights)
    # Hardware. "auto": a CUDA GPU when torch sees one, else the CPU; "cuda" without a GPU is an error.
    device: str = "auto"
    # On a GPU, bfloat16 mixed precision where the GPU has it (torch.cuda.is_bf16_supported()), whatever `bf16`
    # says: `bf16` is about the CPU's autocast, which is slow without AVX-512.
    gpu_bf16: bool = True
    n_threads: int | None = None  # torch threads; None = every core this process may use (its affinity mask)
    # glibc malloc: big blocks from the heap, freed pages kept for the next step (train/memory.py). Same numbers.
    # Page faults cost ~0.4 s of a 13 s Qwen LoRA step on a Xeon, but 7.8 -> 4.7 s a Gemma full step on an AVX-512
    # EPYC (results/finetune/profile-gemma-full-v4-onepass-memory/): off by default, on where a profile shows it pays
    keep_freed_memory: bool = False
    # Bookkeeping
    output_dir: str | None = None  # None = $MICROLLM_ARTIFACTS/finetune/<run> (artifacts/ by default)
    results_dir: str | None = None  # None = results/finetune/<run>
    log_every: int = 1  # steps between train_log.jsonl rows
    eval_every: int | None = None  # steps between validation losses; None = only at the end
    save_every: int = 100  # steps between checkpoints (what `resume` restarts from)
    save_total_limit: int = 2
    resume: bool = False  # continue from the last checkpoint in output_dir, if any
    # Another run (its name, or its output_dir) to go on from: its last checkpoint's weights, optimizer, step and
    # log. The schedule is this config's (e.g. `epochs: 2` after a one-epoch run: one more epoch, linear decay
    # recomputed over both, so the learning rate restarts at about half its peak). Ignored when `resume` finds a
    # checkpoint of this run's own.
    continue_from: str | None = None
    # Another run (its name, or its output_dir) whose final model (``merged/``) this one starts from, with a fresh
    # optimizer and schedule: unlike continue_from, the data may change (a final pass over more templates).
    init_from: str | None = None
    merge: bool = True  # LoRA: also write the merged model (output_dir/merged) that predictors load

    def __post_init__(self):
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {DEVICES}, got {self.device!r}")
        if self.n_threads is not None and self.n_threads < 1:
            raise ValueError(f"n_threads must be positive or null, got {self.n_threads}")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.system_prompt not in SYSTEM_PROMPT_STYLES:
            raise ValueError(f"system_prompt must be one of {SYSTEM_PROMPT_STYLES}, got {self.system_prompt!r}")
        if self.base_model == "scratch" and self.method != "full":
            raise ValueError("a model trained from scratch needs method: full (LoRA on random weights learns nothing)")
        if self.init_from and (self.continue_from or self.base_model == "scratch"):
            raise ValueError("init_from starts from another run's final weights: not with continue_from or scratch")
        for name in ("max_examples", "extra_max_examples"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive or null, got {getattr(self, name)}")
        # PyYAML reads `2e-4` (no dot) as a string; accept it anyway.
        for name in ("learning_rate", "lora_dropout", "warmup_ratio", "weight_decay", "max_grad_norm", "epochs"):
            setattr(self, name, float(getattr(self, name)))
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if self.output_dir is None:
            self.output_dir = os.path.join(os.environ.get("MICROLLM_ARTIFACTS", "artifacts"), "finetune", self.run)
        if self.results_dir is None:
            self.results_dir = os.path.join("results", "finetune", self.run)
