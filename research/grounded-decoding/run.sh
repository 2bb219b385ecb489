#!/bin/sh
# Plain vs grounded, grounded vs rechecked (~35 min on 2 cores) and the decoding speed bench; the Gemma models they
# use are trained first when absent (~3.5 h LoRA, ~1.7 h full).
set -eu
test -f artifacts/finetune/gemma-lora-v3/merged/config.json || microllm train --config research/made-up-names/sft-gemma-lora.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-lora-v3-2ep/merged/config.json || microllm train --config research/made-up-names/sft-gemma-lora-2ep.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-lora-v3-3ep/merged/config.json || microllm train --config research/made-up-names/sft-gemma-lora-3ep.yaml ${TRAIN_SET:-}
microllm quantize --config research/made-up-names/quantize-gemma-lora-2ep.yaml
microllm quantize --config research/made-up-names/quantize-gemma-lora-3ep.yaml
microllm compare --config research/grounded-decoding/compare.yaml
microllm bench --config research/grounded-decoding/bench-speed.yaml
test -f artifacts/finetune/gemma-full-v4-onepass/merged/config.json || microllm train --config research/gemma-full/sft-one-pass.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-full-v4-para/merged/config.json || microllm train --config research/paraphrase/sft-gemma-full-one-pass-para.yaml ${TRAIN_SET:-}
microllm quantize --config research/gemma-full/quantize-one-pass.yaml
microllm quantize --config research/paraphrase/quantize-gemma-full-one-pass-para.yaml
microllm compare --config research/grounded-decoding/compare-recheck.yaml
