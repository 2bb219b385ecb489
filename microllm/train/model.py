"""The model side of fine-tuning: load a base (HF directory or dequantized GGUF) as plain fp32, freeze, save, merge."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

from microllm.models import resolve_model
from microllm.prompts import PROMPT_FILE


def plain_fp32(model):
    """Make a model loaded from a GGUF an ordinary fp32 model. transformers unpacks the weights to fp32 on CPU, but
    (unless the GGUF quantizer decided to dequantize) leaves the model marked as quantized: the Trainer then refuses
    to train it, and save_pretrained writes a `quantization_config` that makes the saved directory load as a GGUF."""
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is None and not getattr(model, "is_quantized", False):
        return model
    packed = [name for name, module in model.named_modules() if type(module).__name__.startswith("Gguf")]
    if packed:  # the `kernels` package lets transformers keep GGUF blocks packed: those cannot be trained
        raise ValueError(f"GGUF weights kept packed ({packed[:3]}...): uninstall `kernels` to load them dequantized")
    if quantizer is not None:
        quantizer.remove_quantization_config(model)  # the library's own undoing: quantizer, config, flags
    model.hf_quantizer, model.is_quantized = None, False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    return model


def load_base(spec: str):
    """(model, tokenizer, resolved) for a catalog key, GGUF path or transformers directory, on CPU in fp32."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from microllm.backends.transformers_hf import load_gguf_model, load_gguf_tokenizer

    resolved = resolve_model(spec)
    if resolved.kind == "gguf":
        model, tokenizer = load_gguf_model(resolved.path), load_gguf_tokenizer(resolved.path)
    else:
        model = AutoModelForCausalLM.from_pretrained(resolved.path, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(resolved.path)
    return plain_fp32(model).to("cpu"), tokenizer, resolved


def freeze_embeddings(model) -> None:
    """Freeze the input embeddings, and so the output head where it is tied to them (Gemma): with a 262k vocabulary
    that is most of the parameters, their optimizer state, and the head's weight-gradient GEMM."""
    model.get_input_embeddings().weight.requires_grad_(False)


def count_params(model) -> dict:
    """Trainable and total parameters (tied weights counted once)."""
    seen, trainable, total = set(), 0, 0
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += p.numel()
        trainable += p.numel() if p.requires_grad else 0
    return {"trainable_params": trainable, "total_params": total}


@contextmanager
def compact_lm_head(enabled: bool = True):
    """Project only the labelled (answer) positions through the vocabulary.

    TRL's fused LM head computes the loss without materializing the logits, and where Triton runs it first drops the
    positions whose label is -100 (prompt, padding). Elsewhere, CPU included, it projects every position (to keep tile
    shapes fixed for compilers). With Gemma's 262k-token vocabulary the head costs more than the whole backbone per
    position, so the prompt positions dominate a step. The compact path is plain torch (masking, then the same
    chunked kernel on fewer rows), and the kernel picks its own CPU code: only this decision is switched.
    """
    from microllm.compat import trl_compact_head

    with trl_compact_head(enabled):
        yield


def _save_plain(model, tokenizer, out: Path, prompt: dict) -> Path:
    plain_fp32(model)  # again: a merged PEFT model returns its base, which must not carry a quantizer either
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)  # with the chat template training used
    (out / PROMPT_FILE).write_text(json.dumps(prompt, indent=2) + "\n")
    return out


def save_final(model, tokenizer, output_dir: str | Path, prompt: dict, merge: bool = True) -> dict:
    """Write the trained model: for LoRA the adapter (``adapter/``) and, with ``merge``, the base with the adapter
    merged in (``merged/``); for full fine-tuning the model itself (``merged/``). ``merged/`` is the transformers
    directory predictors load. Returns the paths written."""
    from peft import PeftModel

    out = Path(output_dir)
    if not isinstance(model, PeftModel):
        return {"model_dir": str(_save_plain(model, tokenizer, out / "merged", prompt))}
    model.save_pretrained(out / "adapter")
    tokenizer.save_pretrained(out / "adapter")
    (out / "adapter" / PROMPT_FILE).write_text(json.dumps(prompt, indent=2) + "\n")
    paths = {"adapter_dir": str(out / "adapter"), "model_dir": None}
    if merge:
        merged = model.merge_and_unload()  # folds B @ A into the base weights: no adapter left at inference
        paths["model_dir"] = str(_save_plain(merged, tokenizer, out / "merged", prompt))
    return paths
