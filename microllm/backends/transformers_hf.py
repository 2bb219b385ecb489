"""transformers backend (CPU fp32, or a CUDA GPU in bf16 where it has it): HF directories or dequantized GGUFs,
xgrammar JSON-Schema constraint, greedy.

Slower than llama.cpp, but it runs any transformers checkpoint (e.g. a fine-tuned one before it is quantized) and
gives the model's raw logits for every step.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from microllm.backends.decoding import confidence, json_object_end, log_softmax_at
from microllm.backends.llamacpp import FALLBACK_TEMPLATE, _bool
from microllm.hardware import cuda_bf16, note_backend, threads, torch_device
from microllm.models import resolve_model
from microllm.predictors import register
from microllm.predictors.base import Predictor
from microllm.prompts import build_messages, load_shots, prompt_for_model
from microllm.schema import intent_json_schema

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


def _pieces(tokenizer, ids: list[int]) -> list[str]:
    """Each generated token's text as it appears in the decoded output (incremental decoding keeps the spaces
    that sentencepiece tokens lose when decoded alone)."""
    pieces, prev = [], ""
    for i in range(len(ids)):
        text = tokenizer.decode(ids[: i + 1], skip_special_tokens=True)
        pieces.append(text[len(os.path.commonprefix([prev, text])) :])
        prev = text
    return pieces


class _JsonComplete:
    """StoppingCriteria: stop once the new tokens hold a complete top-level JSON object."""

    def __init__(self, tokenizer, prompt_len: int):
        self.tokenizer, self.prompt_len = tokenizer, prompt_len

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        done = [json_object_end(self.tokenizer.decode(row[self.prompt_len :], skip_special_tokens=True)) is not None
                for row in input_ids]  # fmt: skip
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


@register("transformers")
class TransformersPredictor(Predictor):
    """Greedy decoding with transformers (``device``: auto, cpu or cuda); with ``constrained`` an xgrammar logits
    processor keeps the output inside the intent JSON Schema. Not thread-safe: one predictor serves one thread at a
    time."""

    name = "transformers"

    def __init__(self, model: str = "gemma-3-270m", prompt: str = "auto", constrained: bool | str = True,
                 n_shots: int | str = 12, max_tokens: int | str = 256, train_file: str = "data/synthetic/train.jsonl",
                 gguf_file: str | None = None, n_threads: int | str | None = None,
                 quantization: str | None = None, device: str = "auto"):  # fmt: skip
        import torch

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
        note_backend("transformers", {"device": self.device, "threads": torch.get_num_threads(), "dtype": dtype})
        self.has_chat_template = bool(getattr(self.tokenizer, "chat_template", None))
        self.eos_ids = self._eos_ids()
        self.grammar = self._compile_grammar() if self.constrained else None
        label = f"{model}-{quantization}" if quantization else model
        self.name = f"transformers:{label}:{self.prompt_cfg.style}:{'constrained' if self.constrained else 'free'}"
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

    def _compile_grammar(self):
        import xgrammar

        info = xgrammar.TokenizerInfo.from_huggingface(self.tokenizer, vocab_size=self.model.config.vocab_size,
                                                       stop_token_ids=self.eos_ids or None)  # fmt: skip
        # One line with ", " / ": " separators: the canonical form the few-shot examples are written in.
        return xgrammar.GrammarCompiler(info).compile_json_schema(json.dumps(intent_json_schema()),
                                                                   any_whitespace=False)  # fmt: skip

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
        """Greedy decode; stop at EOS, a complete JSON object, or max_tokens."""
        import torch
        import xgrammar
        from transformers import LogitsProcessorList, StoppingCriteriaList

        tokens = self.prompt_tokens(text)
        limit = getattr(self.model.config, "max_position_embeddings", None)
        if limit and len(tokens) + self.max_tokens > limit:
            raise ValueError(f"prompt of {len(tokens)} tokens does not fit the model's {limit} positions")
        input_ids = torch.tensor([tokens], dtype=torch.long, device=self.model.device)
        # xgrammar's processor is stateful (its matcher follows one generation): a fresh one per call.
        processors = LogitsProcessorList([xgrammar.contrib.hf.LogitsProcessor(self.grammar)] if self.grammar else [])
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else (self.eos_ids or [0])[0]
        stop = StoppingCriteriaList([_JsonComplete(self.tokenizer, len(tokens))])
        with torch.inference_mode():
            out = self.model.generate(
                input_ids,
                attention_mask=torch.ones_like(input_ids),
                do_sample=False,
                max_new_tokens=self.max_tokens,
                logits_processor=processors,
                stopping_criteria=stop,
                eos_token_id=self.eos_ids or None,
                pad_token_id=pad,
                output_logits=True,
                return_dict_in_generate=True,
            )
        new = out.sequences[0, len(tokens) :].tolist()
        # out.logits are the model's raw logits (before the grammar mask): its own belief in each chosen token.
        logprobs = [log_softmax_at(step[0].float().cpu().numpy(), tok)
                    for step, tok in zip(out.logits, new, strict=False)]  # fmt: skip
        keep = [i for i, tok in enumerate(new) if tok not in self.eos_ids]
        ids = [new[i] for i in keep]
        raw = self.tokenizer.decode(ids, skip_special_tokens=True)
        end = json_object_end(raw)
        self.last_usage = {"prompt_tokens": len(tokens), "completion_tokens": len(new)}
        return (raw[:end] if end else raw), confidence(_pieces(self.tokenizer, ids), [logprobs[i] for i in keep])
