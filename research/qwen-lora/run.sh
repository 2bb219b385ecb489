#!/bin/sh
# Qwen2.5-Coder-0.5B + LoRA, first pass (~86 min on 2 cores) and final pass (~25 min), quantized, scored on dev and all
# 1,028 test rows, timed, and the A/B of the final pass against the general model (~45 min).
set -eu
test -f artifacts/finetune/qwen-coder-lora-v3/merged/config.json || microllm train --config research/qwen-lora/sft.yaml ${TRAIN_SET:-}
microllm quantize --config research/qwen-lora/quantize.yaml
microllm compare --config research/qwen-lora/compare.yaml
test -f results/finetune/qwen-coder-lora-v3/eval/trimmed-grounded-finish-v4/test/metrics.json || microllm eval --predictor llamacpp --model artifacts/quantized/qwen-coder-lora-v3/qwen-coder-lora-v3-Q8_0_EMB_Q5_1-V32000.gguf -o prompt=auto -o constrained=true -o ground=true --data data/synthetic/test.jsonl --out-dir results/finetune/qwen-coder-lora-v3/eval/trimmed-grounded-finish-v4/test
test -f artifacts/finetune/qwen-coder-lora-v3-final/merged/config.json || microllm train --config research/qwen-lora/sft-final-pass.yaml ${TRAIN_SET:-}
microllm quantize --config research/qwen-lora/quantize-final-pass.yaml
microllm ab --config research/qwen-lora/ab-final-pass.yaml
