"""One constrained, grounded greedy decoding loop for every backend, on llguidance.

Per request: the intent JSON Schema, narrowed to the request's values when grounded
(:mod:`microllm.decode.constraints`), is compiled by llguidance (lazily: milliseconds). Then, until the JSON object
closes: the model's logits at the last position give the greedy token among those the grammar allows (llguidance's
token mask); the tokens the grammar then forces (keys, quotes, braces, the rest of a value only one candidate can
finish) are taken from llguidance (``compute_ff_tokens``, which keeps the tokenizer's canonical split) and evaluated
together with the sampled token in one batch, so a forward pass is paid per *decision*, not per token. The model's
own log-probability of each sampled token (before the mask) gives the confidence; forced tokens were no decision.

Drafting: a cheap guess of the whole answer (the rule baseline's intent, written as the model writes intents) is
tokenized, cut where the grammar stops accepting it, and evaluated with the prompt in the same forward pass, keeping
the logits after every drafted token. The loop above then runs unchanged, except that a batch it would evaluate is
looked up among the drafted tokens first: while the model's greedy choices follow the draft no forward pass is paid;
at the first difference the context drops the rest of the draft, and the drafter's next guess from there (given the
answer so far) rides in the pass that evaluates the model's own batch. The answer is the one greedy decoding gives
without a draft (up to the float rounding of a larger batch); only passes fall.

A :class:`Runner` is the model side: ``prefill`` a prompt (reusing whatever prefix it already holds) and ``extend``
it, each returning the logits at the last position (or the last ``rows``), and ``truncate`` what a draft left
behind. :mod:`microllm.decode.runners` has llama.cpp and transformers.
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
    n_past: int

    def prefill(self, tokens: list[int], rows: int = 1) -> np.ndarray:
        """Evaluate the prompt (reusing a cached prefix); the logits after its last token (``rows`` > 1: after each
        of the last ``rows`` tokens, one row each)."""

    def extend(self, tokens: list[int], rows: int = 1) -> np.ndarray:
        """Append ``tokens`` in one forward pass; the logits after the last one (``rows`` as :meth:`prefill`)."""

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` tokens of the context."""


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


def draft_tokens(matcher, answer: list[int], guess: str | None, tokenize, limit: int) -> list[int]:
    """The tokens of a guessed whole answer ``guess`` that follow ``answer`` (the answer's tokens so far), as far as
    the grammar in ``matcher`` (positioned after ``answer``) accepts them, at most ``limit``. Empty when there is no
    guess or its tokens do not begin with ``answer`` (the model already left it, or split a piece differently)."""
    if not guess or tokenize is None:
        return []
    tokens = tokenize(guess)
    if tokens[: len(answer)] != answer:
        return []
    tokens = tokens[len(answer) : len(answer) + limit]
    if matcher is not None and tokens:
        tokens = tokens[: matcher.validate_tokens(tokens)]
    return tokens


def decode(runner: Runner, grammar: Grammar | None, prompt: list[int], request: str, *, ground: bool,
           detokenize, is_end, max_tokens: int = 512, decisions: bool = False,
           action: str | None = None, batch_forced: bool = True, draft=None, tokenize=None) -> Decoded:  # fmt: skip
    """Greedy decoding of one answer (see the module docstring).

    ``grammar`` None decodes freely (stops at an end token or a complete JSON object). ``detokenize(ids) -> bytes``
    and ``is_end(id) -> bool`` come from the backend's tokenizer. ``decisions``: confidence also from the go-on/stop
    tokens (``backends.decoding.confidence``). ``action``: only that operation (a research re-decode).
    ``batch_forced`` False evaluates forced tokens one forward pass each (the same tokens: for measuring).
    ``draft(request, written) -> str | None``: a guess of the whole answer text given the answer ``written`` so
    far, checked in the prompt's forward pass and again with the batch after the model leaves a draft (module
    docstring; :mod:`microllm.decode.drafts`); ``tokenize(text) -> ids`` splits it as the model's tokenizer does."""
    stage = {"grammar": 0.0, "prompt": 0.0, "sampled": 0.0, "forced": 0.0, "mask": 0.0, "draft": 0.0}
    t0 = time.perf_counter()
    matcher, switched = None, not ground
    if grammar is not None:
        matcher = grammar.grounded(request, action) if ground and action else grammar.matcher(action)
        switched = switched or action is not None
    stage["grammar"] = time.perf_counter() - t0
    buf = np.zeros((grammar.n_vocab + 31) // 32 if grammar else 1, dtype=np.int32)

    passes, sampled, forced, accepted, drafted = 1, 0, 0, 0, 0
    pending: list[int] = []  # drafted tokens in the context past the answer, not yet taken
    pending_rows = np.zeros((0, 0), dtype=np.float32)  # the logits after each of them
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

    def guess() -> list[int]:
        """Drafted tokens to follow the answer so far (``draft``'s guess, cut where the grammar refuses it)."""
        nonlocal drafted
        t = time.perf_counter()
        room = max_tokens - len(out_tokens)
        written = text.decode("utf-8", errors="ignore")
        tokens = draft_tokens(matcher, out_tokens, draft(request, written), tokenize, room) if draft else []
        drafted += len(tokens)
        stage["draft"] += time.perf_counter() - t
        return tokens

    def evaluate(batch: list[int], kind: str) -> np.ndarray:
        nonlocal passes, accepted, pending, pending_rows
        t = time.perf_counter()
        if pending:  # the drafted tokens already evaluated: ``batch`` may be among them
            k = 0
            while k < min(len(batch), len(pending)) and batch[k] == pending[k]:
                k += 1
            accepted += k
            if k == len(batch):
                result, pending, pending_rows = pending_rows[k - 1], pending[k:], pending_rows[k:]
                stage[kind] += time.perf_counter() - t
                return result
            runner.truncate(runner.n_past - len(pending) + k)  # the model left the draft: drop the rest of it
            pending, pending_rows, batch = [], pending_rows[:0], batch[k:]
        if batch_forced:
            t_draft = stage["draft"]
            pending = guess()  # a fresh guess from here (e.g. the fields of the operation the model chose)
            rows = runner.extend(batch + pending, rows=len(pending) + 1)
            passes += 1
            stage[kind] += time.perf_counter() - t - (stage["draft"] - t_draft)
            if not pending:
                return rows
            pending_rows = rows[1:]
            return rows[0]
        for tok in batch:
            result = runner.extend([tok])
        passes += len(batch)
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
    pending = guess()
    t = time.perf_counter()
    rows = runner.prefill(prompt + head + pending, rows=len(pending) + 1)
    logits, pending_rows = (rows, pending_rows) if not pending else (rows[0], rows[1:])
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
             "drafted_tokens": drafted, "accepted_tokens": accepted,
             "stage_ms": {k: round(v * 1000, 3) for k, v in stage.items()}}  # fmt: skip
    conf = confidence(pieces, logprobs, decisions)
    return Decoded(raw[:end] if end else raw, conf, out_tokens, usage)
