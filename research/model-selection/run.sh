#!/bin/sh
# Every candidate scored on val and dev, grounded (~30 min on 2 cores); candidates whose GGUF is absent keep their rows.
set -eu
microllm compare --config research/model-selection/compare.yaml
