"""How many real-text and self-labeled rows each self-training proxy drew into its 1,000 training rows (the
correction in README.md): each run's config, its seed and the training code's own row loader.

python research/self-training/count_rows.py
"""

import json

from microllm.config import load_config
from microllm.train.config import FinetuneConfig
from microllm.train.data import load_train_rows

RUNS = (
    "sft-real-1k",
    "sft-real-1k-seed1",
    "sft-real-1k-seed2",
    "sft-real-self-1k",
    "sft-real-whole-1k",
    "sft-real-self-whole-1k",
    "sft-real-whole-1k-seed1",
    "sft-real-self-whole-1k-seed1",
)


def _inputs(path: str) -> set[str]:
    with open(path, encoding="utf-8") as f:
        return {json.loads(line)["input"] for line in f if line.strip()}


def main() -> None:
    """Print one line per proxy: rows drawn, real-text rows among them, self-labeled rows among them."""
    real, self_labeled = _inputs("data/real/train.jsonl"), _inputs("data/self-label/train.jsonl")
    for name in RUNS:
        cfg = load_config(FinetuneConfig, f"research/self-training/{name}.yaml")
        rows = load_train_rows(cfg.train_file, cfg.extra_train_files, cfg.max_examples, cfg.seed,
                               cfg.extra_max_examples, cfg.more_train_files, cfg.more_train_files_whole)  # fmt: skip
        print(
            f"{name}: {len(rows)} rows, {sum(r['input'] in real for r in rows)} real-text, "
            f"{sum(r['input'] in self_labeled for r in rows)} self-labeled"
        )


if __name__ == "__main__":
    main()
