"""How diverse a training set's requests are, and how close they come to real text.

- **distinct-n** (n = 1, 2, 3): distinct word n-grams / all word n-grams over the inputs (n-grams never span two
  inputs). Words are lower-case runs of letters/digits/underscores, and each other non-space character alone
  (:func:`tokens`). Distinct-n falls as a set grows, so compare sets of the same size.
- **templates**: how many distinct ``template`` ids the rows carry.
- **nearest-neighbour distance**: for each reference input (the real-text val split), the cosine distance to the
  closest training input under a character 3-5-gram TF-IDF (fitted on training and reference inputs together);
  the report gives the median and the mean. Lower means the training set has something close to real requests.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence

_TOKEN = re.compile(r"\w+|[^\w\s]")
_CHUNK = 512  # reference rows per similarity block, so memory stays small for large reference sets


def tokens(text: str) -> list[str]:
    """Word tokens of ``text`` for distinct-n: lower-case ``\\w+`` runs and single punctuation characters."""
    return _TOKEN.findall(text.lower())


def distinct_n(texts: Iterable[str], n: int) -> float:
    """Distinct n-grams / total n-grams over ``texts`` (0.0 when there are none)."""
    if n < 1:
        raise ValueError("n must be >= 1")
    total, seen = 0, set()
    for text in texts:
        toks = tokens(text)
        grams = [tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)]
        total += len(grams)
        seen.update(grams)
    return len(seen) / total if total else 0.0


def nearest_neighbours(train_texts: Sequence[str], reference_texts: Sequence[str]) -> list[tuple[int, float]]:
    """For each reference text, (index of the closest training text, 1 - its cosine similarity) under a character
    3-5-gram TF-IDF fitted on both sets."""
    if not train_texts:
        raise ValueError("no training texts to measure against")
    if not reference_texts:
        return []
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(3, 5), lowercase=True)
    vectorizer.fit(list(train_texts) + list(reference_texts))
    train_t = vectorizer.transform(train_texts).T.tocsc()  # rows are L2-normalised: a dot product is the cosine
    out: list[tuple[int, float]] = []
    for start in range(0, len(reference_texts), _CHUNK):
        sims = (vectorizer.transform(reference_texts[start : start + _CHUNK]) @ train_t).tocsr()
        best = np.asarray(sims.max(axis=1).todense()).ravel()
        where = np.asarray(sims.argmax(axis=1)).ravel()
        out += [(int(i), float(min(1.0, max(0.0, 1.0 - b)))) for i, b in zip(where, best, strict=True)]
    return out


def nearest_neighbour_distances(train_texts: Sequence[str], reference_texts: Sequence[str]) -> list[float]:
    """For each reference text, 1 - the highest cosine similarity to any training text (char 3-5-gram TF-IDF)."""
    return [d for _, d in nearest_neighbours(train_texts, reference_texts)]


def diversity_report(train_rows: Sequence[dict], reference_rows: Sequence[dict]) -> dict:
    """Distinct-1/2/3 and the number of templates of ``train_rows``; median and mean nearest-neighbour distance
    from each of ``reference_rows`` to them (with each reference input's closest training input)."""
    train_texts = [r["input"] for r in train_rows]
    ref_texts = [r["input"] for r in reference_rows]
    nearest = nearest_neighbours(train_texts, ref_texts)
    distances = [d for _, d in nearest]
    return {
        "rows": len(train_rows),
        "distinct_1": distinct_n(train_texts, 1),
        "distinct_2": distinct_n(train_texts, 2),
        "distinct_3": distinct_n(train_texts, 3),
        "templates": len({r["template"] for r in train_rows if r.get("template")}),
        "reference_rows": len(reference_rows),
        "nn_distance": {
            "median": statistics.median(distances) if distances else None,
            "mean": statistics.fmean(distances) if distances else None,
        },
        "nearest": [
            {"reference": r, "train": train_texts[i], "distance": d}
            for r, (i, d) in zip(ref_texts, nearest, strict=True)
        ],
    }
