"""llguidance and xgrammar side by side on the intent schema and one model's vocabulary: how long each takes to build
its tokenizer view, to compile the plain schema, to compile a per-request grounded schema (whole, and narrowed to the
answer's operation as the decoder compiles it), and to compute one token mask while following gold answers token by
token (the choice of engine rests on these numbers).
"""

from __future__ import annotations

import json
import statistics
import time
from importlib import metadata
from pathlib import Path

from microllm.decode.constraints import JSON_OPTIONS, grounded_schema, plain_schema


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _vocab_bytes(llm) -> list[bytes]:
    return [llm.detokenize([i]) for i in range(llm.n_vocab())]


def _one_action(schema: dict, action: str) -> dict:
    """``schema`` narrowed to one operation, as the decoder compiles it once the operation is written."""
    from microllm.decode.engine import action_def

    if action in ("clarify", "unknown", "multi") or action_def(action) in schema["$defs"]:
        schema["oneOf"] = [{"$ref": f"#/$defs/{action_def(action)}"}]
    return schema


def compare_engines(model: str | Path, rows: list[dict], xgrammar_grounded: int = 2) -> dict:
    """Time both engines on ``rows`` (requests with gold intents) with the GGUF ``model``'s vocabulary.

    ``xgrammar_grounded``: how many per-request grounded schemas xgrammar compiles (each takes the better part of a
    second, which is the finding)."""
    import llama_cpp
    import llguidance
    import llguidance.llamacpp
    import numpy as np
    import xgrammar

    from microllm.prompts import ordered_json

    llm = llama_cpp.Llama(model_path=str(model), n_ctx=512, verbose=False, vocab_only=True)
    n_vocab = llm.n_vocab()
    answers = [llm.tokenize(ordered_json(r["output"]).encode(), add_bos=False, special=False) for r in rows]
    out: dict = {"model": str(model), "n_vocab": n_vocab, "rows": len(rows), "tokens": sum(map(len, answers))}

    # llguidance
    t = time.perf_counter()
    tok = llguidance.llamacpp.lltokenizer_from_vocab(llama_cpp.llama_model_get_vocab(llm.model))
    ll = {"tokenizer_ms": _ms(time.perf_counter() - t)}
    t = time.perf_counter()
    plain = llguidance.LLMatcher.grammar_from_json_schema(json.dumps(plain_schema()), defaults=JSON_OPTIONS)
    llguidance.LLMatcher(tok, plain)
    ll["compile_plain_ms"] = _ms(time.perf_counter() - t)
    compile_g, compile_a, masks, ff = [], [], [], 0
    buf = np.zeros((n_vocab + 31) // 32, dtype=np.int32)
    for row, answer in zip(rows, answers, strict=True):
        t = time.perf_counter()
        one = _one_action(grounded_schema(row["input"]), row["output"]["action"])
        llguidance.LLMatcher(tok, llguidance.LLMatcher.grammar_from_json_schema(json.dumps(one), defaults=JSON_OPTIONS))
        compile_a.append(time.perf_counter() - t)
        t = time.perf_counter()
        g = llguidance.LLMatcher.grammar_from_json_schema(json.dumps(grounded_schema(row["input"])),
                                                          defaults=JSON_OPTIONS)  # fmt: skip
        m = llguidance.LLMatcher(tok, g)
        compile_g.append(time.perf_counter() - t)
        for token in answer:
            t = time.perf_counter()
            m.unsafe_compute_mask_ptr(buf.ctypes.data, buf.size * 4)
            masks.append(time.perf_counter() - t)
            ff += len(m.compute_ff_tokens()) > 0
            if not m.consume_token(token):
                break
    ll.update(compile_grounded_median_ms=_ms(statistics.median(compile_g)),
              compile_grounded_action_median_ms=_ms(statistics.median(compile_a)),
              mask_median_ms=_ms(statistics.median(masks)), mask_p95_ms=_ms(float(np.percentile(masks, 95))),
              positions_with_forced_tokens=ff)  # fmt: skip
    out["llguidance"] = {"version": metadata.version("llguidance"), **ll}

    # xgrammar
    t = time.perf_counter()
    info = xgrammar.TokenizerInfo(_vocab_bytes(llm), vocab_type=xgrammar.VocabType.RAW, vocab_size=n_vocab,
                                  stop_token_ids=[llm.token_eos()])  # fmt: skip
    xg = {"tokenizer_ms": _ms(time.perf_counter() - t)}
    compiler = xgrammar.GrammarCompiler(info, cache_enabled=False)
    t = time.perf_counter()
    compiled = compiler.compile_json_schema(json.dumps(plain_schema()), any_whitespace=False, separators=(", ", ": "))
    xg["compile_plain_ms"] = _ms(time.perf_counter() - t)
    grounded, grounded_a = [], []
    for row in rows[:xgrammar_grounded]:
        t = time.perf_counter()
        compiler.compile_json_schema(json.dumps(grounded_schema(row["input"])), any_whitespace=False,
                                     separators=(", ", ": "))  # fmt: skip
        grounded.append(time.perf_counter() - t)
        t = time.perf_counter()
        one = _one_action(grounded_schema(row["input"]), row["output"]["action"])
        compiler.compile_json_schema(json.dumps(one), any_whitespace=False, separators=(", ", ": "))
        grounded_a.append(time.perf_counter() - t)
    bitmask = xgrammar.allocate_token_bitmask(1, n_vocab)
    masks = []
    for answer in answers:
        m = xgrammar.GrammarMatcher(compiled)
        for token in answer:
            t = time.perf_counter()
            m.fill_next_token_bitmask(bitmask)
            masks.append(time.perf_counter() - t)
            if not m.accept_token(token):
                break
    xg.update(compile_grounded_median_ms=_ms(statistics.median(grounded)) if grounded else None,
              compile_grounded_action_median_ms=_ms(statistics.median(grounded_a)) if grounded_a else None,
              mask_median_ms=_ms(statistics.median(masks)),
              mask_p95_ms=_ms(float(np.percentile(masks, 95))))  # fmt: skip
    out["xgrammar"] = {"version": metadata.version("xgrammar"), **xg}
    return out
