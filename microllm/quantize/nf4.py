"""NF4 (4-bit NormalFloat, bitsandbytes) loading of a transformers model on CPU: the QLoRA format, no GGUF needed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from microllm.prompts import PROMPT_FILE


def nf4_config():
    """BitsAndBytesConfig for NF4; fp32 compute, like the rest of the CPU backends (Gemma overflows in fp16)."""
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32)


def _require_bitsandbytes() -> None:
    try:
        import bitsandbytes  # noqa: F401
    except Exception as e:  # an ImportError, or a backend that fails to initialise on this CPU
        raise RuntimeError(
            f"NF4 needs bitsandbytes with its CPU backend (pip install bitsandbytes==0.50.2): {e}"
        ) from e


def load_nf4(model_dir: str | Path):
    """(model, tokenizer): the model's Linear weights quantized to NF4 while loading, on CPU, in eval mode.

    A directory saved by ``save_nf4`` (its config.json carries the quantization config) loads the same way.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model_dir = Path(model_dir)
    if not (model_dir / "config.json").is_file():
        raise FileNotFoundError(f"{model_dir} is not a transformers model directory (no config.json): NF4 loads "
                                "transformers checkpoints, not GGUF files")  # fmt: skip
    _require_bitsandbytes()
    saved = json.loads((model_dir / "config.json").read_text()).get("quantization_config")
    kwargs = {} if saved else {"quantization_config": nf4_config()}
    try:
        model = AutoModelForCausalLM.from_pretrained(model_dir, device_map="cpu", dtype=torch.float32, **kwargs)
    except (RuntimeError, NotImplementedError) as e:
        raise RuntimeError(f"bitsandbytes could not quantize {model_dir} to NF4 on this CPU: {e}") from e
    quantized = [n for n, m in model.named_modules() if type(m).__name__ == "Linear4bit"]
    if not quantized:  # never report an fp32 model as NF4
        raise RuntimeError(f"loading {model_dir} with NF4 left no Linear4bit layer: bitsandbytes did not quantize it")
    return model.eval(), AutoTokenizer.from_pretrained(model_dir)


def save_nf4(model_dir: str | Path, out_dir: str | Path) -> dict:
    """Load ``model_dir`` in NF4 and save it (safetensors with the 4-bit blocks and their absmax), with the tokenizer
    and the prompt record; returns the in-memory footprint and the size on disk."""
    out = Path(out_dir)
    model, tokenizer = load_nf4(model_dir)
    footprint = model.get_memory_footprint()
    shutil.rmtree(out, ignore_errors=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    if (Path(model_dir) / PROMPT_FILE).is_file():
        shutil.copyfile(Path(model_dir) / PROMPT_FILE, out / PROMPT_FILE)
    size = sum(p.stat().st_size for p in out.glob("*.safetensors"))
    n4 = sum(type(m).__name__ == "Linear4bit" for m in model.modules())
    return {"path": str(out), "memory_footprint_mb": round(footprint / 2**20, 2), "weights_mb": round(size / 2**20, 2),
            "linear4bit_layers": n4}  # fmt: skip
