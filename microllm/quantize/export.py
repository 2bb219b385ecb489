"""Deployment export of a quantized GGUF: an Ollama Modelfile in the training prompt format, and MODEL_CARD.md."""

from __future__ import annotations

import json
import os
from pathlib import Path

from microllm.models.modelfile import render_modelfile
from microllm.models.resolve import resolve_model, split_spec
from microllm.prompts import trained_prompt
from microllm.quantize.card import card_sources, render_model_card
from microllm.quantize.quant import FORMATS, describe, gguf_file_type, native_output_silenced

# Substrings of a chat template that identify its family (order matters: phi3's template also has <|assistant|>).
_MARKERS = [("Request:", "plain"), ("<|im_start|>", "chatml"), ("<start_of_turn>", "gemma"),
            ("<|start_header_id|>", "llama3"), ("<|end|>", "phi3"), ("<|assistant|>", "zephyr")]  # fmt: skip


def detect_format(chat_template: str | None) -> str | None:
    """The Modelfile template family of a chat template (``plain``: microllm's Request:/Intent: format), or None."""
    return next((fmt for marker, fmt in _MARKERS if chat_template and marker in chat_template), None)


def gguf_facts(path: str | Path) -> dict:
    """Chat template, EOS text and name stored in a GGUF (read through llama.cpp, vocabulary only: fast)."""
    import llama_cpp

    from microllm.backends.llamacpp import token_text

    with native_output_silenced():
        llm = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
    try:
        eos, meta = llm.token_eos(), llm.metadata
        eos_text = token_text(llama_cpp.llama_model_get_vocab(llm.model), eos) if eos >= 0 else None
    finally:
        llm.close()  # now, not at interpreter exit (llama_cpp's finalizers fail once its globals are gone)
    return {
        "chat_template": meta.get("tokenizer.chat_template"),
        "name": meta.get("general.name"),
        "eos_text": eos_text,
    }


def run_of(gguf_path: str | Path) -> str:
    """The run a quantized GGUF (or LoRA GGUF) belongs to: its name without the ``-<format>`` / ``-adapter-<type>``
    suffix quantize_model gives it."""
    stem = Path(gguf_path).stem
    head, _, tail = stem.rpartition("-")
    if not head or tail.upper() not in {*FORMATS, "F16", "F32", "BF16"}:
        return stem
    return head.removesuffix("-adapter")


def quantized_gguf(spec: str, quant: str = "Q4_K_M", results_dir: str | Path = "results") -> str:
    """A GGUF path (or ``BASE+ADAPTER.gguf`` spec) as given, or a run's quantized file
    (artifacts/quantized/<run>/<run>-<quant>.gguf); a ``<base>+LoRA`` quant is looked up in the run's
    results/quantize/<run>/metrics.json, which records the pair."""
    if spec.endswith(".gguf"):
        return spec
    if "+" in quant:
        path = Path(results_dir) / "quantize" / spec / "metrics.json"
        rows = json.loads(path.read_text())["formats"] if path.is_file() else []
        match = [r["model"] for r in rows if r["format"].upper() == quant.upper() and r.get("model")]
        if not match:
            raise FileNotFoundError(f"{path} lists no {quant} format (run `microllm quantize` with adapter: true)")
        return match[0]
    root = Path(os.environ.get("MICROLLM_ARTIFACTS", "artifacts")) / "quantized" / spec
    return str(root / f"{spec}-{quant.upper()}.gguf")


def export_model(gguf_path: str | Path, out_dir: str | Path | None = None, run: str | None = None,
                 prompt_format: str | None = None, num_ctx: int = 2048,
                 results_dir: str | Path = "results") -> dict:  # fmt: skip
    """Write ``Modelfile`` and ``MODEL_CARD.md`` for a GGUF into ``out_dir`` (default artifacts/export/<stem>/).

    The prompt format is read from the GGUF's chat template unless given; the SYSTEM line is the system prompt the
    model was trained with (its microllm_prompt.json), none when it was trained without one.
    """
    base_spec, adapter_path = split_spec(str(gguf_path))
    adapter = Path(adapter_path) if adapter_path else None
    if adapter is not None and not adapter.is_file():
        raise FileNotFoundError(f"LoRA adapter {adapter} does not exist (run `microllm quantize` first)")
    gguf = resolve_model(base_spec).path if adapter is not None else Path(base_spec)
    if not gguf.is_file():
        raise FileNotFoundError(f"model file {gguf} does not exist (run `microllm quantize` first)")
    facts = gguf_facts(gguf)
    prompt = trained_prompt(adapter or gguf)
    fmt = prompt_format or detect_format(facts["chat_template"])
    if fmt is None and not facts["chat_template"] and prompt is not None:
        fmt = "plain"  # a template-less base: microllm training gave the model the plain format (train.data)
    if fmt is None:
        raise ValueError(f"{gguf}: cannot tell its prompt format from its chat template; pass --format "
                         "(plain, chatml, gemma, llama3, phi3, zephyr)")  # fmt: skip
    # A microllm fine-tune gets exactly its training system prompt ("" = none); any other GGUF the task prompt.
    system = (prompt.get("system") or "") if prompt is not None else None
    stops = [facts["eos_text"]] if fmt == "plain" and facts["eos_text"] else []
    run = run or run_of(adapter or gguf)
    stem = adapter.stem if adapter else gguf.stem
    out = Path(out_dir) if out_dir else Path(os.environ.get("MICROLLM_ARTIFACTS", "artifacts")) / "export" / stem
    out.mkdir(parents=True, exist_ok=True)
    modelfile = out / "Modelfile"
    modelfile.write_text(render_modelfile(gguf, fmt, system=system, num_ctx=num_ctx, stops=stops, adapter=adapter))
    info = {**describe(gguf), "file_type": gguf_file_type(gguf), "name": facts["name"]}
    if adapter is not None:
        info["file_type"] += " + LoRA adapter"
        info["adapter"] = describe(adapter)
    card = out / "MODEL_CARD.md"
    card.write_text(render_model_card(run, info, prompt, fmt, card_sources(run, results_dir)))
    return {"modelfile": str(modelfile), "model_card": str(card), "format": fmt, "run": run, "gguf": str(gguf),
            "adapter": str(adapter) if adapter else None}  # fmt: skip


def ollama_create_command(modelfile: str | Path, name: str = "microllm") -> str:
    """The shell command that registers an exported Modelfile with a local Ollama server (``ollama run <name>``)."""
    import shlex

    return f"ollama create {shlex.quote(name)} -f {shlex.quote(str(modelfile))}"
