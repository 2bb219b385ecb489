#!/bin/sh
# The shipped recipe trained again with seed 1 (~75-100 min on 2 cores), quantized as the recipe quantizes (~6 min),
# and scored beside the shipped file and its F16 GGUF (~20 min). Needs the recipe's own run (`make quantize`).
set -eu
test -f artifacts/finetune/qwen-coder-0.5b-lora-seed1/merged/config.json || microllm train --config research/seed-spread/sft-seed1.yaml ${TRAIN_SET:-}
test -f artifacts/quantized/qwen-coder-0.5b-lora-seed1/qwen-coder-0.5b-lora-seed1-IQ4_NL-IMAT-V32000.gguf || microllm quantize --config research/seed-spread/quantize.yaml
# The shipped F16 GGUF under a name of its own: eval records are kept per file name, and the four-bit study's records
# of the F16 file scored an earlier training run of the same name.
mkdir -p artifacts/quantized/qwen-coder-0.5b-lora-seed0
for ext in gguf microllm_prompt.json; do
  ln -f artifacts/quantized/qwen-coder-0.5b-lora/qwen-coder-0.5b-lora-F16.$ext artifacts/quantized/qwen-coder-0.5b-lora-seed0/qwen-coder-0.5b-lora-seed0-F16.$ext
done
microllm compare --config research/seed-spread/compare.yaml
python research/seed-spread/agreement.py
