#!/bin/sh
# Self-training: the shipped model labels the mined texts that mapping dropped (kept where schema, safety, grounding
# and the rule baseline agree), then 1,000-row proxies (~20 min each on 2 cores) score what the labels add: drawn
# from the union with the real-text rows, with them and the self-labeled rows, the first again on two more seeds;
# then as designed, every real-text row (and every self-labeled row) on top of 1,000 mixed rows, on two seeds.
set -eu
microllm data self-label --out-dir data/self-label
for run in real-1k real-self-1k real-1k-seed1 real-1k-seed2 real-whole-1k real-self-whole-1k \
           real-whole-1k-seed1 real-self-whole-1k-seed1; do
  test -f artifacts/finetune/proxy-$run/merged/config.json || microllm train --config research/self-training/sft-$run.yaml ${TRAIN_SET:-}
  test -f artifacts/quantized/proxy-$run/proxy-$run-Q8_0.gguf || microllm quantize --config research/data-proxy/quantize.yaml --set model=proxy-$run
done
microllm compare --config research/self-training/compare.yaml
