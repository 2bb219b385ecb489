"""How far drafting can take the shipped file: p50 latency and forward passes per answer on synthetic val requests,
in one process, with no draft, with the rule baseline's draft (the default) and with the model's own answer as the
draft (an oracle: the most any drafter could give), each request decoded by the three in turn. Each way has its own
loaded model, so that each KV cache holds the previous request, as in serving (decoding one request three times in
one context would reuse its whole prompt).

python research/drafted-decoding/ceiling.py [N_ROWS]   (on an otherwise idle machine)
Writes results/bench/drafted-decoding/ceiling.json (with the machine, date, commit and data hash).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

from microllm.backends.llamacpp import LlamaCppPredictor
from microllm.decode.drafts import rules_draft
from microllm.models.shipped import shipped_model_path
from microllm.provenance import provenance

VAL = "data/synthetic/val.jsonl"
OUT = Path("results/bench/drafted-decoding/ceiling.json")


def main(n_rows: int = 60) -> dict:
    """Decode the first ``n_rows`` val requests three ways; print and return the medians."""
    drafters = {"none": None, "rules": rules_draft, "oracle": None}
    preds = {k: LlamaCppPredictor(model=str(shipped_model_path()), ground=True, draft="none") for k in drafters}
    rows = [json.loads(line) for line in open(VAL, encoding="utf-8")][:n_rows]
    for pred in preds.values():
        for row in rows[-2:]:  # warm-up: the shared prompt prefix in the KV cache
            pred.generate(row["input"])
    ms: dict[str, list[float]] = {k: [] for k in drafters}
    passes: dict[str, list[int]] = {k: [] for k in drafters}
    same = 0
    for row in rows:
        answers = {}
        for name, pred in preds.items():
            own = answers.get("none")
            pred.drafter = (lambda request, written, text=own: text) if name == "oracle" else drafters[name]
            t = time.perf_counter()
            answers[name], _ = pred.generate(row["input"])
            ms[name].append(1000 * (time.perf_counter() - t))
            passes[name].append(pred.last_usage["forward_passes"])
        same += len(set(answers.values())) == 1
    out = {"model": os.path.relpath(shipped_model_path()), "rows": len(rows), "same_answer_all_three": same,
           **{f"p50_ms_{k}": round(statistics.median(v), 1) for k, v in ms.items()},
           **{f"passes_per_answer_{k}": round(statistics.mean(v), 2) for k, v in passes.items()},
           "provenance": provenance({"val": VAL}, command=" ".join(["python", *sys.argv]))}  # fmt: skip
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "provenance"}, indent=1))
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
