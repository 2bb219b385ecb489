"""Paraphrase augmentation: train-split requests reworded by a general model, each kept only if its gold still holds.

The fine-tuned micro model scores about 0.8 on the synthetic val split's held-out templates: the phrasings it never
saw are where it fails, on the human-written dev set too. Templates are written by hand and a hand only writes so
many. Here a general model (any llama.cpp GGUF; the A/B's Qwen2.5-Coder-1.5B by default) rewords sampled rows of
a *train* split, and a row's gold intent is kept unchanged, so each rewording must pass
:func:`microllm.data.paraphrase_check.check_paraphrase`. Every rejection is counted by reason in the card, never
dropped silently. Files are read under the evaluation contract (:mod:`microllm.data.contract`): the source in the
training role (its rewordings are trained on), earlier outputs in the validation role (only excluded); held-out files
are refused, rows whose input is held out are dropped and counted in the card; val and test templates are never
shown to the model.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from microllm.data.contract import filter_rows, read_rows
from microllm.data.io import read_jsonl, write_jsonl
from microllm.data.paraphrase_check import check_paraphrase, clean

SYSTEM = "You reword requests that system administrators type into an automation tool."
ASK = ("Reword this request as {style}, the way a different administrator might type it: other words and another "
       "sentence structure, the same meaning. Copy every name, address, number, path and password exactly as "
       "written. Reply with the reworded request only, on one line.\n\nRequest: {request}")  # fmt: skip
# One per row, drawn with the row's seed: without them a model rewords every request the same few ways.
STYLES = ("a short imperative command", "a polite request in a full sentence", "a question asking for it to be done",
          "a casual chat message to a colleague", "a line from a helpdesk ticket", "a terse note of a few words",
          "a request that gives the reason first")  # fmt: skip


@dataclass
class ParaphraseConfig:
    """Which rows to reword, by which model, and where the accepted rows and their card go."""

    model: str = "qwen2.5-coder-1.5b"  # a catalog key or a GGUF path
    source: str = "data/synthetic-v3/train.jsonl"
    out_dir: str = "data/paraphrase-v1"
    n_rows: int = 1000  # source rows sampled (one rewording each), spread over the categories below
    categories: list[str] = field(default_factory=lambda: ["dns", "users", "samba", "mail", "pki", "firewall",
                                                           "network", "multi"])  # fmt: skip
    temperature: float = 0.8
    top_p: float = 0.95
    max_tokens: int = 96
    seed: int = 0
    n_threads: int | None = None
    time_limit_s: float | None = None  # stop sampling new rows after this long (the card says so); None = all
    # Earlier paraphrase files: their source rows are not reworded again and their rewordings count as known, so a
    # second file adds new rows rather than other words for the same ones.
    exclude_files: list[str] = field(default_factory=list)


def sample_rows(rows: list[dict], categories: list[str], n: int, seed: int) -> list[dict]:
    """``n`` rows of the given categories, shuffled with ``seed``, taken round-robin over the source templates so
    that every template is reworded before any is reworded twice."""
    rng = random.Random(seed)
    by_template: dict[str, list[dict]] = {}
    for row in rows:
        if row["category"] in categories:
            by_template.setdefault(row["template"], []).append(row)
    queues = list(by_template.values())
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)
    out: list[dict] = []
    while len(out) < n and any(queues):
        for queue in queues:
            if queue and len(out) < n:
                out.append(queue.pop())
    return out


def _chat(llm, request: str, cfg: ParaphraseConfig, seed: int) -> str:
    ask = ASK.format(style=random.Random(seed).choice(STYLES), request=request)
    reply = llm.create_chat_completion(
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}],
        temperature=cfg.temperature, top_p=cfg.top_p, max_tokens=cfg.max_tokens, seed=seed)  # fmt: skip
    return reply["choices"][0]["message"]["content"] or ""


def paraphrase_rows(
    rows: list[dict], generate, cfg: ParaphraseConfig, known: set[str] | None = None
) -> tuple[list[dict], Counter]:
    """Reword each row with ``generate(request, seed) -> str``; the accepted rows, and a count of every outcome.
    A rewording equal (case aside) to one of ``known`` (the source file's requests) or to an earlier one is a
    ``duplicate``; one whose normalised input is a hidden-evaluation or dev input is ``held_out_input`` (the rows
    are trained on, and the evaluation contract keeps held-out inputs out of every training file)."""
    accepted, outcomes = [], Counter()
    known = {t.strip().lower() for t in known or ()} | {r["input"].strip().lower() for r in rows}
    start = time.monotonic()
    for i, row in enumerate(rows):
        if cfg.time_limit_s is not None and time.monotonic() - start > cfg.time_limit_s:
            outcomes["not_reached"] += len(rows) - i
            break
        try:
            text = clean(generate(row["input"], cfg.seed + i))
        except Exception as exc:  # a failed call is one counted outcome, never the end of the batch
            outcomes[f"error:{type(exc).__name__}"] += 1
            continue
        reason = check_paraphrase(row["input"], text, row["output"])
        if reason is None and text.lower() in known:
            reason = "duplicate"
        if reason is None and not filter_rows([{"input": text}])[0]:
            reason = "held_out_input"
        outcomes[reason or "accepted"] += 1
        if reason is None:
            known.add(text.lower())
            accepted.append({**row, "id": f"para-{row['id']}", "template": f"{row['template']}.para",
                             "input": text, "source_id": row["id"]})  # fmt: skip
    return accepted, outcomes


def build_paraphrases(cfg: ParaphraseConfig) -> dict:
    """Reword ``cfg.n_rows`` train rows with the model; write ``out_dir/train.jsonl`` and ``out_dir/card.json``."""
    from llama_cpp import Llama

    from microllm.models.resolve import resolve_model
    from microllm.provenance import file_sha256, provenance

    source = Path(cfg.source)
    # Training role: every accepted rewording keeps its source row's gold and is trained on, so the source is a
    # training file (test, dev and val-real refused).
    everything, dropped = read_rows(source, "train")
    # Validation role: earlier outputs only decide what is not reworded again and which rewordings are duplicates;
    # nothing of theirs is written, so any file a validation reader may read qualifies.
    earlier, dropped_earlier = [], {}
    for f in cfg.exclude_files:
        kept, dropped_earlier[str(f)] = read_rows(f, "val")
        earlier += kept
    done = {r["source_id"] for r in earlier if "source_id" in r}
    rows = sample_rows([r for r in everything if r["id"] not in done], cfg.categories, cfg.n_rows, cfg.seed)
    model = resolve_model(cfg.model)
    threads = cfg.n_threads or 2
    llm = Llama(model_path=str(model.path), n_ctx=1024, n_threads=threads, n_threads_batch=threads, seed=cfg.seed,
                verbose=False)  # fmt: skip
    start = time.monotonic()
    accepted, outcomes = paraphrase_rows(
        rows, lambda text, seed: _chat(llm, text, cfg, seed), cfg, known={r["input"] for r in everything + earlier}
    )
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(accepted, out / "train.jsonl")
    per_category = Counter(r["category"] for r in accepted)
    card = {"config": asdict(cfg), "model_path": str(model.path), "model_sha256": file_sha256(model.path),
            "source_sha256": file_sha256(source), "excluded_source_rows": len(done), "sampled": len(rows),
            "contract_dropped": {"source": dropped, "exclude_files": dropped_earlier},
            "accepted": len(accepted),
            "outcomes": dict(outcomes.most_common()), "accepted_per_category": dict(sorted(per_category.items())),
            "seconds": round(time.monotonic() - start, 1), "provenance": provenance({"source": source})}  # fmt: skip
    (out / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    return card


def outcomes_table(card_path: str | Path):
    """A paraphrase card's outcomes: every sampled row's fate (accepted or the first check it failed), with shares."""
    import pandas as pd

    card = json.loads(Path(card_path).read_text())
    counts = pd.Series(card["outcomes"], name="rows")
    return pd.DataFrame({"rows": counts, "share": (counts / card["sampled"]).round(3)}).rename_axis("outcome")


def pairs_table(paraphrase_file: str | Path, source_file: str | Path, n: int = 8, seed: int = 0):
    """``n`` accepted rewordings beside the train requests they came from (a seeded sample, one per category first)."""
    import pandas as pd

    from microllm.train.data import subsample

    source = {r["id"]: r["input"] for r in read_jsonl(source_file)}
    rows = subsample(read_jsonl(paraphrase_file), n, seed)
    return pd.DataFrame([{"category": r["category"], "train request": source[r["source_id"]], "reworded": r["input"]}
                         for r in rows])  # fmt: skip
