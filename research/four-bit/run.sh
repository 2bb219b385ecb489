#!/bin/sh
# The 4-bit candidates of the shipped model (~15 min on 2 cores), scored on val and val-real (~35 min) and timed
# beside the 8-bit file and the general model (~6 min). Needs the recipe's F16 GGUF (`make quantize`).
set -eu
F16=artifacts/quantized/qwen-coder-0.5b-lora/qwen-coder-0.5b-lora-F16.gguf
python - <<'PY'
from pathlib import Path
from microllm.quantize.imatrix import calibration_text, compute_imatrix, ensure_tools, quantize_imatrix
from microllm.quantize.quant import copy_prompt
from microllm.quantize.trim_vocab import trim_model

model_dir = Path("artifacts/finetune/qwen-coder-0.5b-lora/merged")
f16, out = Path("artifacts/quantized/qwen-coder-0.5b-lora/qwen-coder-0.5b-lora-F16.gguf"), Path("artifacts/q4")
bins = ensure_tools()
out.mkdir(parents=True, exist_ok=True)
text, _ = calibration_text("data/synthetic-v3/train.jsonl", model_dir, rows=320, seed=0)
(out / "calib.txt").write_text(text)
matrix = compute_imatrix(f16, out / "calib.txt", out / "qwen-coder-0.5b-lora.imatrix.gguf", 2, bin_dir=bins)
variants = {  # name: (format, importance matrix, output head, token embedding, other tensors)
    "Q4_0-imat": ("Q4_0", matrix, None, None, {}),
    "Q4_0A-imat": ("Q4_0", matrix, "q4_0", "q4_0", {}),
    "IQ4_NL-imat": ("IQ4_NL", matrix, None, None, {}),
    "Q4_K_M-imat": ("Q4_K_M", matrix, None, None, {}),
    "Q4_0-noimat": ("Q4_0", None, None, None, {}),
}
corpus = ["data/synthetic/train.jsonl", "data/synthetic-v3/train.jsonl"]
for name, (qtype, imatrix, head, embedding, tensors) in variants.items():
    path = quantize_imatrix(f16, out / f"qwen-coder-0.5b-lora-{name}.gguf", qtype, imatrix, 2, head, embedding, tensors,
                            bin_dir=bins)
    trimmed = out / f"qwen-coder-0.5b-lora-{name}-V32000.gguf"
    trim_model(path, trimmed, 32000, corpus, "data/synthetic/val.jsonl")
    copy_prompt(model_dir, trimmed)
PY
microllm compare --config research/four-bit/compare.yaml
microllm bench --config research/four-bit/bench.yaml
