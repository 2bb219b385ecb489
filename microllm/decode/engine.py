"""One constrained, grounded greedy decoding loop for every backend, on llguidance.

Per request: the intent JSON Schema, narrowed to the request's values when grounded
(:mod:`microllm.decode.constraints`), is compiled by llguidance (lazily: milliseconds). Then, until the JSON object
closes: the model's logits at the last position give the greedy token among those the grammar allows (llguidance's
token mask); the tokens the grammar then forces (keys, quotes, braces, the rest of a value only one candidate can
finish) are taken from llguidance (``compute_ff_tokens``, which keeps the tokenizer's canonical split) and evaluated
together with the sampled token in one batch, so a forward pass is paid per *decision*, not per token. The model's
own log-probability of each sampled token (before the mask) gives the confidence; forced tokens were no decision.

A :class:`Runner` is the model side: ``prefill`` a prompt (reusing whatever prefix it already holds) and ``extend``
it, each returning the logits at the last position. :mod:`microllm.decode.runners` has llama.cpp and transformers.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from microllm.backends.decoding import confidence, json_object_end, log_softmax_at
from microllm.decode.constraints import JSON_OPTIONS, grounded_schema, plain_schema


class Runner(Protocol):
    """The model side of decoding (see the module docstring)."""

    n_vocab: int

    def prefill(self, tokens: list[int]) -> np.ndarray:
        """Evaluate the prompt (reusing a cached prefix); the logits after its last token."""

    def extend(self, tokens: list[int]) -> np.ndarray:
        """Append ``tokens`` in one forward pass; the logits after the last one."""


@dataclass
class Decoded:
    """One answer: its text, confidence and what it cost."""

    text: str
    confidence: float
    tokens: list[int]
    usage: dict = field(default_factory=dict)


class Grammar:
    """llguidance over one vocabulary: the matchers of one answer.

    The whole intent schema is compiled once and copied per answer (microseconds). Grounded, the answer switches to
    a grammar of its own as soon as the operation is written (``{"action": "user_add"``): that operation's schema
    narrowed to the request, compiled in about a millisecond (the whole schema narrowed would take ten or more), fed
    the tokens so far. Operations without copied values (clarify, unknown) never switch."""

    def __init__(self, tokenizer, n_vocab: int):
        import llguidance

        self._ll = llguidance
        self.tokenizer = tokenizer
        self.n_vocab = n_vocab
        self._plain: dict[str | None, object] = {}

    def _new(self, schema: dict, action: str | None):
        if action is not None:
            schema["oneOf"] = [{"$ref": f"#/$defs/{action_def(action)}"}]
        grammar = self._ll.LLMatcher.grammar_from_json_schema(json.dumps(schema), defaults=JSON_OPTIONS)
        matcher = self._ll.LLMatcher(self.tokenizer, grammar)
        if matcher.is_error():
            raise ValueError(f"intent grammar does not compile: {matcher.get_error()}")
        return matcher

    def matcher(self, action: str | None = None):
        """A fresh matcher of the plain schema (``action``: that operation only)."""
        if action not in self._plain:
            self._plain[action] = self._new(plain_schema(), action)
        return self._plain[action].deep_copy()

    def grounded(self, request: str, action: str):
        """A fresh matcher of ``action``'s schema narrowed to ``request`` (``multi``: every step's)."""
        return self._new(grounded_schema(request), action)


_ACTION = re.compile(r'^\{"action": "([a-z_]+)"')
# Operations whose schema has no value copied from the request: the plain grammar is all there is.
_UNGROUNDED = frozenset({"clarify", "unknown"})


def action_def(action: str) -> str:
    """The ``$defs`` entry of one operation in the intent schema (``user_add`` -> ``UserAdd``)."""
    return "".join(part.capitalize() for part in action.split("_"))


def _allowed(matcher, n_vocab: int, buf: np.ndarray) -> np.ndarray:
    """The grammar's mask over the vocabulary as booleans (llguidance writes a 32-bit-per-word bitmask)."""
    matcher.unsafe_compute_mask_ptr(buf.ctypes.data, buf.size * buf.itemsize)
    return np.unpackbits(buf.view(np.uint8), bitorder="little")[:n_vocab].astype(bool)


def decode(runner: Runner, grammar: Grammar | None, prompt: list[int], request: str, *, ground: bool,
           detokenize, is_end, max_tokens: int = 512, decisions: bool = False,
           action: str | None = None, batch_forced: bool = True) -> Decoded:  # fmt: skip
    """Greedy decoding of one answer (see the module docstring).

    ``grammar`` None decodes freely (stops at an end token or a complete JSON object). ``detokenize(ids) -> bytes``
    and ``is_end(id) -> bool`` come from the backend's tokenizer. ``decisions``: confidence also from the go-on/stop
    tokens (``backends.decoding.confidence``). ``action``: only that operation (a research re-decode).
    ``batch_forced`` False evaluates forced tokens one forward pass each (the same tokens: for measuring)."""
    stage = {"grammar": 0.0, "prompt": 0.0, "sampled": 0.0, "forced": 0.0, "mask": 0.0}
    t0 = time.perf_counter()
    matcher, switched = None, not ground
    if grammar is not None:
        matcher = grammar.grounded(request, action) if ground and action else grammar.matcher(action)
        switched = switched or action is not None
    stage["grammar"] = time.perf_counter() - t0
    buf = np.zeros((grammar.n_vocab + 31) // 32 if grammar else 1, dtype=np.int32)

    passes, sampled, forced = 1, 0, 0
    out_tokens: list[int] = []
    pieces: list[str] = []
    logprobs: list[float | None] = []
    text = bytearray()

    def take(tok: int, lp: float | None) -> bool:
        """Append one answer token; True when the answer is complete."""
        piece = detokenize([tok])
        out_tokens.append(tok)
        text.extend(piece)
        pieces.append(piece.decode("utf-8", errors="replace"))
        logprobs.append(lp)
        return b"}" in piece and json_object_end(text.decode("utf-8", errors="ignore")) is not None

    def evaluate(batch: list[int], kind: str) -> np.ndarray:
        nonlocal passes
        t = time.perf_counter()
        chunks = [batch] if batch_forced else [[tok] for tok in batch]
        for chunk in chunks:
            result = runner.extend(chunk)
        passes += len(chunks)
        stage[kind] += time.perf_counter() - t
        return result

    def force(m, batch: list[int]) -> bool:
        """Take the tokens ``m`` forces now into the answer and ``batch``; True when they complete the answer."""
        nonlocal forced
        ff = m.compute_ff_tokens()[: max_tokens - len(out_tokens)]
        if ff:
            m.consume_tokens(ff)
        for tok in ff:
            forced += 1
            batch.append(tok)
            if take(tok, None):
                return True
        return False

    # The forced opening ('{"action": "') is evaluated with the prompt, in the same forward pass.
    head: list[int] = []
    if matcher is not None and force(matcher, head):
        raise ValueError("the grammar forces a whole answer: there is nothing to decode")
    t = time.perf_counter()
    logits = runner.prefill(prompt + head)
    stage["prompt"] = time.perf_counter() - t
    while len(out_tokens) < max_tokens:
        t = time.perf_counter()
        top = int(np.argmax(logits))
        # The model's own top token is almost always grammatical: test it alone before masking the vocabulary.
        if matcher is not None and (top >= grammar.n_vocab or matcher.validate_tokens([top]) != 1):
            allowed = np.zeros(len(logits), dtype=bool)  # a tokenizer and its model may count the vocabulary apart
            mask = _allowed(matcher, grammar.n_vocab, buf)[: len(logits)]
            allowed[: len(mask)] = mask
            masked = np.where(allowed, logits, -np.inf)
            top = int(np.argmax(masked))
            if not np.isfinite(masked[top]):
                break  # the grammar allows nothing more: the answer is as complete as it gets
        stage["mask"] += time.perf_counter() - t
        if is_end(top):
            break
        sampled += 1
        done = take(top, log_softmax_at(logits, top))
        batch = [top]
        if matcher is not None:
            if not matcher.consume_token(top):
                raise ValueError(f"grammar refused token {top}: {matcher.get_error()}")
            done = done or force(matcher, batch)
            if not switched and not done:  # the operation is written: from here on, its grounded grammar
                written = _ACTION.match(text.decode("utf-8", errors="ignore"))
                if written:
                    switched = True
                    if written.group(1) not in _UNGROUNDED:
                        t = time.perf_counter()
                        matcher = grammar.grounded(request, written.group(1))
                        if not matcher.consume_tokens(out_tokens):
                            raise ValueError(f"grounded grammar refused the answer so far: {matcher.get_error()}")
                        stage["grammar"] += time.perf_counter() - t
                        done = force(matcher, batch)  # what the narrowed grammar forces, e.g. the one port given
        if done:
            break  # the last tokens need no forward pass: nothing follows a complete answer
        logits = evaluate(batch, "forced" if len(batch) > 1 else "sampled")
    raw = text.decode("utf-8", errors="replace")
    end = json_object_end(raw)
    usage = {"prompt_tokens": len(prompt), "completion_tokens": len(out_tokens), "forward_passes": passes,
             "sampled_tokens": sampled, "forced_tokens": forced,
             "stage_ms": {k: round(v * 1000, 3) for k, v in stage.items()}}  # fmt: skip
    conf = confidence(pieces, logprobs, decisions)
    return Decoded(raw[:end] if end else raw, conf, out_tokens, usage)
