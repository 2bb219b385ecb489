"""The model side of :func:`microllm.decode.engine.decode`: llama.cpp and transformers, through public APIs only.

Both keep the last prompt in their cache and reuse its longest common prefix with the next one (the system prompt
and few-shot examples), evaluate a list of tokens in one forward pass (the logits after its last ``rows`` tokens:
a drafted answer is checked in the same pass), and drop what follows a position (a draft the model did not follow).
"""

from __future__ import annotations

import numpy as np


def common_prefix(cached: list[int], tokens: list[int]) -> int:
    """Length of the longest common prefix, at most ``len(tokens) - 1`` (the last token is evaluated again so that
    its logits exist)."""
    n = 0
    for a, b in zip(cached, tokens, strict=False):
        if a != b:
            break
        n += 1
    return min(n, len(tokens) - 1)


class LlamaCppRunner:
    """A ``llama_cpp.Llama`` driven through its public API: ``n_tokens``, ``input_ids``, ``n_batch`` and the C API on
    ``Llama.ctx`` (``llama_decode`` of a batch that asks for the logits of chosen positions, ``llama_get_logits_ith``,
    ``llama_memory_seq_rm``)."""

    def __init__(self, llm):
        import llama_cpp

        self._lib = llama_cpp
        self.llm = llm
        self.n_vocab = llm.n_vocab()
        self.vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self.reused = 0

    @property
    def n_past(self) -> int:
        """Tokens the context holds."""
        return int(self.llm.n_tokens)

    def _eval(self, tokens: list[int], rows: int) -> np.ndarray:
        """Decode ``tokens`` after the context's ``n_tokens`` (``n_batch`` at a time); the logits after each of the
        last ``rows`` tokens, one row each."""
        lib, ctx, n_past = self._lib, self.llm.ctx, self.n_past
        lib.llama_memory_seq_rm(lib.llama_get_memory(ctx), -1, n_past, -1)  # what a dropped draft left behind
        first_row = len(tokens) - rows
        out = []
        for start in range(0, len(tokens), self.llm.n_batch):
            chunk = tokens[start : start + self.llm.n_batch]
            batch = lib.llama_batch_init(len(chunk), 0, 1)
            try:
                for i, token in enumerate(chunk):
                    batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, n_past + start + i, 1
                    batch.seq_id[i][0] = 0
                    batch.logits[i] = start + i >= first_row
                batch.n_tokens = len(chunk)
                if lib.llama_decode(ctx, batch) != 0:
                    raise RuntimeError(f"llama_decode failed on {len(chunk)} tokens at position {n_past + start}")
                for i in range(max(0, first_row - start), len(chunk)):
                    ptr = lib.llama_get_logits_ith(ctx, i)
                    out.append(np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).copy())
            finally:
                lib.llama_batch_free(batch)
        self.llm.input_ids[n_past : n_past + len(tokens)] = tokens
        self.llm.n_tokens = n_past + len(tokens)
        return np.stack(out)

    def prefill(self, tokens: list[int], rows: int = 1) -> np.ndarray:
        """Evaluate ``tokens`` after the longest prefix the context already holds; the logits after the last token
        (``rows`` > 1: after each of the last ``rows``, one row each)."""
        cached = self.llm.input_ids[: self.n_past].tolist()
        keep = min(common_prefix(cached, tokens), len(tokens) - rows)
        self.reused = keep
        self.llm.n_tokens = keep
        logits = self._eval(tokens[keep:], rows)
        return logits[0] if rows == 1 else logits

    def extend(self, tokens: list[int], rows: int = 1) -> np.ndarray:
        """Append ``tokens`` in one batch; logits as :meth:`prefill`."""
        logits = self._eval(tokens, rows)
        return logits[0] if rows == 1 else logits

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` tokens (the next evaluation drops the KV cells past them)."""
        self.llm.n_tokens = min(n, self.n_past)

    def tokenize(self, text: str) -> list[int]:
        """Answer text as tokens (no BOS, special tokens as text)."""
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)

    def is_end(self, token: int) -> bool:
        """End of generation (EOS, end of turn)."""
        return bool(self._lib.llama_vocab_is_eog(self.vocab, token))

    def detokenize(self, tokens: list[int]) -> bytes:
        """The bytes of ``tokens`` (special tokens as empty)."""
        return self.llm.detokenize(tokens)

    def lltokenizer(self):
        """The vocabulary as an llguidance tokenizer (llguidance's own llama.cpp bridge)."""
        import llguidance.llamacpp

        return llguidance.llamacpp.lltokenizer_from_vocab(self.vocab)


class TransformersRunner:
    """A transformers causal LM with its KV cache (``Cache.crop`` drops what follows a reused prefix)."""

    def __init__(self, model, tokenizer, eos_ids: list[int]):
        self.model, self.tokenizer = model, tokenizer
        self.n_vocab = int(model.config.vocab_size)
        self.eos_ids = set(eos_ids)
        self.cache = None
        self.cached: list[int] = []
        self.reused = 0

    @property
    def n_past(self) -> int:
        """Tokens the cache holds."""
        return len(self.cached)

    def _forward(self, tokens: list[int], rows: int = 1) -> np.ndarray:
        import torch

        with torch.inference_mode():
            ids = torch.tensor([tokens], dtype=torch.long, device=self.model.device)
            out = self.model(input_ids=ids, cache=self.cache, use_cache=True)
        self.cache = out.cache
        self.cached += tokens
        logits = out.logits[0, -rows:].float().cpu().numpy()
        return logits[0] if rows == 1 else logits

    def prefill(self, tokens: list[int], rows: int = 1) -> np.ndarray:
        """Evaluate ``tokens`` after the longest prefix the cache already holds; the logits after the last token
        (``rows`` > 1: after each of the last ``rows``, one row each)."""
        keep = min(common_prefix(self.cached, tokens), len(tokens) - rows) if self.cache is not None else 0
        self.truncate(keep)
        self.reused = keep
        return self._forward(tokens[keep:], rows)

    def extend(self, tokens: list[int], rows: int = 1) -> np.ndarray:
        """Append ``tokens`` in one forward pass; logits as :meth:`prefill`."""
        return self._forward(tokens, rows)

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` tokens of the cache (a layer that cannot roll back: evaluated again up to ``n``)."""
        if n >= len(self.cached) or self.cache is None:
            return
        if n == 0:
            self.cache, self.cached = None, []
            return
        try:
            self.cache.crop(n - len(self.cached))  # a negative count: the tokens to drop from the end
            self.cached = self.cached[:n]
        except (RuntimeError, ValueError):  # a sliding-window layer past its window
            tokens, self.cache, self.cached = self.cached[:n], None, []
            self._forward(tokens)

    def tokenize(self, text: str) -> list[int]:
        """Answer text as tokens (no special tokens added)."""
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def is_end(self, token: int) -> bool:
        """End of turn or sequence."""
        return token in self.eos_ids

    def detokenize(self, tokens: list[int]) -> bytes:
        """The text of ``tokens`` as UTF-8 (special tokens dropped)."""
        return self.tokenizer.decode(tokens, skip_special_tokens=True).encode("utf-8")

    def lltokenizer(self):
        """The vocabulary as an llguidance tokenizer (llguidance's transformers bridge)."""
        import llguidance.hf

        # Added tokens (a pad token) can lie past the model's own vocabulary size.
        return llguidance.hf.from_tokenizer(self.tokenizer, n_vocab=max(self.n_vocab, len(self.tokenizer)))
