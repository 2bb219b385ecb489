"""Vocabulary trimming: a GGUF that keeps only the tokens this job can use, with its embedding rows cut to match.

Gemma 3's vocabulary has 262,144 tokens for 140 languages. Its embedding, tied to the output head, is 168M of the
270M model's weights, and scoring every token is most of a decoding step's arithmetic on a CPU. The requests and
intents here are admin text, mostly English and ASCII. Kept: the special and byte-fallback tokens, the ``top_k``
earliest-merged normal tokens (the most frequent pieces; merge order means each piece's parts come before it),
every token the training corpus tokenizes to, each kept word's spellings with and without a leading space and a
capital (answers copy request words), and the pieces all of these can be merged from. Ids are renumbered; a
word whose piece was dropped is split into smaller kept pieces (bytes at worst), and the model can no longer emit a
dropped token. What that costs is measured, not assumed: ``tokenization_changes`` and the compare runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np

NORMAL, CONTROL, USER_DEFINED, BYTE = 1, 3, 4, 6  # llama.cpp token types
SPACE = "\u2581"  # SentencePiece's word-start mark
BPE_SPACE = "\u0120"  # byte-level BPE's (GPT-2, Qwen, SmolLM2): the space byte drawn as "Ġ"


def read_vocab(path: str | Path) -> tuple[list[str], np.ndarray]:
    """A GGUF's token strings and token types."""
    import gguf

    fields = gguf.GGUFReader(str(path)).fields
    return fields["tokenizer.ggml.tokens"].contents(), np.asarray(fields["tokenizer.ggml.token_type"].contents())


def select_tokens(tokens: list[str], types: np.ndarray, used: Iterable[int], top_k: int) -> list[int]:
    """Old ids to keep, ascending: specials (but not Gemma's thousands of ``<unusedN>``), bytes, the first
    ``top_k`` normal tokens, every ``used`` token and every piece a used token can be split into."""
    index = {t: i for i, t in enumerate(tokens)}
    keep = {i for i, (t, k) in enumerate(zip(tokens, types, strict=True))
            if k in (USER_DEFINED, BYTE) or (k == CONTROL and not t.startswith("<unused"))}  # fmt: skip
    keep |= set(np.flatnonzero(types == NORMAL)[:top_k].tolist())
    if not (types == BYTE).any():  # byte-level BPE: its one-character tokens are the alphabet every text is made of
        keep |= {i for i, t in enumerate(tokens) if len(t) == 1}

    @cache
    def parts(text: str) -> frozenset[int]:
        # The tokenizer builds a token by merging two smaller tokens: keep every split that exists, all the way down.
        found = {index[text]} if text in index else set()
        for cut in range(1, len(text)):
            left, right = text[:cut], text[cut:]
            if left in index and right in index:
                found |= parts(left) | parts(right)
        return frozenset(found)

    for tok in set(used):
        keep |= parts(tokens[tok])
    # Answers copy words out of requests: `` Vault`` in a request is written ``vault`` in an intent, a different
    # token. Keep each kept word's forms with and without the leading space, lower-cased and capitalized.
    for tok in [i for i in keep if types[i] == NORMAL]:
        for form in _forms(tokens[tok]):
            if form in index:
                keep |= parts(form)
    return sorted(keep)


def _forms(text: str) -> set[str]:
    mark = BPE_SPACE if text.startswith(BPE_SPACE) else SPACE  # lower-casing "Ġ" would make another byte ("ġ")
    bare = text.lstrip(mark)
    cases = {bare, bare.lower(), bare.capitalize()}
    return cases | {mark + c for c in cases}


def trim_gguf(src: str | Path, dst: str | Path, keep: list[int]) -> dict:
    """Write ``dst``: ``src`` with only the ``keep`` tokens (ascending old ids) in its tokenizer and embedding."""
    import gguf

    reader = gguf.GGUFReader(str(src))
    arch = reader.fields["general.architecture"].contents()
    remap = {old: new for new, old in enumerate(keep)}
    writer = gguf.GGUFWriter(str(dst), arch)
    arrays = {"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"}
    names = reader.fields["tokenizer.ggml.tokens"].contents()
    kept = {names[i] for i in keep}
    for field in reader.fields.values():
        if field.name == "general.architecture" or field.name.startswith("GGUF."):
            continue  # written by GGUFWriter itself
        value = field.contents()
        if field.name in arrays:
            value = [value[i] for i in keep]
        elif field.name == "tokenizer.ggml.merges":  # BPE vocabularies: a merge survives if its three tokens do
            value = [m for m in value if (pair := m.split(" ", 1)) and pair[0] in kept and pair[1] in kept
                     and pair[0] + pair[1] in kept]  # fmt: skip
        elif field.name.startswith("tokenizer.ggml.") and field.name.endswith("_token_id"):
            if value not in remap:
                continue  # a special token that was dropped: llama.cpp treats a missing id as none
            value = remap[value]
        sub = field.types[-1] if field.types[0] == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, value, field.types[0], sub_type=sub)
    rows = np.asarray(keep)
    tensors = []
    for t in reader.tensors:
        # One row per token (quantized blocks never cross rows); an untied output head is cut like the embedding.
        data = t.data[rows] if t.name in ("token_embd.weight", "output.weight") else t.data
        tensors.append((t, data))
        writer.add_tensor_info(t.name, data.shape, data.dtype, data.nbytes, t.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for _, data in tensors:
        writer.write_tensor_data(np.ascontiguousarray(data), tensor_endianess=reader.endianess)
    writer.close()
    return {"n_vocab_before": len(reader.fields["tokenizer.ggml.tokens"].data), "n_vocab_after": len(keep),
            "bytes_before": Path(src).stat().st_size, "bytes_after": Path(dst).stat().st_size}  # fmt: skip


def read_corpus(files: Iterable[str | Path]) -> tuple[list[str], dict[str, dict[str, int]]]:
    """The texts of :func:`corpus_texts`, and per file the rows the evaluation contract dropped (for a report)."""
    from microllm.data.contract import read_rows
    from microllm.prompts import ordered_json, system_prompt
    from microllm.train.data import SHORT_SYSTEM_PROMPT

    texts, dropped = [system_prompt(), SHORT_SYSTEM_PROMPT, "Request: ", "Intent:\n"], {}
    for f in files:
        # Training role: the kept vocabulary is fitted to these texts (a held-out request would keep its own
        # pieces and tokenize as in training), so test, dev and val-real are refused like any training file.
        rows, dropped[str(f)] = read_rows(f, "train")
        texts += [t for row in rows for t in (row["input"], ordered_json(row["output"]))]
    return texts, dropped


def corpus_texts(files: Iterable[str | Path]) -> list[str]:
    """The requests and answers (as the models write them) of training files, and the prompt texts around them;
    files are read under the evaluation contract (held-out files refused, rows whose input is held out dropped with
    a :class:`~microllm.data.contract.HeldOutRowsWarning`)."""
    from microllm.data.contract import warn_dropped

    texts, dropped = read_corpus(files)
    for f, counts in dropped.items():
        warn_dropped(f, counts)
    return texts


def trim_model(src: str | Path, dst: str | Path, top_k: int, corpus: list[str], check: str | Path) -> dict:
    """Trim ``src`` to ``dst`` (``top_k`` plus the training corpus's tokens), with its prompt record and sha256;
    reports the vocabulary and size before and after, how many ``check`` inputs now tokenize differently, and the
    rows the evaluation contract dropped from the corpus and the check file."""
    from microllm.data.contract import read_rows
    from microllm.quantize.quant import copy_prompt, write_sha256

    texts, corpus_dropped = read_corpus(corpus)  # both files first: a refused one stops before any work
    # Validation role: the check file only counts the requests the trimmed vocabulary tokenizes differently (a
    # number that may steer top_k, never fitted on), so val or val-real qualify (the configs use the synthetic val
    # split); test and dev stay measurement only.
    check_rows, check_dropped = read_rows(check, "val")
    inputs = [row["input"] for row in check_rows]
    tokens, types = read_vocab(src)
    used = {i for ids in tokenize_all(src, texts) for i in ids}
    keep = select_tokens(tokens, types, used, top_k)
    stats = trim_gguf(src, dst, keep)
    copy_prompt(src, dst)
    write_sha256(dst)
    return {**stats, "top_k": top_k, "corpus": list(corpus),
            "corpus_changed": tokenization_changes(src, dst, keep, texts), "check_file": str(check),
            "check_changed": tokenization_changes(src, dst, keep, inputs), "check_rows": len(inputs),
            "corpus_dropped": corpus_dropped, "check_dropped": check_dropped}  # fmt: skip


def tokenize_all(path: str | Path, texts: Iterable[str]) -> list[list[int]]:
    """Token ids of each text under a GGUF's own tokenizer (vocabulary only: no weights are loaded)."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(path), vocab_only=True, verbose=False)
    return [llm.tokenize(t.encode("utf-8"), add_bos=False, special=True) for t in texts]


def tokenization_changes(src: str | Path, dst: str | Path, keep: list[int], texts: list[str]) -> int:
    """How many ``texts`` the trimmed GGUF tokenizes differently from the original (ids compared after renumbering)."""
    before, after = tokenize_all(src, texts), tokenize_all(dst, texts)
    old = np.asarray(keep)
    return sum(1 for a, b in zip(before, after, strict=True) if a != old[b].tolist())
