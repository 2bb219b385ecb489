"""The custom small model: a Llama-style transformer and BPE tokenizer initialised here, trained from random weights
on the synthetic train split only. Against the fine-tuned pretrained models it shows what pretraining buys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from microllm.data.contract import read_rows_and_warn
from microllm.prompts import ordered_json


@dataclass
class ScratchSpec:
    """Size of the from-scratch model (FinetuneConfig.scratch)."""

    vocab_size: int = 2048
    hidden_size: int = 256
    layers: int = 4
    heads: int = 4


def scratch_texts(train_file: str | Path) -> list[str]:
    """What the tokenizer learns its merges from: the train split's requests and gold answers, read under the
    evaluation contract (test, dev and val-real refused; rows whose input is held out dropped, with a
    :class:`~microllm.data.contract.HeldOutRowsWarning`)."""
    # Training role: the merges are fitted to these texts, so a held-out request must not shape the vocabulary.
    rows = read_rows_and_warn(train_file, "train")
    return [t for r in rows for t in (r["input"], ordered_json(r["output"]))]


def init_scratch_model(out_dir: str | Path, train_file: str | Path, spec: ScratchSpec, seed: int = 0) -> Path:
    """Write a randomly initialised model + tokenizer (a transformers directory) to ``out_dir``; reused when the same
    spec and seed are already there, so a resumed run starts from the same initial weights."""
    from microllm.testing.tiny import build_tiny_llama, build_tiny_tokenizer

    out = Path(out_dir)
    stamp = {"spec": spec.__dict__, "seed": seed, "train_file": str(train_file)}
    marker = out / "scratch_init.json"
    if marker.exists() and json.loads(marker.read_text()) == stamp:
        return out
    tokenizer = build_tiny_tokenizer(scratch_texts(train_file), vocab_size=spec.vocab_size)
    model = build_tiny_llama(tokenizer, hidden_size=spec.hidden_size, layers=spec.layers, heads=spec.heads,
                             seed=seed)  # fmt: skip
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    marker.write_text(json.dumps(stamp))
    return out
