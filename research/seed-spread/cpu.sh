#!/bin/sh
# The recipe reproduced from a fresh setup on another CPU (~2.5 h on 2 cores). Run it in a clean clone on that CPU:
# it runs the main job (`make all`: set-up, weights, data, baselines, training, quantization, evaluation, A/B, bench,
# notebooks), keeps that run's training and quantization records under the name below beside the recorded ones
# (reproduction.json: its step losses against the recorded run's), links its IQ4_NL and F16 files under that name
# scores them (compare-cpu.yaml), runs the A/B (ab-cpu.yaml) and benches (bench-cpu.yaml). The name says the CPU it was made for: an Intel
# Xeon against the recorded run's AMD EPYC. Copy the results/ folders it names into the recorded checkout.
set -eu
NAME=qwen-coder-0.5b-lora-fresh-intel
RECIPE=qwen-coder-0.5b-lora
MAKE_ALL_S=
if ! test -f artifacts/quantized/$RECIPE/$RECIPE-IQ4_NL-IMAT-V32000.gguf; then
  start=$(date +%s); make all; MAKE_ALL_S=$(( $(date +%s) - start ))
fi
command -v microllm >/dev/null || PATH="$PWD/.venv/bin:$PATH"
for kind in finetune quantize; do
  rm -rf results/$kind/$NAME
  cp -r results/$kind/$RECIPE results/$kind/$NAME
  git checkout -- results/$kind/$RECIPE  # the recorded run's records again
done
python - <<PY
import json
from pathlib import Path

from microllm_research.report_repro import compare_runs

# The copied records say what they are: the run name is this folder's, the run it was trained as is kept.
for kind in ("finetune", "quantize"):
    path = Path("results") / kind / "$NAME" / "metrics.json"
    m = json.loads(path.read_text())
    m = {"run": "$NAME", "trained_as": m.get("run"), "note": (
        f"the recipe's main job (make all) in a fresh clone on an {m['provenance']['machine']['cpu']}, its records "
        "moved here by "
        f"research/seed-spread/cpu.sh so that results/{kind}/$RECIPE/ keeps the recorded (AMD EPYC) run"),
        **{k: v for k, v in m.items() if k != "run"}}
    path.write_text(json.dumps(m, indent=2) + "\n")
r = compare_runs("results/finetune/$RECIPE", "results/finetune/$NAME")
r["command"] = "sh research/seed-spread/cpu.sh"
r["make_all_seconds"] = int("$MAKE_ALL_S") if "$MAKE_ALL_S" else None  # None: make all ran before
with open("results/finetune/$NAME/reproduction.json", "w") as f:
    f.write(json.dumps(r, indent=2) + "\n")
PY
mkdir -p artifacts/quantized/$NAME
for q in IQ4_NL-IMAT-V32000 F16; do
  for ext in gguf microllm_prompt.json; do
    ln -f artifacts/quantized/$RECIPE/$RECIPE-$q.$ext artifacts/quantized/$NAME/$NAME-$q.$ext
  done
done
test -f data/diverse/val.jsonl || microllm data build --config configs/data-diverse.yaml  # held-out genres (not in make all)
microllm compare --config research/seed-spread/compare-cpu.yaml
microllm ab --config research/seed-spread/ab-cpu.yaml
microllm bench --config research/seed-spread/bench-cpu.yaml
echo "records: results/finetune/$NAME results/quantize/$NAME results/compare/seed-spread-cpu results/ab/seed-spread-cpu results/bench/seed-spread-cpu"
echo "         results/eval/llamacpp-$NAME-*-trained-constrained-grounded"
