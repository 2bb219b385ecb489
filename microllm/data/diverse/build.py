"""Build the diverse dataset: rows per action and split, whole compositions held out, contract filters applied.

A row's template id is ``diverse.<action>.<genre>.<wrapper>``; for ``multi`` the genre is how steps are joined,
for ``clarify`` the genre of the (incomplete) request, for ``unknown`` its kind. :func:`split_of` sends whole
(action, genre) compositions to val: about a fifth of each action's genres, chosen by a hash of the pair, so the
assignment does not depend on the seed and every genre stays in train for most actions. Values are split too
(:mod:`microllm.data.diverse.values`), so val rows pair unseen compositions with unseen values.
"""

from __future__ import annotations

import functools
import hashlib
import random
from collections import Counter
from pathlib import Path

from microllm.data import contract
from microllm.data.contract import filter_rows, normalise_input
from microllm.data.diverse.check import copied_value_problems
from microllm.data.diverse.compose import (
    CLARIFY_GENRES,
    JOINERS,
    MULTI_WRAPS,
    UNKNOWN_KINDS,
    UNKNOWN_WRAPS,
    make_clarify,
    make_multi,
    make_unknown,
)
from microllm.data.diverse.genres import WRAPS_BY_GENRE, Ctx, genres_of, render
from microllm.data.diverse.grammar import text_of
from microllm.data.diverse.slots import gold_of, sample_slots
from microllm.data.diverse.values import SPLITS, DiversePool
from microllm.schema import ACTIONS, DOMAIN_OF_ACTION, IntentError, validate_intent

SHARES = {"train": 0.85, "val": 0.15}
HOLD_OUT = 0.2  # share of each action's genres held out for val
SOURCE = "diverse"
# Rows per action at scale 1.0, train and val together (scale 1.25 gives a train split about the size of the
# template generator's at its scale 1.5). Operations are closer to balanced than the template generator's: its
# DNS-heavy mix follows the hand-written templates, this one follows the genres.
TARGETS: dict[str, int] = {
    "dns_add": 200,
    "dns_remove": 110,
    "dns_update": 130,
    "dns_lookup": 120,
    "user_add": 140,
    "user_remove": 100,
    "user_set_password": 100,
    "user_add_to_group": 120,
    "user_remove_from_group": 90,
    "user_lock": 80,
    "user_unlock": 80,
    "group_add": 80,
    "group_remove": 80,
    "share_create": 140,
    "share_remove": 80,
    "share_grant_access": 130,
    "share_revoke_access": 100,
    "mail_set_relay": 90,
    "mail_alias_add": 90,
    "mail_alias_remove": 70,
    "cert_create": 120,
    "cert_renew": 80,
    "cert_revoke": 70,
    "fw_allow": 130,
    "fw_deny": 100,
    "fw_remove": 90,
    "net_set_address": 110,
    "net_set_dhcp": 70,
    "net_up": 70,
    "net_down": 70,
    "net_set_nameservers": 90,
    "multi": 450,
    "clarify": 450,
    "unknown": 420,
}
_WEIGHT = {
    "plain": 0.45,
    "context": 0.2,
    "remind": 0.1,
    "conditional": 0.14,
    "urgent": 0.08,
    "polite": 0.12,
    "ticket": 0.12,
}
_ATTEMPTS_PER_ROW = 60  # draws of one composition before it counts as exhausted


def compositions(action: str) -> tuple[str, ...]:
    """The genres (joiners for ``multi``, kinds for ``unknown``) that ``action`` is generated in."""
    if action == "multi":
        return JOINERS
    if action == "clarify":
        return CLARIFY_GENRES
    if action == "unknown":
        return UNKNOWN_KINDS
    return genres_of(action)


def wraps_of(action: str, genre: str) -> tuple[str, ...]:
    """The wrappers a composition of ``action`` and ``genre`` can take."""
    if action == "multi":
        return MULTI_WRAPS[genre]
    if action == "unknown":
        return UNKNOWN_WRAPS[genre]
    return WRAPS_BY_GENRE[genre]


def _rank(action: str, genre: str) -> str:
    return hashlib.sha1(f"diverse-split:{action}:{genre}".encode()).hexdigest()


def held_out(action: str) -> tuple[str, ...]:
    """The genres of ``action`` that only the val split has (at least one, about :data:`HOLD_OUT` of them)."""
    genres = compositions(action)
    k = max(1, round(HOLD_OUT * len(genres)))
    return tuple(sorted(sorted(genres, key=lambda x: _rank(action, x))[:k]))


def split_of(action: str, genre: str) -> str:
    """``val`` for a held-out composition of ``action`` and ``genre``, else ``train``."""
    return "val" if genre in held_out(action) else "train"


def template_id(action: str, genre: str, wrap: str) -> str:
    """The template id of a composition: ``diverse.<action>.<genre>.<wrapper>``."""
    return f"diverse.{action}.{genre}.{wrap}"


def parse_template(template: str) -> tuple[str, str, str]:
    """(action, genre, wrapper) of a diverse template id."""
    _, action, genre, wrap = template.split(".")
    return action, genre, wrap


def quota(action: str, split: str, scale: float = 1.0) -> int:
    """Rows of ``action`` wanted in ``split``: its share of the target, at least one."""
    return max(1, round(TARGETS[action] * scale * SHARES[split]))


def _step_ok(split: str, op: str, genre: str) -> bool:
    """Whether a row of ``split`` may say operation ``op`` in ``genre`` inside another composition (a multi step,
    a clarify or cancelled request): train only in train compositions; val anything, since its rows are held out
    by their own composition."""
    return split == "val" or split_of(op, genre) == "train"


def make_request(action: str, genre: str, wrap: str, pool: DiversePool, rng: random.Random, split: str):
    """One (segments, raw gold) of ``action`` in a composition, or None when this draw does not fit."""
    step_ok = functools.partial(_step_ok, split)
    if action == "multi":
        return make_multi(genre, wrap, pool, rng, step_ok)
    if action == "clarify":
        return make_clarify(genre, wrap, pool, rng, step_ok)
    if action == "unknown":
        return make_unknown(genre, wrap, pool, rng, step_ok)
    slots = sample_slots(action, pool, rng)
    allowed = frozenset(x for x in genres_of(action) if step_ok(action, x))
    segs = render(action, genre, slots, rng, Ctx(action, wrap, (), allowed))
    return None if segs is None else (segs, gold_of(action, slots))


def _action_first(intent: dict) -> dict:
    out = {"action": intent["action"], **intent}
    if "steps" in out:
        out["steps"] = [_action_first(s) for s in out["steps"]]
    return out


def contract_blocklists() -> dict[str, frozenset[str]]:
    """Input hashes no diverse row may have besides the contract's hidden and dev lists: the real-text val split
    (it selects models) and the template generator's test split (measurement only)."""
    out = {}
    for name, path in (
        ("val-real", contract.ROOT / "data" / "real" / "val-real.jsonl"),
        ("test", contract.ROOT / "data" / "synthetic" / "test.jsonl"),
    ):
        out[name] = contract.dev_hashes(str(path)) if Path(path).is_file() else frozenset()
    return out


def _blocked_by(row: dict, extra: dict[str, frozenset[str]]) -> str | None:
    """The contract filter that drops ``row`` (hidden, dev, or one of ``extra``), or None."""
    kept, dropped = filter_rows([row])
    if not kept:
        return "hidden" if dropped["hidden"] else "dev"
    for name, hashes in extra.items():
        if not filter_rows([row], hidden=hashes, dev=frozenset())[0]:
            return name
    return None


def _rows(
    action: str,
    split: str,
    n: int,
    pool: DiversePool,
    rng: random.Random,
    seen: set[str],
    extra: dict[str, frozenset[str]],
    stats: Counter,
) -> list[dict]:
    """``n`` unique rows of ``action`` in ``split``'s compositions, round-robin over them so each gets about the
    same number of rows whatever its share of failed draws (fewer rows only if a composition keeps failing)."""
    genres = [x for x in compositions(action) if split_of(action, x) == split]
    rng.shuffle(genres)
    exhausted: set[str] = set()
    rows: list[dict] = []
    i = 0
    while len(rows) < n and len(exhausted) < len(genres):
        genre = genres[i % len(genres)]
        i += 1
        if genre in exhausted:
            continue
        for _ in range(_ATTEMPTS_PER_ROW):
            row = _draw(action, genre, split, pool, rng, seen, extra, stats)
            if row is not None:
                rows.append(row)
                break
        else:
            exhausted.add(genre)
    return rows


def _draw(
    action: str,
    genre: str,
    split: str,
    pool: DiversePool,
    rng: random.Random,
    seen: set[str],
    extra: dict[str, frozenset[str]],
    stats: Counter,
) -> dict | None:
    """One new row of a composition, or None when the draw did not fit, repeats a seen input or is filtered out."""
    wraps = wraps_of(action, genre)
    wrap = rng.choices(wraps, [_WEIGHT[w] for w in wraps])[0]
    made = make_request(action, genre, wrap, pool, rng, split)
    if made is None:
        stats["redrawn"] += 1
        return None
    segs, gold = made
    text = text_of(segs)
    key = normalise_input(text)
    if not key or key in seen:
        stats["duplicate"] += 1
        return None
    seen.add(key)
    try:
        output = _action_first(validate_intent(gold))
    except IntentError as e:
        raise ValueError(f"diverse generator bug: {action}/{genre} gives invalid gold {gold}: {e}") from e
    row = {
        "split": split,
        "category": DOMAIN_OF_ACTION[action],
        "action": action,
        "template": template_id(action, genre, wrap),
        "input": text,
        "output": output,
        "source": SOURCE,
    }
    problems = copied_value_problems(row)
    if problems:
        raise ValueError(f"diverse generator bug: {text!r}: {'; '.join(problems)}")
    blocked = _blocked_by(row, extra)
    if blocked:
        stats["dropped:" + blocked] += 1
        return None
    return row


def build_diverse(seed: int = 13, scale: float = 1.0) -> tuple[dict[str, list[dict]], dict]:
    """The train and val rows, and a report (rows dropped by each contract filter, redraws, held-out genres).

    The same seed and scale give the same rows."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    extra = contract_blocklists()
    seen: set[str] = set()
    splits: dict[str, list[dict]] = {}
    report: dict = {"contract_dropped": {}, "redrawn": {}, "held_out": {a: list(held_out(a)) for a in ACTIONS}}
    for split in SPLITS:
        pool = DiversePool(split, seed)
        stats: Counter = Counter()
        rows: list[dict] = []
        for action in ACTIONS:
            rng = random.Random(f"microllm-diverse:{seed}:{split}:{action}:rows")
            rows += _rows(action, split, quota(action, split, scale), pool, rng, seen, extra, stats)
        random.Random(f"microllm-diverse:{seed}:{split}:shuffle").shuffle(rows)
        splits[split] = [{"id": f"div-{split}-{i:05d}", **r} for i, r in enumerate(rows)]
        names = ("hidden", "dev", *extra)
        report["contract_dropped"][split] = {name: stats["dropped:" + name] for name in names}
        report["redrawn"][split] = {"no_fit": stats["redrawn"], "duplicate": stats["duplicate"]}
    return splits, report
