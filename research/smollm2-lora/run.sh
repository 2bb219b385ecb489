#!/bin/sh
# SmolLM2-135M + LoRA (~45 min on 2 cores), quantized, scored with the Gemma LoRA formats (~40 min).
set -eu
test -f artifacts/finetune/smollm2-lora/merged/config.json || microllm train --config research/smollm2-lora/sft.yaml ${TRAIN_SET:-}
microllm quantize --config research/smollm2-lora/quantize.yaml
microllm compare --config research/gemma-lora/compare.yaml
microllm compare --config research/gemma-lora/compare-quantized.yaml
