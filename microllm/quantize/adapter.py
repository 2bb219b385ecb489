"""A LoRA adapter as its own GGUF, applied at load time on top of the 4-bit base GGUF it was trained on.

The main micro LLM was fine-tuned on Gemma 3 270M dequantized from the catalog's Q4_K_M GGUF, so its base weights
already sit on that 4-bit grid. Merging the LoRA and quantizing again snaps most of the small LoRA deltas back onto
the same grid (notebook 04: the merged Q4_K_M loses most of what fine-tuning taught). Keeping the adapter apart
(llama.cpp's convert_lora_to_gguf.py, `Llama(lora_path=...)`, Ollama's ADAPTER) runs exactly the weights training
saw, at the base GGUF's size plus a few MB.

A model spec ``BASE.gguf+ADAPTER.gguf`` (see microllm.models.resolve) names such a pair everywhere a model is named.
"""

from __future__ import annotations

import json
from pathlib import Path

from microllm.quantize.converter import ensure_converter, run_converter

ADAPTER_OUTTYPES = ("f32", "f16", "bf16", "q8_0")


def convert_adapter(adapter_dir: str | Path, base_dir: str | Path, out_path: str | Path, outtype: str = "f16",
                    timeout: float | None = None) -> Path:  # fmt: skip
    """PEFT adapter folder (adapter_config.json + adapter_model.safetensors) -> a LoRA GGUF at ``out_path``.

    ``base_dir`` only lends its config.json (the architecture); no base weights are read."""
    adapter, base, out = Path(adapter_dir), Path(base_dir), Path(out_path)
    if outtype not in ADAPTER_OUTTYPES:
        raise ValueError(f"outtype must be one of {ADAPTER_OUTTYPES}, got {outtype!r}")
    if not (adapter / "adapter_config.json").is_file():
        raise FileNotFoundError(f"{adapter} is not a PEFT adapter folder (no adapter_config.json)")
    if json.loads((adapter / "adapter_config.json").read_text()).get("peft_type") != "LORA":
        raise ValueError(f"{adapter} is not a LoRA adapter")
    if not (base / "config.json").is_file():
        raise FileNotFoundError(f"{base} has no config.json for the base architecture")
    script = ensure_converter() / "convert_lora_to_gguf.py"
    return run_converter([str(script), "--base", str(base), str(adapter)], out, outtype,
                         f"convert_lora_to_gguf failed on {adapter}", timeout)  # fmt: skip


def adapter_spec(base_gguf: str | Path, adapter_gguf: str | Path) -> str:
    """The model spec of a base GGUF with a LoRA GGUF applied at load time."""
    return f"{base_gguf}+{adapter_gguf}"
