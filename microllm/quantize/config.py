"""The typed config of the quantization stage, from YAML (recipes/*/quantize.yaml, research/*/quantize*.yaml)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from microllm.quantize.imatrix import IMATRIX_FORMATS, TENSOR_TYPES
from microllm.quantize.quant import FORMATS


@dataclass
class QuantizeConfig:
    """Stage 5: a fine-tuned transformers model -> an F16 GGUF -> the quantized GGUFs (and optionally NF4).

    GGUFs go to ``out_dir`` (git-ignored ``artifacts/quantized/<run>``), sizes, hashes and timings to ``results_dir``
    (``results/quantize/<run>/metrics.json``).
    """

    model: str = "gemma-lora"  # a fine-tuning run's name (artifacts/finetune/<run>/merged) or a transformers dir
    run: str | None = None  # name of the outputs; None = the run name, or the model directory's name
    formats: list[str] = field(default_factory=lambda: ["Q8_0", "Q5_K_M", "Q4_K_M", "Q4_0"])
    outtype: str = "f16"  # what the converter writes, and the quantizer reads
    # The tokenizer of the GGUF the run was fine-tuned from, when the directory alone cannot rebuild it (Gemma
    # fine-tuned from the catalog GGUF has no tokenizer.model). "auto": the run's base_model if that is a GGUF and the
    # directory has no tokenizer.model; null: never; else a catalog key or GGUF path.
    vocab_from: str | None = "auto"
    include_nf4: bool = False  # also load the model in bitsandbytes NF4 and save it (out_dir/nf4)
    # A LoRA run's adapter as its own GGUF, applied at load time on the GGUF the run was trained from (microllm.
    # quantize.adapter): row "<base format>+LoRA". Skipped when the run has no adapter or its base is not a GGUF.
    adapter: bool = False
    adapter_outtype: str = "f16"
    # Vocabulary trimming (microllm.quantize.trim_vocab): a copy of each of these formats that keeps the trim_top_k
    # most frequent tokens, every token of the trim_corpus files (requests and answers) and their spellings with and
    # without a leading space or capital: row "<format>-V<trim_top_k>". trim_check's inputs count what changed.
    trim_formats: list[str] = field(default_factory=list)
    trim_top_k: int = 16000
    trim_corpus: list[str] = field(default_factory=lambda: ["data/synthetic/train.jsonl"])
    trim_check: str = "data/synthetic/val.jsonl"
    # 4-bit formats made by llama.cpp's own tools with an importance matrix computed on training conversations
    # (microllm.quantize.imatrix): row "<format>-IMAT", file <run>-<format>-IMAT.gguf. output_type / embedding_type
    # set the output head's and token embedding's tensor types (None: llama-quantize's choice for the format).
    imatrix_formats: list[str] = field(default_factory=list)
    imatrix_train_file: str = "data/synthetic-v3/train.jsonl"
    imatrix_rows: int = 320
    imatrix_seed: int = 0
    imatrix_output_type: str | None = None
    imatrix_embedding_type: str | None = None
    imatrix_tensor_types: dict[str, str] = field(default_factory=dict)  # e.g. {ffn_down: q5_0}: every layer's
    n_threads: int | None = None  # quantizer threads; None = min(2, cores)
    out_dir: str | None = None  # None = $MICROLLM_ARTIFACTS/quantized/<run>
    results_dir: str | None = None  # None = results/quantize/<run>

    def __post_init__(self):
        self.formats = [f.upper() for f in self.formats]
        self.trim_formats = [f.upper() for f in self.trim_formats]
        self.imatrix_formats = [f.upper() for f in self.imatrix_formats]
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown:
            raise ValueError(f"unknown formats {unknown}; supported: {sorted(FORMATS)}")
        unknown = [f for f in self.imatrix_formats if f not in IMATRIX_FORMATS]
        if unknown:
            raise ValueError(f"unknown imatrix_formats {unknown}; supported: {list(IMATRIX_FORMATS)}")
        chosen = {"imatrix_output_type": self.imatrix_output_type,
                  "imatrix_embedding_type": self.imatrix_embedding_type,
                  **{f"imatrix_tensor_types.{k}": v for k, v in self.imatrix_tensor_types.items()}}  # fmt: skip
        for name, value in chosen.items():
            if value is not None and value not in TENSOR_TYPES:
                raise ValueError(f"{name} must be one of {TENSOR_TYPES}, got {value!r}")
        made = {*self.formats, self.outtype.upper(), *(f"{f}-IMAT" for f in self.imatrix_formats)}
        if not set(self.trim_formats) <= made:
            raise ValueError(f"trim_formats {self.trim_formats} must be among the formats made: {sorted(made)}")
        if self.outtype not in ("f16", "f32", "bf16"):
            raise ValueError(f"outtype must be f16, f32 or bf16, got {self.outtype!r}")
        if self.run is None:
            self.run = Path(self.model.rstrip("/\\")).name
            if self.run == "merged":  # artifacts/finetune/<run>/merged
                self.run = Path(self.model.rstrip("/\\")).parent.name
        if self.out_dir is None:
            self.out_dir = os.path.join(os.environ.get("MICROLLM_ARTIFACTS", "artifacts"), "quantized", self.run)
        if self.results_dir is None:
            self.results_dir = os.path.join("results", "quantize", self.run)
