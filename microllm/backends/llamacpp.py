"""In-process llama.cpp backend: GGUF models, chat template from the GGUF, JSON-Schema grammar, KV-cache reuse."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np

from microllm.backends.decoding import confidence, json_object_end, log_softmax_at
from microllm.backends.finish import finish_grounded
from microllm.backends.grammar_check import GreedyGrammar, GroundedGrammar
from microllm.backends.recheck import drop_repeated_steps, rechecked
from microllm.hardware import available_cores, llama_gpu_offload, note_backend
from microllm.json_schema import action_json_schema
from microllm.models import resolve_model
from microllm.predictors import register
from microllm.predictors.base import Prediction, Predictor
from microllm.prompts import build_messages, load_shots, prompt_for_model
from microllm.schema import intent_json_schema

# A plain format for GGUFs without a chat template (e.g. tiny test models).
FALLBACK_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] }}\n\n"
    "{% elif m['role'] == 'user' %}Request: {{ m['content'] }}\n"
    "{% else %}Intent: {{ m['content'] }}\n\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}Intent: {% endif %}"
)


@dataclass
class LlamaCppConfig:
    """How the llama.cpp backend loads and decodes."""

    n_ctx: int = 4096
    n_threads: int = field(default_factory=available_cores)  # every core this process may use
    # Layers offloaded to a GPU: -1 all, 0 none; None: all when llama.cpp was built with a GPU backend, else none.
    n_gpu_layers: int | None = None
    max_tokens: int = 512  # room for the longest schema-bounded answer, so constrained output always closes
    constrained: bool = True
    greedy_check: bool = True  # test the greedy token against the grammar before masking the vocabulary (same output)
    draft: str = "none"  # "ngram": speculative decoding with n-gram guesses (greedy, fewer forward passes)
    draft_tokens: int = 8
    # Copied values (names, hosts, passwords, ports) only from the request (backends.grounding); a required value
    # that is only its slot's name then gives clarify (backends.unfilled).
    ground: bool = False
    # Confidence from the value tokens only ("values"), or from them and the go-on/stop tokens ("decisions"): the
    # latter also sees a doubted omission (a left-out field or step), which no value token can.
    confidence: str = "values"
    # A clarify answer is decoded again as the operation it names, and the grounded checks say what is missing;
    # a multi drops repeated steps (backends.recheck). Needs ground. Off: it lowered dev (results/compare/recheck).
    recheck: bool = False

    def __post_init__(self):
        if self.n_gpu_layers is None:
            self.n_gpu_layers = -1 if llama_gpu_offload() else 0
        if self.confidence not in ("values", "decisions"):
            raise ValueError(f"confidence must be 'values' or 'decisions', not {self.confidence!r}")


def _load(path: str, cfg: LlamaCppConfig, adapter: str | None = None):
    from llama_cpp import Llama  # heavy native import, only when a llama.cpp model is asked for

    llm = Llama(model_path=path, n_ctx=cfg.n_ctx, n_threads=cfg.n_threads, n_threads_batch=cfg.n_threads,
                n_batch=512, n_gpu_layers=cfg.n_gpu_layers, seed=0, verbose=False, lora_path=adapter)  # fmt: skip
    note_backend("llamacpp", {"n_threads": cfg.n_threads, "n_gpu_layers": cfg.n_gpu_layers,
                              "gpu_offload": cfg.n_gpu_layers != 0})  # fmt: skip
    return llm


@register("llamacpp")
class LlamaCppPredictor(Predictor):
    """Greedy decoding of a GGUF model; the shared prompt prefix (system + examples) stays in the KV cache.

    Contexts are not thread-safe: one predictor serves one thread at a time.
    """

    name = "llamacpp"

    def __init__(self, model: str = "gemma-3-270m", prompt: str = "auto", constrained: bool | str = True,
                 n_shots: int | str = 12, max_tokens: int | str = 512, n_ctx: int | str = 4096,
                 n_threads: int | str | None = None, train_file: str = "data/synthetic/train.jsonl",
                 greedy_check: bool | str = True, draft: str = "none", draft_tokens: int | str = 8,
                 ground: bool | str = False, confidence: str = "values",
                 recheck: bool | str = False, n_gpu_layers: int | str | None = None):  # fmt: skip
        from llama_cpp import LlamaGrammar
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.resolved = resolve_model(model)
        if self.resolved.kind != "gguf":
            raise ValueError(f"llamacpp needs a GGUF model; {model} resolved to a {self.resolved.kind} directory")
        self.cfg = LlamaCppConfig(n_ctx=int(n_ctx), max_tokens=int(max_tokens), constrained=_bool(constrained),
                                  greedy_check=_bool(greedy_check), draft=draft,
                                  draft_tokens=int(draft_tokens), ground=_bool(ground),
                                  confidence=confidence, recheck=_bool(recheck),
                                  n_gpu_layers=None if n_gpu_layers in (None, "") else int(n_gpu_layers))  # fmt: skip
        if self.cfg.draft not in ("none", "ngram"):
            raise ValueError(f"draft must be 'none' or 'ngram', not {draft!r}")
        if self.cfg.draft == "ngram" and self.cfg.constrained and not self.cfg.greedy_check:
            raise ValueError("draft='ngram' with constrained decoding needs greedy_check=true")
        if self.cfg.ground and not (self.cfg.constrained and self.cfg.greedy_check):
            raise ValueError("ground=true needs constrained decoding with greedy_check=true")
        if self.cfg.recheck and not self.cfg.ground:
            raise ValueError("recheck=true needs ground=true (the grounded checks decide what is missing)")
        if n_threads not in (None, ""):
            self.cfg.n_threads = int(n_threads)
        adapter = self.resolved.adapter
        # A fine-tuned adapter carries the prompt record it was trained with; its base does not.
        self.prompt_cfg = prompt_for_model(prompt, adapter or self.resolved.path, int(n_shots), train_file)
        self.shots = load_shots(self.prompt_cfg)
        self.model_name = model
        self.llm = _load(str(self.resolved.path), self.cfg, str(adapter) if adapter else None)
        meta = self.llm.metadata
        eos, bos = self.llm.token_eos(), self.llm.token_bos()
        text = self.llm._model.token_get_text  # noqa: SLF001 - the public API has no token-to-text for specials
        self.formatter = Jinja2ChatFormatter(template=chat_template(meta, self.prompt_cfg.style),
                                             eos_token=text(eos) if eos >= 0 else "",
                                             bos_token=text(bos) if bos >= 0 else "")  # fmt: skip
        self.has_chat_template = "tokenizer.chat_template" in meta
        # Base models (Gemma 3) expect BOS, and the fallback template does not write it.
        self.bos = bos if meta.get("tokenizer.ggml.add_bos_token") == "true" and bos >= 0 else None
        self.grammar = LlamaGrammar.from_json_schema(json.dumps(intent_json_schema()), verbose=False)
        self.name = f"llamacpp:{model}:{self.prompt_cfg.style}:{'constrained' if self.cfg.constrained else 'free'}"
        self.name += ":grounded" if self.cfg.ground else ""
        self.name += ":rechecked" if self.cfg.recheck else ""
        self._action_grammars: dict = {}
        self.drafter = None
        if self.cfg.draft == "ngram":
            from microllm.backends.speculative import drafter_for

            self.drafter = drafter_for(self.llm, train_file, self.cfg.draft_tokens)
        self.last_usage: dict = {}

    def finish(self, intent: dict, text: str) -> dict:
        """Grounded: the rule-based checks of :mod:`microllm.backends.finish` (rechecked: and no repeated multi
        step); otherwise none."""
        if not self.cfg.ground:
            return intent
        finished = finish_grounded(intent, text)
        return drop_repeated_steps(finished) if self.cfg.recheck else finished

    def predict(self, text: str) -> Prediction:
        """As :meth:`Predictor.predict`; rechecked, a clarify answer is decoded again (:mod:`.recheck`)."""
        first = super().predict(text)
        return rechecked(self, text, first) if self.cfg.recheck else first

    def action_grammar(self, action: str):
        """The grammar of one operation (built once per action)."""
        from llama_cpp import LlamaGrammar

        if action not in self._action_grammars:
            schema = json.dumps(action_json_schema(action))
            self._action_grammars[action] = LlamaGrammar.from_json_schema(schema, verbose=False)
        return self._action_grammars[action]

    def prompt_tokens(self, text: str) -> list[int]:
        """The query rendered with the model's chat template, tokenized (special tokens parsed)."""
        rendered = self.formatter(messages=build_messages(text, self.prompt_cfg, self.shots)).prompt
        tokens = self.llm.tokenize(rendered.encode("utf-8"), add_bos=False, special=True)
        return [self.bos, *tokens] if self.bos is not None and tokens[:1] != [self.bos] else tokens

    def generate(self, text: str, grammar=None) -> tuple[str, float]:
        """Greedy decode; stop at end of turn, a complete JSON object, or max_tokens. ``grammar``: another grammar
        than the intent schema's (constrained decoding only)."""
        import llama_cpp

        grammar = self.grammar if grammar is None else grammar

        tokens = self.prompt_tokens(text)
        if len(tokens) + self.cfg.max_tokens > self.cfg.n_ctx:
            raise ValueError(f"prompt of {len(tokens)} tokens does not fit n_ctx={self.cfg.n_ctx}")
        cached = self.llm._input_ids[: self.llm.n_tokens].tolist()  # noqa: SLF001
        reused = next((i for i, (a, b) in enumerate(zip(cached, tokens, strict=False)) if a != b),
                      min(len(cached), len(tokens)))  # fmt: skip
        pieces: list[str] = []
        logprobs: list[float] = []
        out = bytearray()
        self.last_tokens: list[int] = []  # the answer's token ids
        checker = None
        if self.cfg.ground:
            checker = GroundedGrammar(self.llm, grammar, text)
        elif self.cfg.constrained and self.cfg.greedy_check:
            checker = GreedyGrammar(self.llm, grammar)
        vocab = self.llm._model.vocab  # noqa: SLF001
        timer = {"start": time.perf_counter(), "first": None}

        def emit(tok: int, logits: np.ndarray) -> bool:
            """Take one generated token; True when the answer is complete."""
            if timer["first"] is None:
                timer["first"] = time.perf_counter()  # the prompt (its uncached suffix) is evaluated before this
            if llama_cpp.llama_vocab_is_eog(vocab, tok) or len(pieces) >= self.cfg.max_tokens:
                return True
            if checker is not None:
                checker.accept(tok)
            logprobs.append(log_softmax_at(logits, tok))  # the model's own distribution, before any grammar mask
            piece = self.llm.detokenize([tok])
            self.last_tokens.append(tok)
            out.extend(piece)
            pieces.append(piece.decode("utf-8", errors="replace"))
            # A complete object ends the answer: under the grammar only end-of-turn could follow, and skipping it
            # saves one forward pass per request.
            return b"}" in piece and json_object_end(out.decode("utf-8", errors="ignore")) is not None

        passes = None
        if self.drafter is not None:
            from microllm.backends.speculative import speculative_greedy

            def choose(logits: np.ndarray) -> int:
                return int(np.argmax(checker(None, logits) if checker is not None else logits))

            passes = speculative_greedy(self.llm, tokens, choose, emit, self.drafter, self.cfg.max_tokens)
        else:
            self._generate_plain(tokens, checker, emit, grammar)
        raw = out.decode("utf-8", errors="replace")
        end = json_object_end(raw)
        first = timer["first"] or time.perf_counter()
        self.last_usage = {"prompt_tokens": len(tokens), "reused_prefix": reused, "completion_tokens": len(pieces),
                           "prompt_eval_s": first - timer["start"], "decode_s": time.perf_counter() - first,
                           "grammar_full_masks": checker.full_masks if checker else None,
                           "speculative": passes, "grounding": _grounding_usage(checker)}  # fmt: skip
        if checker is not None:
            checker.close()
        return (raw[:end] if end else raw), confidence(pieces, logprobs, self.cfg.confidence == "decisions")

    def _generate_plain(self, tokens: list[int], checker, emit, grammar) -> None:
        """One forward pass per token through llama-cpp-python's own generator."""
        n_vocab = self.llm.n_vocab()
        grammar = grammar if self.cfg.constrained and checker is None else None
        for tok in self.llm.generate(tokens, temp=0.0, repeat_penalty=1.0, grammar=grammar,
                                     logits_processor=[checker] if checker else None):  # fmt: skip
            # The logits that produced `tok` are still the context's last row: the model's own distribution.
            if emit(tok, np.ctypeslib.as_array(self.llm._ctx.get_logits_ith(-1), shape=(n_vocab,))):  # noqa: SLF001
                break


def chat_template(meta: dict, style: str) -> str:
    """The GGUF's own chat template; without one, the template microllm training gave the model (a LoRA GGUF on a
    base GGUF that has none, e.g. the Gemma 3 270M base: ``Intent:`` and a newline, as trained), else the plain
    fallback."""
    from microllm.train.data import PLAIN_CHAT_TEMPLATE  # light: no torch at import

    if meta.get("tokenizer.chat_template"):
        return meta["tokenizer.chat_template"]
    return PLAIN_CHAT_TEMPLATE if style == "trained" else FALLBACK_TEMPLATE


def _grounding_usage(checker) -> dict | None:
    if not isinstance(checker, GroundedGrammar):
        return None
    return {"redirects": checker.redirects, "relaxed": checker.relaxed}


def _bool(value: bool | str) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
