"""Zero-shot and few-shot prompts for base models; few-shot examples come from the synthetic train split only."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from microllm.schema import MODEL_BY_ACTION, required_fields

TRAIN_FILE = "data/synthetic/train.jsonl"
PROMPT_FILE = "microllm_prompt.json"  # next to a fine-tuned model: the messages it was trained on


def _action_line(action: str) -> str:
    model = MODEL_BY_ACTION[action]
    req = required_fields(action)
    opt = [f for f in model.model_fields if f not in req and f != "action"]
    return f"- {action}: " + ", ".join(req) + (f" (optional: {', '.join(opt)})" if opt else "")


def system_prompt() -> str:
    """The task description: actions with their fields and the spec's rules, in compact form."""
    actions = "\n".join(_action_line(a) for a in MODEL_BY_ACTION)
    return (
        "You turn a system administrator's request into exactly one JSON object (an intent), nothing else.\n"
        "Actions and their fields:\n" + actions + "\n"
        "- multi: steps (a list of two or more action objects, in the order asked)\n"
        "- clarify: intent (the action meant), missing (sorted list of the required fields not given)\n"
        "- unknown: no fields (questions, troubleshooting, chit-chat, other systems)\n"
        "Rules: omit optional fields that are not stated. DNS names lower-case without a trailing dot; "
        "record_type upper-case (IPv4 -> A, IPv6 -> AAAA). Copy user, group and share names, passwords and paths "
        "exactly. Ports, ttl and days are integers (ttl in seconds). Firewall services lower-case."
    )


@dataclass(frozen=True)
class PromptConfig:
    """How a base model is prompted."""

    style: str = "few-shot"  # "zero-shot" | "few-shot" | "trained" (a fine-tuned model's own format)
    n_shots: int = 12
    seed: int = 0
    train_file: str = TRAIN_FILE
    system: str | None = None  # "trained": the system message used in training (None: there was none)


def pick_shots(train_rows: list[dict], n: int, seed: int = 0) -> list[dict]:
    """n training rows spread over categories (round-robin), fixed by the seed, never looked at per query."""
    rng = random.Random(seed)
    by_cat: dict[str, list[dict]] = {}
    for row in train_rows:
        by_cat.setdefault(row["category"], []).append(row)
    pools = {c: rng.sample(rows, len(rows)) for c, rows in sorted(by_cat.items())}
    shots: list[dict] = []
    while len(shots) < n and any(pools.values()):
        for cat in sorted(pools):
            if pools[cat] and len(shots) < n:
                shots.append(pools[cat].pop())
    return shots


def ordered_json(intent: dict) -> str:
    """Examples are written in the key order the decoding grammar forces, so they never contradict it."""
    from microllm.json_schema import ordered_json as render

    return render(intent)


def build_messages(query: str, cfg: PromptConfig, shots: list[dict] | None = None) -> list[dict]:
    """Chat messages: system, then (user, assistant) example pairs, then the query. The prefix is the same for
    every query, so a backend can reuse its KV cache."""
    if cfg.style == "trained":  # exactly what fine-tuning showed the model: no task description, no examples
        return ([{"role": "system", "content": cfg.system}] if cfg.system else []) + [
            {"role": "user", "content": query}
        ]
    messages = [{"role": "system", "content": system_prompt()}]
    if cfg.style == "few-shot":
        for row in shots or []:
            messages += [{"role": "user", "content": row["input"]},
                         {"role": "assistant", "content": ordered_json(row["output"])}]  # fmt: skip
    elif cfg.style != "zero-shot":
        raise ValueError(f"unknown prompt style {cfg.style!r}: zero-shot, few-shot or trained")
    messages.append({"role": "user", "content": query})
    return messages


def load_shots(cfg: PromptConfig) -> list[dict]:
    """The few-shot examples for a config (empty for zero-shot), drawn from ``cfg.train_file`` read under the
    evaluation contract (test, dev and val-real refused; rows whose input is held out dropped, with a
    :class:`~microllm.data.contract.HeldOutRowsWarning`)."""
    if cfg.style != "few-shot":
        return []
    from microllm.data.contract import check_readable, read_rows_and_warn

    # Training role: the shots are in every prompt, what the model learns the task from in context; shots from dev
    # or test would leak their answers into every score, and from val-real into the scores that select the model.
    path = check_readable(cfg.train_file, "train")
    if not path.exists():
        raise FileNotFoundError(f"few-shot examples come from {path}: run `microllm data build`")
    return pick_shots(read_rows_and_warn(path, "train"), cfg.n_shots, cfg.seed)


def trained_prompt(model_path: str | Path) -> dict | None:
    """The prompt record a fine-tuned model was saved with (``microllm_prompt.json`` in its directory, or next to
    its GGUF), or None for a model this project did not train."""
    path = Path(model_path)
    folder = path.parent if path.suffix == ".gguf" else path
    for candidate in (folder / f"{path.stem}.{PROMPT_FILE}", folder / PROMPT_FILE):
        if candidate.is_file():
            return json.loads(candidate.read_text(encoding="utf-8"))
    return None


def prompt_for_model(
    style: str, model_path: str | Path, n_shots: int = 12, train_file: str = TRAIN_FILE
) -> PromptConfig:
    """The PromptConfig to use with a model: ``auto`` picks the trained format where the model has one (a
    fine-tuned model prompted any other way is being tested on a task format it never saw), else few-shot."""
    if style in ("auto", "trained"):
        record = trained_prompt(model_path)
        if record is not None:
            return PromptConfig(style="trained", system=record.get("system"))
        if style == "trained":
            raise FileNotFoundError(f"{model_path} has no {PROMPT_FILE}: it was not fine-tuned by microllm")
        style = "few-shot"
    return PromptConfig(style=style, n_shots=n_shots, train_file=train_file)
