"""Lossless speculative decoding for llama.cpp without a draft model: n-gram guesses, checked in one batch.

Decoding a 270M model on 2 cores costs one forward pass per token (~42 tokens/s here), while a batch of tokens costs
far less per token (the prompt is evaluated at ~300 tokens/s). Much of an intent can be guessed without the model:
keys and punctuation recur across training answers, and values are copied from the request. So the next few tokens
are guessed from an n-gram table of the training answers and from the prompt itself (prompt lookup decoding), the
guesses are evaluated in one batch, and the longest run that the model's own greedy choice agrees with is kept, plus
the model's token after it. Every token is still the model's greedy choice; in exact arithmetic the answer is the
one-pass-per-token answer (tested on a float32 model). llama.cpp's batched kernels round differently from its
one-token kernels, though, so a near-tied token can flip: on quantized Gemma 7 of 160 dev answers came out
different (notebook 05), as any change of batch size would do.

llama-cpp-python's own ``draft_model`` (``LlamaPromptLookupDecoding``) is not used: it forces ``logits_all``, which
keeps an n_ctx x n_vocab float array (4 GiB for Gemma at n_ctx 4096) and copies every prompt row's logits into it;
this loop asks for logits only at the guessed positions, on the same batch and KV-cache API.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import numpy as np

START = -1  # the context before an answer's first token


class NgramDrafter:
    """Guesses continuations of an answer from a table of training answers and from the prompt.

    ``key`` maps a token to what prompt matching compares (its text without a leading space, so that ``api`` in the
    answer matches `` api`` in the request). A table guess is used when at least ``min_share`` of its context's
    continuations agree and its context is at least as long as the prompt match (or the prompt's guess starts a new
    word, which usually ends the copied value); else the prompt's guess; drafting stops when neither has one.
    """

    def __init__(self, answers: Sequence[Sequence[int]], key: Callable[[int], object] = lambda t: t,
                 text: Callable[[int], object] | None = None, max_n: int = 4, prompt_n: int = 4, max_draft: int = 8,
                 min_share: float = 0.5):  # fmt: skip
        self.max_n, self.prompt_n, self.max_draft, self.min_share = max_n, prompt_n, max_draft, min_share
        self.key, self.text = key, text or key
        counts: dict[tuple[int, ...], Counter] = defaultdict(Counter)
        for answer in answers:
            seq = [START, *answer]
            for i in range(1, len(seq)):
                for n in range(1, min(max_n, i) + 1):
                    counts[tuple(seq[i - n : i])][seq[i]] += 1
        self.table = {}  # context -> (its most common next token, that token's share of the context's continuations)
        for ctx, c in counts.items():
            tok, n = c.most_common(1)[0]
            self.table[ctx] = (tok, n / sum(c.values()))

    def _from_table(self, ctx: list[int]) -> tuple[int, int | None, float]:
        for n in range(min(self.max_n, len(ctx)), 0, -1):
            hit = self.table.get(tuple(ctx[-n:]))
            if hit is not None:
                return n, hit[0], hit[1]
        return 0, None, 0.0

    def _from_prompt(self, prompt_keys: list, prompt: Sequence[int], ctx: list[int]) -> tuple[int, int | None]:
        tail = [self.key(t) for t in ctx[-self.prompt_n :] if t != START]
        for n in range(len(tail), 0, -1):
            want = tail[-n:]
            for j in range(len(prompt_keys) - n - 1, -1, -1):  # the latest occurrence: nearest the request's end
                if prompt_keys[j : j + n] == want:
                    return n, prompt[j + n]
        return 0, None

    def _starts_word(self, tok: int | None) -> bool:
        return tok is not None and self.key(tok) != self.text(tok)

    def draft(self, prompt: Sequence[int], answer: Sequence[int], limit: int | None = None) -> list[int]:
        """Up to ``max_draft`` (or ``limit``) guessed tokens to follow ``answer`` (the tokens generated so far)."""
        prompt_keys = [self.key(t) for t in prompt]
        ctx, out = [START, *answer], []
        for _ in range(min(self.max_draft, self.max_draft if limit is None else limit)):
            tn, ttok, share = self._from_table(ctx)
            pn, ptok = self._from_prompt(prompt_keys, prompt, ctx)
            if ttok is not None and share >= self.min_share and (tn >= pn or self._starts_word(ptok)):
                tok = ttok
            elif ptok is not None:
                tok = ptok
            else:
                break
            out.append(tok)
            ctx.append(tok)
        return out


def drafter_for(llm, train_file: str, max_draft: int = 8) -> NgramDrafter:
    """An n-gram drafter over the training answers (the synthetic train split, never an eval file), written as the
    models were trained to write them (the grammar's key order) and tokenized by ``llm``'s own tokenizer."""
    from microllm.data.io import read_jsonl, refuse_held_out
    from microllm.prompts import ordered_json

    path = refuse_held_out(train_file)
    if not path.exists():
        raise FileNotFoundError(f"draft='ngram' builds its table from {path}: run `microllm data build`")
    answers = [llm.tokenize(ordered_json(r["output"]).encode("utf-8"), add_bos=False) for r in read_jsonl(path)]
    texts: dict[int, bytes] = {}

    def text(tok: int) -> bytes:
        if tok not in texts:
            texts[tok] = llm.detokenize([tok])
        return texts[tok]

    def key(tok: int) -> bytes:  # a request's `` api`` and an answer's ``api`` match
        return text(tok).lstrip(b" ")

    return NgramDrafter(answers, key=key, text=text, max_draft=max_draft)


def _decode(llm, tokens: list[int]) -> None:
    """Evaluate ``tokens`` after the cache with logits at every position (row i: the distribution after token i)."""
    n_past = llm.n_tokens
    llm._batch.set_batch(batch=tokens, n_past=n_past, logits_all=True)  # noqa: SLF001 - no public batch API
    llm._ctx.decode(llm._batch)  # noqa: SLF001
    llm.input_ids[n_past : n_past + len(tokens)] = tokens
    llm.n_tokens = n_past + len(tokens)


def _truncate(llm, keep: int) -> None:
    llm._ctx.kv_cache_seq_rm(-1, keep, -1)  # noqa: SLF001
    llm.n_tokens = keep


def speculative_greedy(llm, prompt: list[int], choose: Callable[[np.ndarray], int],
                       emit: Callable[[int, np.ndarray], bool], drafter: NgramDrafter,
                       max_tokens: int) -> dict:  # fmt: skip
    """Greedy decoding of ``prompt`` with drafts from ``drafter``; returns pass counts.

    ``choose(logits)`` is the greedy token (after any grammar mask) and must not change state; ``emit(token,
    logits)`` takes the token (advancing the grammar) and returns True to stop. The KV cache keeps the longest
    prefix shared with the previous request, as llama-cpp-python's own ``generate`` does.
    """
    n_vocab = llm.n_vocab()

    def row(i: int) -> np.ndarray:
        return np.ctypeslib.as_array(llm._ctx.get_logits_ith(i), shape=(n_vocab,))  # noqa: SLF001

    cached = llm.input_ids[: llm.n_tokens].tolist()
    shared = next((i for i, (a, b) in enumerate(zip(cached, prompt, strict=False)) if a != b),
                  min(len(cached), len(prompt)))  # fmt: skip
    _truncate(llm, min(shared, len(prompt) - 1))  # at least one prompt token is evaluated, for fresh logits
    llm.eval(prompt[llm.n_tokens :])
    stats = {"passes": 1, "drafted": 0, "accepted": 0}
    logits = row(-1)
    tok, answer = choose(logits), []
    if emit(tok, logits):
        return stats
    answer.append(tok)
    while True:
        draft = drafter.draft(prompt, answer, limit=max(0, max_tokens - len(answer) - 1))
        base = llm.n_tokens
        _decode(llm, [tok, *draft])
        stats["passes"] += 1
        stats["drafted"] += len(draft)
        for i in range(len(draft) + 1):
            logits = row(i)
            nxt = choose(logits)
            if i < len(draft) and nxt == draft[i]:
                stats["accepted"] += 1
                answer.append(nxt)
                if emit(nxt, logits):
                    _truncate(llm, base + i + 2)
                    return stats
                continue
            _truncate(llm, base + i + 1)  # drop the rejected guesses from the cache
            tok = nxt
            if emit(tok, logits):
                return stats
            answer.append(tok)
            break
