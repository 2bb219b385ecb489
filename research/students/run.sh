#!/bin/sh
# Students: Gemma 3 270M and SmolLM2-135M fully fine-tuned on the teacher's proxy rows (1,000 mixed rows, the
# real-text train rows, the shipped model's labels of 102 mined texts), quantized as the recipe quantizes, scored
# beside the teacher and timed beside it (~15 and ~8 min of training on 2 cores, ~15 min of scoring and timing).
set -eu
sh research/self-training/run.sh   # the teacher's proxy on the same rows (proxy-real-self-whole-1k)
for run in gemma-1k smollm2-1k; do
  test -f artifacts/finetune/student-$run/merged/config.json || microllm train --config research/students/sft-$run.yaml ${TRAIN_SET:-}
  test -f artifacts/quantized/student-$run/student-$run-IQ4_NL-IMAT-V32000.gguf || microllm quantize --config research/students/quantize.yaml --set model=student-$run
done
microllm compare --config research/students/compare.yaml
microllm bench --config research/students/bench.yaml
python research/students/tensor_sizes.py
