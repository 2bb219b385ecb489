#!/bin/sh
# The feedback loop simulated for two rounds (~22 min on 2 cores), from the Gemma LoRA model (~50 min when absent).
set -eu
test -f artifacts/finetune/gemma-lora/merged/config.json || microllm train --config research/gemma-lora/sft.yaml ${TRAIN_SET:-}
microllm-research feedback-sim --config research/feedback-loop/simulate.yaml
