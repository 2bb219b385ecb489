"""transformers backend (CPU fp32, or a CUDA GPU in bf16 where it has it): HF directories or dequantized GGUFs,
greedy, through the same constrained and grounded decoding loop as llama.cpp (:mod:`microllm.decode`).

Slower than llama.cpp, but it runs any transformers checkpoint (e.g. a fine-tuned one before it is quantized) and
gives the model's raw logits for every step.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from microllm.backends.llamacpp import FALLBACK_TEMPLATE, _bool
from microllm.decode import Grammar, decode
from microllm.decode.runners import TransformersRunner
from microllm.hardware import cuda_bf16, note_backend, threads, torch_device
from microllm.models import resolve_model
from microllm.predictors import register
from microllm.predictors.base import Predictor
from microllm.prompts import build_messages, load_shots, prompt_for_model
from microllm.rules import resolve_rules, rules_name_suffix

# Turn-end tokens of common chat formats (Gemma, ChatML/Qwen, Llama 3, Phi): generation stops at any of them.
END_OF_TURN = ("<end_of_turn>", "<|im_end|>", "<|eot_id|>", "<|end|>", "<|endoftext|>")


def tokenizer_cache_dir(gguf_path: Path) -> Path:
    """Where the HF tokenizer rebuilt from a GGUF is kept (building it from the GGUF takes 12-26 s)."""
    return Path(os.environ.get("MICROLLM_ARTIFACTS", "artifacts")) / "tokenizers" / gguf_path.stem


def load_gguf_tokenizer(gguf_path: Path):
    """The GGUF's tokenizer as a transformers tokenizer, from the cache when it was built from this same file."""
    from transformers import AutoTokenizer

    cache = tokenizer_cache_dir(gguf_path)
    stamp = {"gguf": gguf_path.name, "size": gguf_path.stat().st_size}
    marker = cache / "gguf_source.json"
    if marker.exists() and json.loads(marker.read_text()) == stamp:
        return AutoTokenizer.from_pretrained(cache)
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    tmp = cache.with_name(f"{cache.name}.part{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tokenizer.save_pretrained(tmp)
    (tmp / "gguf_source.json").write_text(json.dumps(stamp))
    shutil.rmtree(cache, ignore_errors=True)
    os.replace(tmp, cache)  # a crash never leaves a half-written cache behind
    return tokenizer


def load_gguf_model(path: Path):
    """A GGUF dequantized to a trainable fp32 transformers model (transformers' own GGUF loader)."""
    import torch
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32)


def _load(resolved, quantization: str | None = None, device: str = "cpu"):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if quantization is not None:  # "nf4": bitsandbytes 4-bit weights, quantized while loading (microllm.quantize)
        if quantization != "nf4" or resolved.kind != "hf":
            raise ValueError(f"quantization={quantization!r}: only 'nf4', of a transformers directory, is supported")
        from microllm.quantize.nf4 import load_nf4

        return load_nf4(resolved.path)
    if resolved.kind == "gguf":
        model, tokenizer = load_gguf_model(resolved.path), load_gguf_tokenizer(resolved.path)
    else:
        model = AutoModelForCausalLM.from_pretrained(resolved.path, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(resolved.path)
    # bf16 halves a GPU's memory traffic where it computes bf16 natively; fp32 everywhere else (CPU numbers match
    # the recorded runs).
    dtype = torch.bfloat16 if device == "cuda" and cuda_bf16() else torch.float32
    return model.to(device=device, dtype=dtype).eval(), tokenizer


@register("transformers")
class TransformersPredictor(Predictor):
    """Greedy decoding with transformers (``device``: auto, cpu or cuda); with ``constrained`` the intent JSON Schema
    (grounded with ``ground``) keeps the output in the spec; ``rules`` names the intent rules (:mod:`microllm.rules`)
    each answer goes through: by default the grounded set when grounded, else none. Not thread-safe: one predictor
    serves one thread at a time."""

    name = "transformers"

    def __init__(self, model: str = "gemma-3-270m", prompt: str = "auto", constrained: bool | str = True,
                 n_shots: int | str = 12, max_tokens: int | str = 256, train_file: str = "data/synthetic/train.jsonl",
                 gguf_file: str | None = None, n_threads: int | str | None = None,
                 quantization: str | None = None, device: str = "auto", ground: bool | str = False,
                 confidence: str = "values", rules: str | tuple[str, ...] | None = None,
                 draft: str = "rules"):  # fmt: skip
        import torch

        from microllm.decode.drafts import drafter

        self.ground = _bool(ground)
        if self.ground and not _bool(constrained):
            raise ValueError("ground=true needs constrained decoding (grounding is part of the grammar)")
        if confidence not in ("values", "decisions"):
            raise ValueError(f"confidence must be 'values' or 'decisions', not {confidence!r}")
        self.decisions = confidence == "decisions"
        self.drafter = drafter(draft)  # checked before any weights load
        implied = resolve_rules(None, self.ground)
        self.rules = resolve_rules(rules, self.ground)  # checked before any weights load

        # Process-wide, as torch has it; every available core by default. On cores another job keeps busy, fewer
        # threads can be far faster (the threads spin-wait on each other): n_threads=1 there.
        torch.set_num_threads(threads(n_threads))
        quantization = None if str(quantization).lower() in ("", "none") else str(quantization).lower()
        # bitsandbytes' NF4 path here is its CPU backend: it stays on the CPU whatever the GPU.
        self.device = "cpu" if quantization else torch_device(device)
        # gguf_file: one GGUF inside an HF directory (or next to it) -- the same as passing its path as `model`.
        spec = str(Path(model) / gguf_file) if gguf_file and not str(model).endswith(".gguf") else model
        self.resolved = resolve_model(spec)
        self.constrained = _bool(constrained)
        self.max_tokens = int(max_tokens)
        self.prompt_cfg = prompt_for_model(prompt, self.resolved.path, int(n_shots), train_file)
        self.shots = load_shots(self.prompt_cfg)
        self.model_name = model
        self.model, self.tokenizer = _load(self.resolved, quantization, self.device)
        dtype = str(next(self.model.parameters()).dtype).removeprefix("torch.")
        note_backend("transformers", {"device": self.device, "threads": torch.get_num_threads(), "dtype": dtype,
                                      "draft": draft})  # fmt: skip
        self.has_chat_template = bool(getattr(self.tokenizer, "chat_template", None))
        self.eos_ids = self._eos_ids()
        self.runner = TransformersRunner(self.model, self.tokenizer, self.eos_ids)
        self.lltokenizer = self.runner.lltokenizer()
        self.grammar = Grammar(self.lltokenizer, self.lltokenizer.vocab_size) if self.constrained else None
        label = f"{model}-{quantization}" if quantization else model
        self.name = f"transformers:{label}:{self.prompt_cfg.style}:{'constrained' if self.constrained else 'free'}"
        self.name += (":grounded" if self.ground else "") + rules_name_suffix(self.rules, implied)
        self.last_usage: dict = {}

    def _eos_ids(self) -> list[int]:
        """End-of-turn ids: the tokenizer's EOS, the model's generation config, and the chat templates' turn ends
        (e.g. `<end_of_turn>`, which a GGUF's config does not list)."""
        ids = self.model.generation_config.eos_token_id
        ids = [ids] if isinstance(ids, int) else list(ids or [])
        if self.tokenizer.eos_token_id is not None:
            ids.append(self.tokenizer.eos_token_id)
        added = self.tokenizer.get_added_vocab()
        ids += [added[t] for t in END_OF_TURN if t in added]
        return sorted(set(ids))

    def render_prompt(self, text: str) -> str:
        """The query in the model's chat template (the llama.cpp backend's plain format when there is none)."""
        messages = build_messages(text, self.prompt_cfg, self.shots)
        if self.has_chat_template:
            return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        from jinja2 import Environment

        return Environment().from_string(FALLBACK_TEMPLATE).render(messages=messages, add_generation_prompt=True)

    def prompt_tokens(self, text: str) -> list[int]:
        # The template writes BOS itself where the model wants one; special tokens in it are parsed as such.
        return self.tokenizer(self.render_prompt(text), add_special_tokens=False)["input_ids"]

    def generate(self, text: str) -> tuple[str, float]:
        """Greedy decode (:func:`microllm.decode.decode`); stop at EOS, a complete JSON object, or max_tokens."""
        tokens = self.prompt_tokens(text)
        limit = getattr(self.model.config, "max_position_embeddings", None)
        if limit and len(tokens) + self.max_tokens > limit:
            raise ValueError(f"prompt of {len(tokens)} tokens does not fit the model's {limit} positions")
        # llguidance's byte view of each token: a SentencePiece token decoded alone would lose its leading space.
        result = decode(self.runner, self.grammar, tokens, text, ground=self.ground,
                        detokenize=self.lltokenizer.decode_bytes, is_end=self.runner.is_end,
                        max_tokens=self.max_tokens, decisions=self.decisions, draft=self.drafter,
                        tokenize=self.runner.tokenize)  # fmt: skip
        self.last_usage = {**result.usage, "reused_prefix": self.runner.reused}
        return result.text, result.confidence
