"""Deterministic synthetic dataset: templates x held-out value pools x light noise, every gold validated."""

from __future__ import annotations

import random
import re

from microllm.data import (
    templates_clarify,
    templates_dns,
    templates_multi,
    templates_samba,
    templates_tier2,
    templates_unknown,
    templates_users,
)
from microllm.data.pools import SPLITS, ValuePool
from microllm.data.split import SHARES, templates_by_split
from microllm.data.templates_base import SLOT, Template, apply_noise, as_clause, render
from microllm.progress import progress
from microllm.schema import ACTIONS, DOMAIN_OF_ACTION, OPERATIONS, IntentError, validate_intent

# Rows per action at scale 1.0, all splits together. Domain totals: dns 1200, users 700,
# samba 600, mail / pki / firewall / network about 200 each, multi 400, clarify 450, unknown 400.
# Clarify and multi got more rows in data v2: on the synthetic val/test splits the first model guessed values
# instead of asking, and multi has the most ways to go wrong (every step must be right).
TARGETS: dict[str, int] = {
    "dns_add": 520,
    "dns_remove": 220,
    "dns_update": 230,
    "dns_lookup": 230,
    "user_add": 120,
    "user_remove": 80,
    "user_set_password": 80,
    "user_add_to_group": 100,
    "user_remove_from_group": 80,
    "user_lock": 60,
    "user_unlock": 60,
    "group_add": 60,
    "group_remove": 60,
    "share_create": 180,
    "share_remove": 110,
    "share_grant_access": 180,
    "share_revoke_access": 130,
    "mail_set_relay": 65,
    "mail_alias_add": 80,
    "mail_alias_remove": 55,
    "cert_create": 90,
    "cert_renew": 60,
    "cert_revoke": 50,
    "fw_allow": 80,
    "fw_deny": 65,
    "fw_remove": 55,
    "net_set_address": 60,
    "net_set_dhcp": 35,
    "net_up": 35,
    "net_down": 35,
    "net_set_nameservers": 45,
    "multi": 400,
    "clarify": 450,
    "unknown": 400,
}
_CHAIN_FAMILY = "multi.chain"
_TRIES = 8


def all_templates() -> list[Template]:
    """Every template of every module, in a stable order; ids are unique."""
    out: list[Template] = []
    for mod in (templates_dns, templates_users, templates_samba, templates_tier2):
        out += mod.templates()
    out += templates_multi.templates() + templates_clarify.templates() + templates_unknown.templates()
    ids = [t.id for t in out]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate template ids")
    return out


def dedup_key(text: str) -> str:
    """Texts equal up to case, spacing and final punctuation count as duplicates."""
    return re.sub(r"\s+", " ", text.lower()).strip().rstrip(".!?")


def _chain(tpl: Template, parts: list[Template], pool: ValuePool, rng: random.Random) -> tuple[str, dict]:
    """Render a chain template: each ``{a}``/``{b}``/``{c}`` becomes one single-action clause."""
    names = SLOT.findall(tpl.text)
    comps = _pick_components(parts, len(names), rng)
    segs, steps, pos = [], [], 0
    for m, comp in zip(SLOT.finditer(tpl.text), comps, strict=True):
        if m.start() > pos:
            segs.append((tpl.text[pos : m.start()], False))
        csegs, gold = render(comp, pool)
        segs += as_clause(csegs, first=m.start() == 0)
        steps.append(gold)
        pos = m.end()
    if pos < len(tpl.text):
        segs.append((tpl.text[pos:], False))
    return apply_noise(segs, rng, tpl.style), {"action": "multi", "steps": steps}


def _pick_components(parts: list[Template], k: int, rng: random.Random) -> list[Template]:
    """k imperative templates, preferring k different domains (multi is mostly cross-domain)."""
    chosen: list[Template] = []
    for _ in range(50):
        t = rng.choice(parts)
        if DOMAIN_OF_ACTION[t.action] not in {DOMAIN_OF_ACTION[c.action] for c in chosen}:
            chosen.append(t)
        if len(chosen) == k:
            return chosen
    return chosen + [rng.choice(parts) for _ in range(k - len(chosen))]


def _chainable(t: Template) -> bool:
    """Imperative single-action templates that read as a clause; an inner "and" would blur steps."""
    return t.action in OPERATIONS and t.style == "imperative" and t.text[0] != "{" and " and " not in t.text


def make_row(tpl: Template, pool: ValuePool, rng: random.Random, parts: list[Template]) -> tuple[str, dict]:
    """One (input text, raw gold) pair from a template; chain templates use ``parts``."""
    if tpl.family == _CHAIN_FAMILY:
        return _chain(tpl, parts, pool, rng)
    segs, gold = render(tpl, pool)
    return apply_noise(segs, rng, tpl.style), gold


def _fill(action, tpls, quota, pool, rng, seen, parts) -> list[dict]:
    """Round-robin over the split's templates of ``action`` until ``quota`` unique rows exist."""
    order = list(tpls)
    rng.shuffle(order)
    # Chains get double weight: generic chaining is most of what multi needs to learn.
    order += [t for t in order if t.family == _CHAIN_FAMILY]
    rows: list[dict] = []
    exhausted: set[str] = set()
    i = 0
    while len(rows) < quota and len(exhausted) < len({t.id for t in order}):
        tpl = order[i % len(order)]
        i += 1
        if tpl.id in exhausted:
            continue
        for _ in range(_TRIES):
            text, gold = make_row(tpl, pool, rng, parts)
            if dedup_key(text) not in seen:
                break
        else:
            exhausted.add(tpl.id)  # slot-free template: its one text is already used
            continue
        try:
            output = _action_first(validate_intent(gold))
        except IntentError as e:
            raise ValueError(f"generator bug: template {tpl.id} gives invalid gold {gold}: {e}") from e
        seen.add(dedup_key(text))
        rows.append({"action": action, "template": tpl.id, "input": text, "output": output})
    return rows


def _action_first(intent: dict) -> dict:
    """Same intent, keys reordered so ``action`` leads (firewall models list it last)."""
    out = {"action": intent["action"], **intent}
    if "steps" in out:
        out["steps"] = [_action_first(s) for s in out["steps"]]
    return out


def quota(action: str, split: str, scale: float = 1.0) -> int:
    """Rows of ``action`` wanted in ``split``: its share of the target, at least one."""
    return max(1, round(TARGETS[action] * scale * SHARES[split]))


def split_rows(split: str, seed: int = 13, scale: float = 1.0, seen: set[str] | None = None,
               templates: list[Template] | None = None, fresh: float = 0.0) -> list[dict]:  # fmt: skip
    """Rows of one split only: its templates and value pools, ``quota(action, split, scale)`` rows per action,
    shuffled. ``seen`` (dedup keys, updated in place) excludes texts already used elsewhere; ``fresh`` is the
    share of made-up names in the train split (:mod:`microllm.data.fresh_values`).

    Besides :func:`build_dataset`, the feedback simulation (microllm.feedback.simulate) draws its request stream
    from here, with the val split's templates (never in train) and another seed."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    seen = set() if seen is None else seen
    tpls = templates if templates is not None else templates_by_split(all_templates())[split]
    pool = ValuePool(split, seed, fresh)
    rng = random.Random(f"microllm-data:{seed}:{split}:rows")
    parts = [t for t in tpls if _chainable(t)]
    rows: list[dict] = []
    for action in ACTIONS:
        mine = [t for t in tpls if t.action == action]
        rows += _fill(action, mine, quota(action, split, scale), pool, rng, seen, parts)
    rng.shuffle(rows)
    return rows


def build_dataset(seed: int = 13, scale: float = 1.0, fresh: float = 0.0) -> dict[str, list[dict]]:
    """Build the train / val / test rows; same seed, scale and ``fresh`` give the same rows. ``fresh`` only
    changes the train split: val and test keep their held-out values."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    per_split = templates_by_split(all_templates())
    seen: set[str] = set()
    out: dict[str, list[dict]] = {}
    for split in progress(SPLITS, desc="data", unit="split"):
        rows = split_rows(split, seed, scale, seen, per_split[split], fresh)
        out[split] = [
            {"id": f"syn-{split}-{i:05d}", "split": split, "category": DOMAIN_OF_ACTION[r["action"]], **r}
            for i, r in enumerate(rows)
        ]
    return out
