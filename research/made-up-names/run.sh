#!/bin/sh
# Gemma LoRA on data v3 for one, two and three epochs (~3.5 h on 2 cores), quantized, scored and timed (~30 min).
set -eu
test -f artifacts/finetune/gemma-lora-v3/merged/config.json || microllm train --config research/made-up-names/sft-gemma-lora.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-lora-v3-2ep/merged/config.json || microllm train --config research/made-up-names/sft-gemma-lora-2ep.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-lora-v3-3ep/merged/config.json || microllm train --config research/made-up-names/sft-gemma-lora-3ep.yaml ${TRAIN_SET:-}
microllm quantize --config research/made-up-names/quantize-gemma-lora.yaml
microllm quantize --config research/made-up-names/quantize-gemma-lora-2ep.yaml
microllm quantize --config research/made-up-names/quantize-gemma-lora-3ep.yaml
microllm compare --config research/made-up-names/compare.yaml
microllm bench --config research/made-up-names/bench.yaml
