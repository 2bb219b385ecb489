"""Ollama Modelfiles for a GGUF: FROM, SYSTEM, TEMPLATE in the model's chat format, temperature 0, stop tokens."""

from __future__ import annotations

from pathlib import Path

from microllm.prompts import system_prompt

# Go templates (Ollama's syntax) for each chat format, and the tokens that end a turn.
TEMPLATES: dict[str, tuple[str, list[str]]] = {
    "chatml": (
        "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
        "<|im_start|>user\n{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n",
        ["<|im_end|>", "<|endoftext|>"],
    ),
    "gemma": (
        "<start_of_turn>user\n{{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}<end_of_turn>\n"
        "<start_of_turn>model\n",
        ["<end_of_turn>"],
    ),
    "llama3": (
        "{{- if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}"
        "<|start_header_id|>user<|end_header_id|>\n\n{{ .Prompt }}<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
        ["<|eot_id|>"],
    ),
    "zephyr": (
        "{{- if .System }}<|system|>\n{{ .System }}</s>\n{{ end }}<|user|>\n{{ .Prompt }}</s>\n<|assistant|>\n",
        ["</s>"],
    ),
    "phi3": (
        "{{- if .System }}<|system|>\n{{ .System }}<|end|>\n{{ end }}<|user|>\n{{ .Prompt }}<|end|>\n<|assistant|>\n",
        ["<|end|>", "<|endoftext|>"],
    ),
    # microllm.train.data.PLAIN_CHAT_TEMPLATE, what base models without a chat template (Gemma 3 270M) are fine-tuned
    # on; the runtime adds BOS (the GGUF's add_bos_token) and the model's EOS ends the answer.
    "plain": ("{{ if .System }}{{ .System }}\n\n{{ end }}Request: {{ .Prompt }}\nIntent:\n", ["Request:"]),
}


def render_modelfile(gguf_path: str | Path, prompt_format: str, system: str | None = None,
                     num_ctx: int = 2048, stops: list[str] | None = None,
                     adapter: str | Path | None = None) -> str:  # fmt: skip
    """The Modelfile text; ``system`` defaults to the project's system prompt ("" = none: a model fine-tuned without
    one); ``stops`` are added to the format's own stop strings; ``adapter``: a LoRA GGUF Ollama applies on top."""
    if prompt_format not in TEMPLATES:
        raise ValueError(f"unknown prompt format {prompt_format!r}; known: {sorted(TEMPLATES)}")
    template, own_stops = TEMPLATES[prompt_format]
    system = system if system is not None else system_prompt()
    lines = [f"FROM {Path(gguf_path).resolve()}", *([f"ADAPTER {Path(adapter).resolve()}"] if adapter else []),
             *([f'SYSTEM """{system}"""'] if system else []),
             f'TEMPLATE """{template}"""', "PARAMETER temperature 0", f"PARAMETER num_ctx {num_ctx}"]  # fmt: skip
    lines += [f'PARAMETER stop "{s}"' for s in dict.fromkeys([*own_stops, *(stops or [])])]
    return "\n".join(lines) + "\n"


def write_modelfile(gguf_path: str | Path, prompt_format: str, out_path: str | Path, **kwargs) -> Path:
    """Write the Modelfile; then `ollama create <name> -f <out_path>` registers the model with Ollama."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_modelfile(gguf_path, prompt_format, **kwargs))
    return out
