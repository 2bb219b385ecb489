"""Stage 4: supervised fine-tuning (TRL SFTTrainer, PEFT LoRA or full) of the micro LLM on CPU.

``train(load_config(FinetuneConfig, "research/gemma-lora/sft.yaml"))`` or ``main_train(path, overrides)``.
Importing this package is cheap: torch, transformers, TRL and PEFT load when training starts.
"""

from microllm.train.config import FinetuneConfig
from microllm.train.data import (
    PLAIN_CHAT_TEMPLATE,
    build_dataset,
    finetune_messages,
    finetune_system_prompt,
    load_rows,
    subsample,
    to_example,
)
from microllm.train.model import PROMPT_FILE, compact_lm_head, load_base
from microllm.train.sft import build_trainer, last_checkpoint, main_train, sft_args, train, train_or_load

__all__ = [
    "PLAIN_CHAT_TEMPLATE",
    "PROMPT_FILE",
    "FinetuneConfig",
    "build_dataset",
    "build_trainer",
    "compact_lm_head",
    "finetune_messages",
    "finetune_system_prompt",
    "last_checkpoint",
    "load_base",
    "load_rows",
    "main_train",
    "sft_args",
    "subsample",
    "to_example",
    "train",
    "train_or_load",
]
