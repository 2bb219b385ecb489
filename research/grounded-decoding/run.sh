#!/bin/sh
# Plain vs grounded (~19 min on 2 cores) and the decoding speed bench; the Gemma LoRA models they use are trained
# first when absent (~3.5 h). Grounded vs rechecked (compare-recheck.yaml) is archived: see README.md.
set -eu
test -f artifacts/finetune/gemma-lora-v3/merged/config.json || microllm train --config research/made-up-names/sft-gemma-lora.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-lora-v3-2ep/merged/config.json || microllm train --config research/made-up-names/sft-gemma-lora-2ep.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-lora-v3-3ep/merged/config.json || microllm train --config research/made-up-names/sft-gemma-lora-3ep.yaml ${TRAIN_SET:-}
microllm quantize --config research/made-up-names/quantize-gemma-lora-2ep.yaml
microllm quantize --config research/made-up-names/quantize-gemma-lora-3ep.yaml
microllm compare --config research/grounded-decoding/compare.yaml
