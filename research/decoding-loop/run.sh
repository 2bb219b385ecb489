#!/bin/sh
# llguidance and xgrammar on the intent schema and the shipped model's vocabulary (~1 min), then the loop's forward
# passes per answer from the 4-bit study's side-by-side benchmark (research/four-bit/bench.yaml, ~6 min).
set -eu
microllm-research grammar-engines --model artifacts/quantized/qwen-coder-0.5b-lora/qwen-coder-0.5b-lora-IQ4_NL-IMAT-V32000.gguf --rows 50 --out results/decode/grammar-engines.json
microllm bench --config research/four-bit/bench.yaml
