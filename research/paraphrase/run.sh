#!/bin/sh
# Rewordings by the general model (~45 min on 2 cores; the committed files are kept), the Gemma paraphrase passes
# (~15 min each, plus their base models when absent: up to ~5.5 h) and their scores (~30 min).
set -eu
test -f data/paraphrase-v1/card.json || microllm-research data paraphrase --config research/paraphrase/paraphrase.yaml
test -f data/paraphrase-v2/card.json || microllm-research data paraphrase --config research/paraphrase/paraphrase-more.yaml
test -f artifacts/finetune/gemma-full-v4-onepass/merged/config.json || microllm train --config research/gemma-full/sft-one-pass.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-full-v4-para/merged/config.json || microllm train --config research/paraphrase/sft-gemma-full-one-pass-para.yaml ${TRAIN_SET:-}
microllm quantize --config research/paraphrase/quantize-gemma-full-one-pass-para.yaml
test -f artifacts/finetune/gemma-full-v3/merged/config.json || microllm train --config research/gemma-full/sft.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-full-v3-2ep/merged/config.json || microllm train --config research/gemma-full/sft-2ep.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-full-v3-final/merged/config.json || microllm train --config research/gemma-full/sft-final-pass.yaml ${TRAIN_SET:-}
test -f artifacts/finetune/gemma-full-v3-para/merged/config.json || microllm train --config research/paraphrase/sft-gemma-full-final-pass-para.yaml ${TRAIN_SET:-}
microllm quantize --config research/paraphrase/quantize-gemma-full-final-pass-para.yaml
microllm compare --config research/model-selection/compare.yaml
