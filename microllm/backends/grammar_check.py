"""Grammar-constrained greedy decoding for llama.cpp that checks the greedy token first.

llama.cpp's grammar sampler tests every candidate token against the grammar at every step. With Gemma's 262k-token
vocabulary that dominated decoding here (12 tokens/s constrained against 56 free). Under greedy decoding the result is
the same if we first test only the model's own top token and mask the whole vocabulary only when that token is
rejected (the idea behind llama.cpp's own `common_sampler` grammar fast path). A fine-tuned model's top token is
almost always valid, so the full mask is rarely needed.
"""

from __future__ import annotations

import ctypes

import numpy as np


class GreedyGrammar:
    """A llama-cpp-python logits processor: leaves the logits alone when the argmax token is grammatical, else
    applies the grammar to the whole vocabulary. ``accept(token)`` must follow every generated token."""

    def __init__(self, llm, grammar):
        import llama_cpp

        self._lib = llama_cpp
        self._sampler = llama_cpp.llama_sampler_init_grammar(
            llm._model.vocab,  # noqa: SLF001 - the public API exposes the grammar only inside its sampler chain
            grammar._grammar.encode("utf-8"),  # noqa: SLF001
            grammar._root.encode("utf-8"),  # noqa: SLF001
        )
        n_vocab = llm.n_vocab()
        self._full = (llama_cpp.llama_token_data * n_vocab)()
        self._view = np.ctypeslib.as_array(self._full)
        self._view["id"] = np.arange(n_vocab, dtype=np.int32)
        self._one = (llama_cpp.llama_token_data * 1)()
        self.full_masks = 0  # how often the greedy token was rejected (for profiling)
        self.steps = 0

    def _apply(self, data, size: int) -> None:
        arr = self._lib.llama_token_data_array(data=data, size=size, selected=-1, sorted=False)
        self._lib.llama_sampler_apply(self._sampler, ctypes.byref(arr))

    def __call__(self, input_ids, scores: np.ndarray) -> np.ndarray:
        self.steps += 1
        top = int(np.argmax(scores))
        self._one[0].id, self._one[0].logit, self._one[0].p = top, float(scores[top]), 0.0
        self._apply(self._one, 1)
        if np.isfinite(self._one[0].logit):
            return scores  # greedy picks `top`, which the grammar allows: no need to look at the rest
        self.full_masks += 1
        self._view["logit"] = scores
        self._apply(self._full, len(self._view))
        return self._view["logit"].copy()

    def accept(self, token: int) -> None:
        """Advance the grammar past the token the model emitted."""
        self._lib.llama_sampler_accept(self._sampler, token)

    def close(self) -> None:
        if self._sampler is not None:
            self._lib.llama_sampler_free(self._sampler)
            self._sampler = None

    def __del__(self):
        self.close()
