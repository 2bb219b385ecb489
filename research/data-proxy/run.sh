#!/bin/sh
# Three proxy runs (~20 min each on 2 cores) ranking the template data (v3), the compositional generator's data and
# a mix of both (70/30), each on 1,000 rows, scored on synthetic val, the generator's held-out genres and the
# real-text val split.
set -eu
microllm data build --config configs/data-diverse.yaml
microllm data build --config research/data-proxy/data-mixed.yaml
mkdir -p results/data-proxy
for data in synthetic-v3 diverse mixed; do
  microllm data diversity --train data/$data/train.jsonl --reference data/real/val-real.jsonl --limit 4728 --json > results/data-proxy/diversity-$data.json
done
for run in v3-1k diverse-1k mixed-1k; do
  test -f artifacts/finetune/proxy-$run/merged/config.json || microllm train --config research/data-proxy/sft-$run.yaml ${TRAIN_SET:-}
  test -f artifacts/quantized/proxy-$run/proxy-$run-Q8_0.gguf || microllm quantize --config research/data-proxy/quantize.yaml --set model=proxy-$run
done
microllm compare --config research/data-proxy/compare.yaml
