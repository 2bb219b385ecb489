#!/bin/sh
# Base models prompted (few-shot, zero-shot, free decoding) and their latency: about 1 h on 2 cores.
set -eu
microllm compare --config research/base-models/compare.yaml
microllm compare --config research/base-models/compare-zero-shot.yaml
microllm compare --config research/base-models/compare-unconstrained.yaml
microllm bench --config research/base-models/bench.yaml
