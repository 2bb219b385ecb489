"""The model side of :func:`microllm.decode.engine.decode`: llama.cpp and transformers, through public APIs only.

Both keep the last prompt in their cache and reuse its longest common prefix with the next one (the system prompt
and few-shot examples), and evaluate a list of tokens in one forward pass.
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
    """A ``llama_cpp.Llama`` driven through its public API: ``eval``, ``n_tokens``, ``input_ids`` and the C API's
    ``llama_get_logits_ith`` on ``Llama.ctx``."""

    def __init__(self, llm):
        import llama_cpp

        self._lib = llama_cpp
        self.llm = llm
        self.n_vocab = llm.n_vocab()
        self.vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self.reused = 0

    def _logits(self) -> np.ndarray:
        ptr = self._lib.llama_get_logits_ith(self.llm.ctx, -1)
        return np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).copy()

    def prefill(self, tokens: list[int]) -> np.ndarray:
        """Evaluate ``tokens`` after the longest prefix the context already holds."""
        cached = self.llm.input_ids[: self.llm.n_tokens].tolist()
        keep = common_prefix(cached, tokens)
        self.reused = keep
        self.llm.n_tokens = keep  # Llama.eval drops the KV cells past n_tokens before it decodes
        self.llm.eval(tokens[keep:])
        return self._logits()

    def extend(self, tokens: list[int]) -> np.ndarray:
        """Append ``tokens`` in one batch."""
        self.llm.eval(tokens)
        return self._logits()

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

    def _forward(self, tokens: list[int]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            ids = torch.tensor([tokens], dtype=torch.long, device=self.model.device)
            out = self.model(input_ids=ids, cache=self.cache, use_cache=True)
        self.cache = out.cache
        self.cached += tokens
        return out.logits[0, -1].float().cpu().numpy()

    def prefill(self, tokens: list[int]) -> np.ndarray:
        """Evaluate ``tokens`` after the longest prefix the cache already holds."""
        keep = common_prefix(self.cached, tokens) if self.cache is not None else 0
        if keep and keep < len(self.cached):
            try:
                self.cache.crop(keep - len(self.cached))  # a negative count: the tokens to drop from the end
            except (RuntimeError, ValueError):
                keep = 0  # a sliding-window layer past its window cannot roll back: start over
        if keep == 0:
            self.cache = None
        self.reused = keep
        self.cached = self.cached[:keep]
        return self._forward(tokens[keep:])

    def extend(self, tokens: list[int]) -> np.ndarray:
        """Append ``tokens`` in one forward pass."""
        return self._forward(tokens)

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
