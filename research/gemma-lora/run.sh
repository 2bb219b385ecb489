#!/bin/sh
# Gemma 3 270M + LoRA (~50 min on 2 cores), its formats, scores and latency; SmolLM2 + LoRA (~45 min) for the bench.
set -eu
test -f artifacts/finetune/gemma-lora/merged/config.json || microllm train --config research/gemma-lora/sft.yaml ${TRAIN_SET:-}
microllm quantize --config research/gemma-lora/quantize.yaml
microllm export gemma-lora --quant Q4_K_M+LoRA
microllm compare --config research/gemma-lora/compare.yaml
microllm compare --config research/gemma-lora/compare-quantized.yaml
test -f artifacts/finetune/smollm2-lora/merged/config.json || microllm train --config research/smollm2-lora/sft.yaml ${TRAIN_SET:-}
microllm quantize --config research/smollm2-lora/quantize.yaml
microllm bench --config research/gemma-lora/bench-quantized.yaml
