"""Datasets from a :class:`~microllm.config.DataConfig` whose ``generator`` is ``diverse`` or ``mixed``, and their card.

``diverse`` writes the diverse generator's train and val splits. ``mixed`` keeps the template generator's splits and
replaces ``diverse_share`` of its train rows by diverse train rows (the train size stays the same); its val split
holds both generators' val rows, its test split is the template generator's. Every row says its ``source``.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from microllm.data.card import data_card, markdown_table, render_card
from microllm.data.diverse.build import SOURCE, build_diverse, parse_template
from microllm.data.io import write_jsonl
from microllm.data.pools import SPLITS

TEMPLATES_SOURCE = "templates"


def build_for_config(cfg) -> tuple[dict[str, list[dict]], dict]:
    """``(splits, report)`` for a config whose ``generator`` is ``diverse`` or ``mixed``."""
    if cfg.generator == "diverse":
        splits, report = build_diverse(cfg.seed, cfg.scale)
        return splits, {"generator": "diverse", **report}
    if cfg.generator != "mixed":
        raise ValueError(f"build_for_config builds diverse and mixed datasets, not {cfg.generator!r}")
    from microllm.data.generate import build_dataset

    templates = build_dataset(cfg.seed, cfg.scale, cfg.fresh)
    diverse, report = build_diverse(cfg.seed, cfg.scale)
    n = len(templates["train"])
    k = min(round(cfg.diverse_share * n), len(diverse["train"]))
    train = [{**r, "source": TEMPLATES_SOURCE} for r in templates["train"][: n - k]] + diverse["train"][:k]
    random.Random(f"microllm-mixed:{cfg.seed}:train").shuffle(train)
    splits = {
        "train": train,
        "val": [{**r, "source": TEMPLATES_SOURCE} for r in templates["val"]] + diverse["val"],
        "test": [{**r, "source": TEMPLATES_SOURCE} for r in templates["test"]],
    }
    return splits, {"generator": "mixed", "diverse_share": cfg.diverse_share, "diverse_train_rows": k, **report}


def diverse_card(splits: dict[str, list[dict]], report: dict) -> dict:
    """The data card (:func:`microllm.data.card.data_card`) plus rows per genre and per action x genre, the
    held-out compositions, rows per source and what each contract filter dropped."""
    names = [s for s in SPLITS if s in splits]
    by_genre: dict[str, Counter] = defaultdict(Counter)
    by_action_genre: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    by_source: dict[str, Counter] = defaultdict(Counter)
    for s in names:
        for r in splits[s]:
            by_source[r.get("source", TEMPLATES_SOURCE)][s] += 1
            if r.get("source") == SOURCE:
                _, genre, _ = parse_template(r["template"])
                by_genre[genre][s] += 1
                by_action_genre[r["action"]][genre][s] += 1
    return {
        **data_card(splits),
        "generator": report.get("generator", "diverse"),
        "rows_by_source": {src: {s: c[s] for s in names} for src, c in sorted(by_source.items())},
        "rows_by_genre": {gen: {s: c[s] for s in names} for gen, c in sorted(by_genre.items())},
        "rows_by_action_genre": {
            a: {gen: {s: c[s] for s in names} for gen, c in sorted(gs.items())} for a, gs in by_action_genre.items()
        },
        "held_out_compositions": report.get("held_out", {}),
        "contract_dropped": report.get("contract_dropped", {}),
        "redrawn": report.get("redrawn", {}),
        **({"diverse_share": report["diverse_share"]} if "diverse_share" in report else {}),
    }


def render_diverse_card(card: dict) -> str:
    """The card as Markdown: the template card's tables plus the diverse generator's."""
    names = [s for s in card["rows"] if s != "total"]
    body = render_card(card).split("\n## Rows per category", 1)[1]
    out = [
        f"# Dataset card ({card['generator']} generator)",
        "",
        "Requests composed by `microllm.data.diverse` (phrase grammars per action x genre x wrapper, realistic value "
        "pools split by hash); val holds out whole (action, genre) compositions and unseen values. Every gold passed "
        "`microllm.schema.validate_intent` and every copied value occurs in its request.",
        "",
        "## Contract filters",
        "",
        "Rows dropped because their normalised input is a hidden evaluation input, a dev input, a val-real input or "
        "a template test input (`microllm.data.contract`):",
        "",
    ]
    dropped = card["contract_dropped"]
    filters = sorted({f for d in dropped.values() for f in d})
    out += [markdown_table(["split", *filters], [[s] + [dropped[s].get(f, 0) for f in filters] for s in dropped]), ""]
    out += [
        "## Rows per source",
        "",
        markdown_table(
            ["source", *names], [[src] + [c[s] for s in names] for src, c in card["rows_by_source"].items()]
        ),
    ]
    out += [
        "",
        "## Rows per genre",
        "",
        markdown_table(["genre", *names], [[gen] + [c[s] for s in names] for gen, c in card["rows_by_genre"].items()]),
    ]
    out += ["", "## Rows per action and genre", "", "Cells are `train/val`; held-out compositions are val only.", ""]
    genres = list(card["rows_by_genre"])
    rows = []
    for action, gs in card["rows_by_action_genre"].items():
        rows.append([action] + ["/".join(str(gs[gen][s]) for s in names) if gen in gs else "-" for gen in genres])
    out += [markdown_table(["action", *genres], rows), "", "## Rows per category" + body]
    return "\n".join(out)


def write_built(
    splits: dict[str, list[dict]], report: dict, out_dir: str | Path, only: list[str] | None = None
) -> dict[str, str]:
    """Write one JSONL file per split (``only`` of them, default all) plus ``card.json`` / ``card.md``."""
    out = Path(out_dir)
    unknown = set(only or ()) - set(splits)
    if unknown:
        raise ValueError(f"no split(s) {sorted(unknown)} in this dataset; it has {sorted(splits)}")
    paths = {s: write_jsonl(rows, out / f"{s}.jsonl") for s, rows in splits.items() if only is None or s in only}
    card = {**diverse_card(splits, report), "written_splits": sorted(paths)}
    (out / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "card.md").write_text(render_diverse_card(card), encoding="utf-8")
    return {**paths, "card_json": str(out / "card.json"), "card_md": str(out / "card.md")}
