"""Stage 5 end to end: fine-tuned transformers model -> F16 GGUF -> quantized GGUFs (+ NF4), sizes and hashes."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import yaml

from microllm.config import load_config, save_config
from microllm.models import resolve_model
from microllm.provenance import file_sha256, provenance
from microllm.quantize.adapter import adapter_spec, convert_adapter
from microllm.quantize.config import QuantizeConfig
from microllm.quantize.converter import convert_to_gguf
from microllm.quantize.quant import copy_prompt, describe, quantize_gguf, write_sha256


def finetune_base(run: str) -> str | None:
    """The base model a fine-tuning run started from (its results/finetune/<run>/config.yaml), or None."""
    path = Path("results") / "finetune" / run / "config.yaml"
    if not path.is_file():
        return None
    return (yaml.safe_load(path.read_text()) or {}).get("base_model")


def vocab_source(cfg: QuantizeConfig, model_dir: Path) -> Path | None:
    """The GGUF whose tokenizer the converter should copy (see QuantizeConfig.vocab_from), or None."""
    spec = cfg.vocab_from
    if spec is None or str(spec).lower() in ("", "none", "null", "false"):
        return None
    if spec == "auto":
        if (model_dir / "tokenizer.model").is_file():
            return None  # the converter rebuilds a SentencePiece vocabulary itself
        spec = finetune_base(cfg.run)
        if spec is None:
            return None
        try:
            resolved = resolve_model(spec)
        except (KeyError, RuntimeError):  # ModelUnavailable: not a GGUF here, so nothing to copy from
            return None
        return resolved.path if resolved.kind == "gguf" else None
    resolved = resolve_model(spec)
    if resolved.kind != "gguf":
        raise ValueError(f"vocab_from must name a GGUF; {spec} is a {resolved.kind} directory")
    return resolved.path


def base_format(gguf: Path) -> str:
    """``gemma-3-270m-q4_k_m.gguf`` -> ``Q4_K_M``: the quantization a base GGUF's name states, else ``base``."""
    match = re.search(r"(?:^|[-_.])((?:i?q\d(?:_[a-z0-9]+)*)|f16|bf16|f32)$", gguf.stem, re.IGNORECASE)
    return match.group(1).upper() if match else "base"


def adapter_row(cfg: QuantizeConfig, model_dir: Path, out_dir: Path) -> dict | None:
    """Convert the run's LoRA adapter (``<run dir>/adapter``, next to ``merged``) to a GGUF and describe the pair
    base GGUF + adapter as one format; None when the run has no adapter or was not trained from a GGUF."""
    adapter_dir = model_dir.parent / "adapter"
    spec = finetune_base(cfg.run)
    if not (adapter_dir / "adapter_config.json").is_file() or spec is None:
        return None
    try:
        base = resolve_model(spec)
    except (KeyError, RuntimeError):
        return None
    if base.kind != "gguf":
        return None
    start = time.perf_counter()
    out = convert_adapter(adapter_dir, model_dir, out_dir / f"{cfg.run}-adapter-{cfg.adapter_outtype.upper()}.gguf",
                          cfg.adapter_outtype)  # fmt: skip
    copy_prompt(model_dir, out)
    info = describe(out)
    size = info["size_bytes"] + base.path.stat().st_size
    return {"format": f"{base_format(base.path)}+LoRA", "model": adapter_spec(spec, out), **info,
            "adapter_size_bytes": info["size_bytes"], "size_bytes": size, "size_mb": round(size / 2**20, 2),
            "base": str(base.path), "base_sha256": file_sha256(base.path),
            "seconds": round(time.perf_counter() - start, 2)}  # fmt: skip


def imatrix_rows(cfg: QuantizeConfig, model_dir: Path, base: Path, out_dir: Path) -> list[dict]:
    """The importance matrix of ``base`` on the recipe's training conversations, and each of ``cfg.imatrix_formats``
    quantized with it (llama.cpp's tools, built once: microllm.quantize.imatrix)."""
    from microllm.quantize.imatrix import calibration_text, compute_imatrix, ensure_tools, quantize_imatrix

    start = time.perf_counter()
    bin_dir = ensure_tools()
    text, calib = calibration_text(cfg.imatrix_train_file, model_dir, cfg.imatrix_rows, cfg.imatrix_seed)
    calib_file = out_dir / f"{cfg.run}-imatrix-calibration.txt"
    calib_file.write_text(text, encoding="utf-8")
    threads = cfg.n_threads or 2
    matrix = compute_imatrix(base, calib_file, out_dir / f"{cfg.run}-imatrix.gguf", threads, bin_dir=bin_dir)
    calib = {**calib, "imatrix": str(matrix), "imatrix_sha256": file_sha256(matrix),
             "seconds": round(time.perf_counter() - start, 2)}  # fmt: skip
    rows = []
    for qtype in cfg.imatrix_formats:
        start = time.perf_counter()
        path = quantize_imatrix(base, out_dir / f"{cfg.run}-{qtype}-IMAT.gguf", qtype, matrix, threads,
                                cfg.imatrix_output_type, cfg.imatrix_embedding_type, cfg.imatrix_tensor_types,
                                bin_dir=bin_dir)  # fmt: skip
        copy_prompt(model_dir, path)
        write_sha256(path)
        rows.append({"format": f"{qtype}-IMAT", "model": str(path), **describe(path), "calibration": calib,
                     "output_type": cfg.imatrix_output_type, "embedding_type": cfg.imatrix_embedding_type,
                     "tensor_types": cfg.imatrix_tensor_types,
                     "seconds": round(time.perf_counter() - start, 2)})  # fmt: skip
    return rows


def quantize_model(cfg: QuantizeConfig) -> dict:
    """Convert ``cfg.model`` to ``<out_dir>/<run>-<outtype>.gguf``, quantize it to each format, optionally save NF4;
    write config.yaml and metrics.json (sizes, sha256, seconds) to ``cfg.results_dir``. Returns the metrics."""
    resolved = resolve_model(cfg.model)
    if resolved.kind != "hf":
        raise ValueError(f"quantize needs a transformers directory; {cfg.model} is a GGUF already "
                         "(quantize_gguf re-quantizes an F16/F32 GGUF)")  # fmt: skip
    model_dir, out_dir, results = resolved.path, Path(cfg.out_dir), Path(cfg.results_dir)
    results.mkdir(parents=True, exist_ok=True)
    save_config(cfg, results / "config.yaml")
    vocab = vocab_source(cfg, model_dir)

    start = time.perf_counter()
    base = convert_to_gguf(model_dir, out_dir / f"{cfg.run}-{cfg.outtype.upper()}.gguf", cfg.outtype, vocab_from=vocab)
    copy_prompt(model_dir, base)
    write_sha256(base)
    rows = [{"format": cfg.outtype.upper(), "model": str(base), **describe(base),
             "seconds": round(time.perf_counter() - start, 2)}]  # fmt: skip
    for qtype in cfg.formats:
        start = time.perf_counter()
        path = quantize_gguf(base, out_dir / f"{cfg.run}-{qtype}.gguf", qtype, cfg.n_threads, source_model=model_dir)
        rows.append({"format": qtype, "model": str(path), **describe(path),
                     "seconds": round(time.perf_counter() - start, 2)})  # fmt: skip
    if cfg.imatrix_formats:
        rows += imatrix_rows(cfg, model_dir, base, out_dir)
    for row in [r for r in rows if r["format"] in cfg.trim_formats]:
        from microllm.quantize.trim_vocab import trim_model

        start, fmt = time.perf_counter(), f"{row['format']}-V{cfg.trim_top_k}"
        path = out_dir / f"{cfg.run}-{fmt}.gguf"
        trim = trim_model(row["path"], path, cfg.trim_top_k, cfg.trim_corpus, cfg.trim_check)
        rows.append({"format": fmt, "model": str(path), **describe(path), "trim": trim,
                     "seconds": round(time.perf_counter() - start, 2)})  # fmt: skip
    if cfg.adapter:
        row = adapter_row(cfg, model_dir, out_dir)
        if row is not None:
            rows.append(row)
    for row in rows:  # size relative to the unquantized GGUF
        row["ratio_to_" + cfg.outtype] = round(row["size_bytes"] / rows[0]["size_bytes"], 4)

    nf4 = None
    if cfg.include_nf4:
        from microllm.quantize.nf4 import save_nf4

        start = time.perf_counter()
        nf4 = {**save_nf4(model_dir, out_dir / "nf4"), "seconds": round(time.perf_counter() - start, 2)}
    metrics = {
        "run": cfg.run,
        "model": cfg.model,
        "model_dir": str(model_dir),
        "vocab_from": str(vocab) if vocab else None,
        "formats": rows,
        "nf4": nf4,
        "provenance": provenance(),
    }
    (results / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def _newest_mtime(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.iterdir() if p.is_file()), default=0.0)


def quantize_or_load(cfg: QuantizeConfig) -> dict:
    """The metrics of ``cfg``'s finished run when this very config made them, every GGUF it lists (and the NF4
    folder, if any) is on disk and the source model is not newer than they are; otherwise quantize (notebooks rerun
    top to bottom without converting again)."""
    results = Path(cfg.results_dir)
    done = results / "metrics.json"
    if done.is_file() and (results / "config.yaml").is_file():
        if load_config(QuantizeConfig, results / "config.yaml") == cfg:
            metrics = json.loads(done.read_text())
            paths = [Path(r["path"]) for r in metrics.get("formats", [])]
            if metrics.get("nf4"):
                paths.append(Path(metrics["nf4"]["path"]) / "config.json")
            model_dir = Path(metrics.get("model_dir", ""))
            fresh = model_dir.is_dir() and _newest_mtime(model_dir) <= done.stat().st_mtime
            if paths and all(p.is_file() for p in paths) and fresh:
                return metrics
    return quantize_model(cfg)


def main_quantize(config_path: str | Path | None = None, overrides: list[str] | None = None) -> dict:
    """What `microllm quantize --config PATH --set key=value` runs."""
    return quantize_model(load_config(QuantizeConfig, config_path, overrides))
