#!/bin/sh
# A 3.7M-parameter model trained from random weights (~23 min on 2 cores), then scored (~1 min).
set -eu
test -f artifacts/finetune/scratch-small/merged/config.json || microllm train --config research/scratch-model/sft.yaml ${TRAIN_SET:-}
microllm compare --config research/scratch-model/compare.yaml
