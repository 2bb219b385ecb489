#!/bin/sh
# The recipe's bench with the AVX2-only build of llama-cpp-python and with its AVX-512 build (VBMI, VNNI, BF16),
# back to back (two builds of one library cannot share a process). Needs a CPU with AVX-512; ~10 min to build,
# ~8 min per bench on 2 cores.
set -eu
PIN=$(grep -o 'llama-cpp-python==[0-9.]*' pyproject.toml)
BASE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
for build in portable avx512; do
  flags=$BASE
  test $build = avx512 && flags="$BASE -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON"
  test -d artifacts/llama-$build || CMAKE_ARGS="$flags" python -m pip install --no-deps --no-cache-dir \
    --target artifacts/llama-$build "$PIN"
  PYTHONPATH=artifacts/llama-$build microllm bench --config recipes/qwen-coder-0.5b-lora/bench.yaml \
    --set run=llama-cpu-build-$build
done
