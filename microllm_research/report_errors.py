"""What kind of mistakes a model makes, counted over a whole predictions file (no row is read by hand).

Three kinds, checked in this order for each wrong answer:
- ``action``: the intent (or one step's intent, or the number of steps) is not the gold one;
- ``invented value``: a copied string (a user, host, share, password, ...) does not occur in the request at all,
  so the model wrote something it did not read (``io`` for ``minio``, a made-up full name);
- ``other field``: the right intent and only copied values, but a field is missing, extra, swapped or misconverted.
Counting kinds is safe on the dev set: it measures, it shows no request to write templates from.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from microllm.data.io import read_jsonl

# Fields whose value is copied from the request (lower-cased hosts are still found case-insensitively).
COPIED = ("username", "group", "share", "name", "common_name", "value", "password", "alias", "destination",
          "full_name", "interface", "path", "host", "comment")  # fmt: skip
KINDS = ("exact", "action", "invented value", "other field", "no output")


def _steps(intent: dict) -> list[dict]:
    return intent.get("steps") or [] if intent.get("action") == "multi" else [intent]


def _occurs(value: str, text: str) -> bool:
    """``value`` appears in ``text`` as a whole name: ``io.corp.example.org`` does not occur in ``minio.corp...``."""
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text) is not None


def _invented(intent: dict, request: str) -> bool:
    text = request.lower()
    for step in _steps(intent):
        for key in COPIED:
            v = step.get(key)
            if isinstance(v, str) and v.strip() and not _occurs(v.strip().lower().rstrip("."), text):
                # Canonicalised IPv6 and TXT values may legitimately differ from their surface form.
                if not (key == "value" and step.get("record_type") in ("AAAA", "TXT")):
                    return True
    return False


def error_kind(row: dict) -> str:
    """The kind of one scored prediction row (``input``, ``output``, ``gold``, ``exact``)."""
    if row.get("exact"):
        return "exact"
    pred, gold = row.get("output"), row["gold"]
    if not isinstance(pred, dict):
        return "no output"
    if [s.get("action") for s in _steps(pred)] != [s.get("action") for s in _steps(gold)] or pred.get(
        "action"
    ) != gold.get("action"):
        return "action"
    return "invented value" if _invented(pred, row["input"]) else "other field"


def error_kinds(predictions: str | Path) -> dict[str, float]:
    """Share of rows of each kind in one predictions file, plus ``n``."""
    rows = read_jsonl(predictions)
    kinds = [error_kind(r) for r in rows]
    return {"n": len(rows), **{k: kinds.count(k) / len(rows) if rows else 0.0 for k in KINDS}}


def error_kinds_table(arms: dict[str, str | Path], results_dir: str | Path = "results",
                      datasets: tuple[str, ...] = ("dev", "test")) -> pd.DataFrame:  # fmt: skip
    """One row per (arm label, dataset): shares of exact, wrong-action, invented-value and other-field answers.
    ``arms`` maps a label to an eval folder name under ``results/eval`` (or a run's archived eval folder)."""
    out = []
    for label, arm in arms.items():
        base = Path(arm) if Path(arm).is_absolute() or Path(arm).exists() else Path(results_dir) / "eval" / arm
        for ds in datasets:
            path = base / ds / "predictions.jsonl"
            if path.exists():
                out.append({"arm": label, "dataset": ds, **error_kinds(path)})
    return pd.DataFrame(out)


def changed_answers(before: str | Path, after: str | Path) -> pd.DataFrame:
    """Per category, how two predictions files of the same rows differ: exact match of each, rows fixed (wrong ->
    right) and broken (right -> wrong), e.g. one model decoded under two versions of a decoding rule."""
    a, b = read_jsonl(before), read_jsonl(after)
    if [r.get("id") for r in a] != [r.get("id") for r in b]:
        raise ValueError(f"{before} and {after} do not hold the same rows in the same order")
    out = []
    for cat in sorted({r.get("category") or "?" for r in a}):
        pairs = [(x["exact"], y["exact"]) for x, y in zip(a, b, strict=True) if (x.get("category") or "?") == cat]
        out.append({"category": cat, "n": len(pairs), "before": sum(x for x, _ in pairs) / len(pairs),
                    "after": sum(y for _, y in pairs) / len(pairs), "fixed": sum(y and not x for x, y in pairs),
                    "broken": sum(x and not y for x, y in pairs)})  # fmt: skip
    total = {"category": "all", "n": len(a), "before": sum(r["exact"] for r in a) / len(a),
             "after": sum(r["exact"] for r in b) / len(b), "fixed": sum(o["fixed"] for o in out),
             "broken": sum(o["broken"] for o in out)}  # fmt: skip
    return pd.DataFrame([*out, total])


def plot_error_kinds(table: pd.DataFrame, dataset: str = "dev"):
    """Stacked bars: for each arm of ``error_kinds_table`` on one dataset, the share of exact answers and of each
    kind of mistake (five series)."""
    from matplotlib.figure import Figure

    t = table[table["dataset"] == dataset].set_index("arm")[list(KINDS)]
    fig = Figure(figsize=(8, 1.3 + 0.45 * len(t)))
    ax = fig.subplots()
    left = pd.Series(0.0, index=t.index)
    colors = {"exact": "#4c9a5a", "action": "#c44e52", "invented value": "#dd8452", "other field": "#8172b2",
              "no output": "#937860"}  # fmt: skip
    for kind in KINDS:
        ax.barh(t.index, t[kind], left=left, label=kind, color=colors[kind])
        left += t[kind]
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel=f"share of {dataset} answers")
    ax.legend(fontsize=8, ncol=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    return fig
