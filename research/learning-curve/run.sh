#!/bin/sh
# Gemma LoRA at 250 ... 2,000 rows (~35 min on 2 cores; the all-rows run ~50 min when absent) and Qwen at 1,000 rows
# (~12 min), each point scored on dev and the test subset.
set -eu
microllm-research learning-curve --config research/learning-curve/gemma.yaml
microllm-research learning-curve --config research/learning-curve/qwen.yaml
