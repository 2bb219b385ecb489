#!/bin/sh
# Drafting on and off: the recipe's evaluation without a draft and with the default drafter (the rule baseline),
# each into a scratch directory, their raw answers compared row by row (same_answers.py); then both side by side in
# one bench. ~12 min for the evaluations, ~6 min for the bench on 2 cores (run it on an otherwise idle machine).
set -eu
OUT=${OUT:-/tmp/drafted-decoding}
for draft in none rules; do
  microllm compare --config recipes/qwen-coder-0.5b-lora/eval.yaml \
    --set results_dir="$OUT/$draft" reuse_existing=false draft=$draft
done
python research/drafted-decoding/same_answers.py "$OUT/none" "$OUT/rules"
microllm bench --config research/drafted-decoding/bench.yaml
