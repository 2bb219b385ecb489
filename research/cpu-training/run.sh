#!/bin/sh
# Training speed under each CPU lever (a few steps per variant, about 1 h on 2 cores) and the 1,000-row Qwen point
# without LoRA dropout (~22 min).
set -eu
microllm-research train-profile --config research/gemma-lora/sft.yaml --steps 4 --out-dir results/finetune/profile-gemma-lora
microllm-research train-profile --config research/qwen-lora/sft.yaml --levers precision --steps 3 --timeout-s 900 --out-dir results/finetune/profile-qwen-coder-lora-v3-avx2
microllm-research train-profile --config research/qwen-lora/sft.yaml --ops --steps 2 --out-dir results/finetune/profile-qwen-coder-lora-v3-ops
microllm-research train-profile --config research/qwen-lora/sft.yaml --levers dropout --steps 6 --timeout-s 900 --out-dir results/finetune/profile-qwen-coder-lora-v3-dropout
microllm-research train-profile --config research/qwen-lora/sft.yaml --levers memory --steps 6 --timeout-s 900 --out-dir results/finetune/profile-qwen-coder-lora-v3-memory
microllm-research train-profile --config research/gemma-full/sft-one-pass.yaml --levers precision --steps 3 --timeout-s 240 --out-dir results/finetune/profile-gemma-full-v4-onepass-avx512
microllm-research train-profile --config research/gemma-full/sft-one-pass.yaml --levers memory --steps 3 --timeout-s 240 --out-dir results/finetune/profile-gemma-full-v4-onepass-memory
test -f artifacts/finetune/qwen-coder-lora-n1000-nodropout/adapter/adapter_config.json || microllm train --config results/finetune/learning-curve-qwen-coder-lora/n1000/config.yaml --set lora_dropout=0.0 run=qwen-coder-lora-n1000-nodropout output_dir=artifacts/finetune/qwen-coder-lora-n1000-nodropout results_dir=results/finetune/qwen-coder-lora-n1000-nodropout merge=false
