#!/bin/sh
# Gemma 3 270M full fine-tuning: the two-epoch chain and its final pass (~4 h on 2 cores), the one pass at 1e-4
# (~1.5 h) and at 2e-4 (~1 h), quantized and scored (~15 min).
set -eu
test -f artifacts/finetune/gemma-full-v3/merged/config.json || microllm train --config research/gemma-full/sft.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-full-v3-2ep/merged/config.json || microllm train --config research/gemma-full/sft-2ep.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-full-v3-final/merged/config.json || microllm train --config research/gemma-full/sft-final-pass.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-full-v4-onepass/merged/config.json || microllm train --config research/gemma-full/sft-one-pass.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-full-v4-lr4x/merged/config.json || microllm train --config research/gemma-full/sft-one-pass-lr2e-4.yaml ${TRAIN_SET:-}
microllm quantize --config research/gemma-full/quantize.yaml
microllm quantize --config research/gemma-full/quantize-2ep.yaml
microllm quantize --config research/gemma-full/quantize-final-pass.yaml
microllm quantize --config research/gemma-full/quantize-one-pass.yaml
microllm quantize --config research/gemma-full/quantize-one-pass-lr2e-4.yaml
microllm compare --config research/gemma-full/compare.yaml
