"""Training examples: synthetic rows -> TRL prompt/completion chat examples, so the loss falls on the answer only.

Each row becomes ``prompt`` = [system?, user = the request] and ``completion`` = [assistant = the gold intent in
the key order the decoding grammar forces]. TRL tokenizes prompt and prompt+completion with the model's chat
template and masks (label -100) every token of the prompt: no `{% generation %}` markers are needed in the template.
"""

from __future__ import annotations

import random
from pathlib import Path

from microllm.data import contract
from microllm.data.contract import HeldOutRowsWarning  # noqa: F401 - re-exported: the warning load_rows issues
from microllm.prompts import ordered_json, system_prompt

SHORT_SYSTEM_PROMPT = "Turn the administrator's request into one JSON intent."

# For base models that ship no chat template (the Gemma 3 270M GGUF): the llama.cpp backend's plain
# "Request:/Intent:" format, plus BOS (Gemma needs it; apply_chat_template adds no special tokens) and EOS after the
# answer (so the model learns to stop). The generation prompt ends in a newline, a token boundary: with "Intent: "
# the tokenizer merges the space into " {" when the answer follows, so inference would end the prompt on a lone space
# token that training never shows.
PLAIN_CHAT_TEMPLATE = (
    "{{ bos_token or '' }}{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] }}\n\n"
    "{% elif m['role'] == 'user' %}Request: {{ m['content'] }}\n"
    "{% else %}Intent:\n{{ m['content'] }}{{ eos_token }}\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}Intent:\n{% endif %}"
)


def finetune_system_prompt(style: str) -> str | None:
    """The system message a fine-tuned model is trained (and must be prompted) with: "short", "none" or "full"."""
    if style == "none":
        return None
    if style == "short":
        return SHORT_SYSTEM_PROMPT
    if style == "full":
        return system_prompt()
    raise ValueError(f"unknown system prompt style {style!r}: short, none or full")


def finetune_messages(query: str, style: str = "short") -> list[dict]:
    """The prompt messages of one request, exactly as in training: what a predictor of the fine-tuned model sends."""
    system = finetune_system_prompt(style)
    return ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": query}]


def to_example(row: dict, style: str = "short") -> dict:
    """One gold row -> a conversational prompt/completion example (TRL's format for completion-only loss)."""
    return {
        "prompt": finetune_messages(row["input"], style),
        "completion": [{"role": "assistant", "content": ordered_json(row["output"])}],
    }


def subsample(rows: list[dict], n: int | None, seed: int = 0) -> list[dict]:
    """``n`` rows fixed by ``seed`` that keep every category (when ``n`` allows), in file order (all rows when ``n`` is
    None or larger).

    One row of each category is taken first, then the rest in a seeded shuffled order, so the sample is as random as
    possible while no category disappears; and for one seed, a smaller sample is a subset of a larger one (the
    learning curve adds data rather than redrawing it).
    """
    if n is None or n >= len(rows):
        return list(rows)
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    chosen: list[int] = []
    seen: set[str] = set()
    for i in order:  # the first row of each category in the shuffled order
        category = rows[i].get("category") or rows[i]["output"]["action"]
        if category not in seen:
            seen.add(category)
            chosen.append(i)
    taken = set(chosen)
    chosen = chosen[:n] + [i for i in order if i not in taken][: max(0, n - len(chosen))]
    return [rows[i] for i in sorted(chosen)]


def load_rows(path: str | Path, max_examples: int | None = None, seed: int = 0, role: str = "train") -> list[dict]:
    """Gold rows of a training (``role="train"``) or validation (``role="val"``) file under the evaluation contract
    (:mod:`microllm.data.contract`: test, dev and, for training, val-real files refused; rows whose input is a
    hidden-evaluation or dev input dropped, with a :class:`HeldOutRowsWarning` counting them), subsampled to
    ``max_examples``."""
    path = contract.check_readable(path, role)  # refused by name before a missing file is reported
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `microllm data build`")
    return subsample(contract.read_rows_and_warn(path, role), max_examples, seed)


def load_train_rows(
    train_file: str | Path,
    extra_files: list[str] | tuple = (),
    max_examples: int | None = None,
    seed: int = 0,
    extra_max_examples: int | None = None,
    more_files: list[str] | tuple = (),
    more_whole: bool = False,
) -> list[dict]:
    """The training rows of ``train_file``, of each of ``more_files`` and then of each extra file (every file refused
    if held out), subsampled as one; the extra files' rows first subsampled together to ``extra_max_examples`` (a
    replay sample). ``more_whole``: ``max_examples`` subsamples the others only, and every row of ``more_files``
    comes on top (rows added to a fixed-size sample)."""
    extra = subsample([row for path in extra_files for row in load_rows(path)], extra_max_examples, seed)
    more = [row for path in more_files for row in load_rows(path)]
    if more_whole:
        return [*subsample([*load_rows(train_file), *extra], max_examples, seed), *more]
    return subsample([*load_rows(train_file), *more, *extra], max_examples, seed)


def data_files(cfg) -> dict[str, str]:
    """Every data file the run reads, by role (for provenance)."""
    more = {f"train_more_{i}": path for i, path in enumerate(cfg.more_train_files, 1)}
    extra = {f"train_extra_{i}": path for i, path in enumerate(cfg.extra_train_files, 1)}
    return {"train": cfg.train_file, **more, **extra, **({"val": cfg.val_file} if cfg.val_file else {})}


def build_dataset(rows: list[dict], style: str = "short"):
    """A `datasets.Dataset` of prompt/completion examples for TRL's SFTTrainer."""
    from datasets import Dataset

    return Dataset.from_list([to_example(row, style) for row in rows])


def ensure_chat_template(tokenizer) -> bool:
    """Give a tokenizer without a chat template the plain one (saved with the model, so inference renders the same
    text); True when one was added."""
    if getattr(tokenizer, "chat_template", None):
        return False
    tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    return True
