"""Synthetic training data: templates x held-out value pools -> validated (input, intent) rows.

``write_dataset(build_dataset())`` writes ``data/synthetic/{train,val,test}.jsonl`` and the data card.
"""

from __future__ import annotations

import json
from pathlib import Path

from microllm.data.card import data_card, render_card
from microllm.data.generate import all_templates, build_dataset
from microllm.data.io import read_jsonl, write_jsonl
from microllm.data.pools import SPLITS

__all__ = [
    "build_dataset",
    "write_dataset",
    "read_jsonl",
    "write_jsonl",
    "data_card",
    "render_card",
    "all_templates",
]


def write_dataset(splits: dict[str, list[dict]], out_dir="data/synthetic", only: list[str] | None = None) -> dict:
    """Write one JSONL file per split plus ``card.json`` / ``card.md``; return {name: path}.

    ``only`` names the splits to write (default: all). A dataset that shares its val and test splits with another
    one writes only its train split, so each split has one copy on disk; its card still describes every split."""
    out = Path(out_dir)
    unknown = set(only or ()) - set(SPLITS)
    if unknown:
        raise ValueError(f"unknown split(s) {sorted(unknown)}; splits are {list(SPLITS)}")
    paths = {
        s: write_jsonl(splits[s], out / f"{s}.jsonl") for s in SPLITS if s in splits and (only is None or s in only)
    }
    card = {**data_card(splits), "written_splits": sorted(s for s in paths)}
    (out / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "card.md").write_text(render_card(card), encoding="utf-8")
    paths["card_json"] = str(out / "card.json")
    paths["card_md"] = str(out / "card.md")
    return paths
