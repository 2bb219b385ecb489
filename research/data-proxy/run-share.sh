#!/bin/sh
# The diverse share swept from 30% to 50% at the proxy's size (~20 min on 2 cores, after run.sh's mixed proxy).
set -eu
microllm data build --config research/data-proxy/data-mixed-50.yaml
test -f artifacts/finetune/proxy-mixed50-1k/merged/config.json || microllm train --config research/data-proxy/sft-mixed50-1k.yaml ${TRAIN_SET:-}
test -f artifacts/quantized/proxy-mixed50-1k/proxy-mixed50-1k-Q8_0.gguf || microllm quantize --config research/data-proxy/quantize.yaml --set model=proxy-mixed50-1k
microllm compare --config research/data-proxy/compare-share.yaml
