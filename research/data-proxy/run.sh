#!/bin/sh
# Two proxy runs (~20 min each on 2 cores) ranking the template data (v3) against the compositional generator's data,
# each on 1,000 rows, scored on synthetic val, the generator's held-out genres and the real-text val split.
set -eu
microllm data build --config configs/data-diverse.yaml
mkdir -p results/data-proxy
for data in synthetic-v3 diverse; do
  microllm data diversity --train data/$data/train.jsonl --reference data/real/val-real.jsonl --limit 4728 --json > results/data-proxy/diversity-$data.json
done
for run in v3-1k diverse-1k; do
  test -f artifacts/finetune/proxy-$run/merged/config.json || microllm train --config research/data-proxy/sft-$run.yaml ${TRAIN_SET:-}
  test -f artifacts/quantized/proxy-$run/proxy-$run-Q8_0.gguf || microllm quantize --config research/data-proxy/quantize.yaml --set model=proxy-$run
done
microllm compare --config research/data-proxy/compare.yaml
