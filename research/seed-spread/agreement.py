"""Row by row, how two scored files of the study differ: rows only one of them gets right (by category) and answers
that are identical, per data set, from the committed eval records (`results/eval/<arm>/<set>/predictions.jsonl`).

python research/seed-spread/agreement.py
"""

from collections import Counter

from microllm.data.io import read_jsonl

ARM = "results/eval/llamacpp-qwen-coder-0.5b-lora-{}-trained-constrained-grounded"
PAIRS = {  # what is compared: (first arm, second arm)
    "seed 0 vs seed 1, IQ4_NL": ("IQ4-NL-IMAT-V32000", "seed1-IQ4-NL-IMAT-V32000"),
    "seed 0 vs seed 1, F16": ("seed0-F16", "seed1-F16"),
    "seed 0: F16 vs IQ4_NL": ("seed0-F16", "IQ4-NL-IMAT-V32000"),
    "seed 1: F16 vs IQ4_NL": ("seed1-F16", "seed1-IQ4-NL-IMAT-V32000"),
    "AMD EPYC (recorded) vs Intel Xeon (fresh setup), IQ4_NL": ("IQ4-NL-IMAT-V32000", "fresh-intel-IQ4-NL-IMAT-V32000"),
    "AMD EPYC (recorded) vs Intel Xeon (fresh setup), F16": ("seed0-F16", "fresh-intel-F16"),
    "Intel Xeon (fresh setup): F16 vs IQ4_NL": ("fresh-intel-F16", "fresh-intel-IQ4-NL-IMAT-V32000"),
}
SETS = ("val", "val-diverse", "val-real", "test", "dev")
# The recipe's full-size draws: the recorded run (seed 0, AMD EPYC), seed 1 (AMD EPYC) and the fresh setup (seed 0,
# Intel Xeon), as shipped (IQ4_NL) and at F16.
DRAWS = {
    "IQ4_NL": ("IQ4-NL-IMAT-V32000", "seed1-IQ4-NL-IMAT-V32000", "fresh-intel-IQ4-NL-IMAT-V32000"),
    "F16": ("seed0-F16", "seed1-F16", "fresh-intel-F16"),
}


def spread() -> None:
    """Print, per data set, the rows each draw gets right and the range between them (highest less lowest)."""
    for fmt, arms in DRAWS.items():
        print(f"recipe draws, {fmt}: rows right (recorded, seed 1, fresh setup) and the range")
        for dataset in SETS:
            right = [sum(r["exact"] for r in read_jsonl(f"{ARM.format(a)}/{dataset}/predictions.jsonl")) for a in arms]
            n = len(read_jsonl(f"{ARM.format(arms[0])}/{dataset}/predictions.jsonl"))
            print(
                f"  {dataset}: {right} of {n}; range {max(right) - min(right)} rows, "
                f"{100 * (max(right) - min(right)) / n:.1f} points"
            )


def main() -> None:
    """Print one line per pair and data set, then the spread of the recipe's draws."""
    for name, (first, second) in PAIRS.items():
        print(name)
        for dataset in SETS:
            a = read_jsonl(f"{ARM.format(first)}/{dataset}/predictions.jsonl")
            b = read_jsonl(f"{ARM.format(second)}/{dataset}/predictions.jsonl")
            if [r["id"] for r in a] != [r["id"] for r in b]:
                raise ValueError(f"{dataset}: the two records do not hold the same rows in the same order")
            only_a = Counter(x["category"] for x, y in zip(a, b, strict=True) if x["exact"] and not y["exact"])
            only_b = Counter(y["category"] for x, y in zip(a, b, strict=True) if y["exact"] and not x["exact"])
            same = sum(x["output"] == y["output"] for x, y in zip(a, b, strict=True))
            print(
                f"  {dataset}: {len(a)} rows, identical answers {same}; right only in the first "
                f"{sum(only_a.values())} {dict(only_a)}; only in the second {sum(only_b.values())} {dict(only_b)}"
            )
    spread()


if __name__ == "__main__":
    main()
