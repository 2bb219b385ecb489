"""A fine-tuned transformers directory as a cached, quantized GGUF (the feedback loop and the learning curve serve
each model they train through llama.cpp)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def gguf_cache_name(model_dir: Path, quant: str) -> str:
    """The cached GGUF's file name: keyed on the weights' sizes and mtimes as well as the path, so a model retrained
    in place is converted again instead of served from a stale cache."""
    stamp = [str(model_dir.resolve())] + [f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}"
                                          for f in sorted(model_dir.glob("*.safetensors"))]  # fmt: skip
    return f"{hashlib.sha256('|'.join(stamp).encode()).hexdigest()[:12]}-{quant}.gguf"


def gguf_for(
    model_path: str | Path, cache_dir: str | Path, quant: str = "Q4_K_M", vocab_from: str | None = None
) -> Path:
    """A GGUF of ``model_path`` (an HF directory) quantized to ``quant``, converted once and cached; a .gguf path is
    returned as is."""
    path = Path(model_path)
    if path.suffix == ".gguf":
        return path
    out = Path(cache_dir) / gguf_cache_name(path, quant)
    if out.is_file():
        return out
    from microllm.models import resolve_model
    from microllm.quantize.converter import convert_to_gguf
    from microllm.quantize.quant import quantize_gguf

    vocab = resolve_model(vocab_from).path if vocab_from else None
    f16 = convert_to_gguf(path, out.with_name(out.stem + "-F16.gguf"), "f16", vocab_from=vocab)
    quantize_gguf(f16, out, quant, source_model=path)  # copies microllm_prompt.json: prompted as trained
    f16.unlink()
    return out
