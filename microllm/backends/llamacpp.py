"""In-process llama.cpp backend: GGUF models, chat template from the GGUF, constrained and grounded decoding on
llguidance (:mod:`microllm.decode`), the prompt's shared prefix kept in the KV cache. Public llama-cpp-python API
only (``Llama.eval``, ``n_tokens``, ``input_ids``, ``ctx``/``model`` with the C API's logits and vocabulary calls).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from microllm.decode import Grammar, decode
from microllm.decode.drafts import DRAFTERS, drafter
from microllm.decode.runners import LlamaCppRunner
from microllm.hardware import available_cores, llama_cpu_kernels, llama_gpu_offload, note_backend
from microllm.models import resolve_model
from microllm.predictors import register
from microllm.predictors.base import Predictor
from microllm.prompts import build_messages, load_shots, prompt_for_model
from microllm.rules import resolve_rules, rules_name_suffix

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
    # Copied values (names, hosts, passwords, ports) only from the request, as constraint data in the grammar
    # (microllm.decode.constraints); unless the predictor names its intent rules, grounded answers then go through
    # microllm.rules.DEFAULT_RULES.
    ground: bool = False
    # Confidence from the value tokens only ("values"), or from them and the go-on/stop tokens ("decisions"): the
    # latter also sees a doubted omission (a left-out field or step), which no value token can.
    confidence: str = "values"
    # A guess of the answer checked in the prompt's forward pass (microllm.decode.drafts): the same answers in fewer
    # passes while the model agrees with it.
    draft: str = "rules"

    def __post_init__(self):
        if self.n_gpu_layers is None:
            self.n_gpu_layers = -1 if llama_gpu_offload() else 0
        if self.confidence not in ("values", "decisions"):
            raise ValueError(f"confidence must be 'values' or 'decisions', not {self.confidence!r}")
        if self.draft not in DRAFTERS:
            raise ValueError(f"draft must be one of {', '.join(DRAFTERS)}, not {self.draft!r}")
        if self.ground and not self.constrained:
            raise ValueError("ground=true needs constrained decoding (grounding is part of the grammar)")


def _load(path: str, cfg: LlamaCppConfig, adapter: str | None = None):
    from llama_cpp import Llama  # heavy native import, only when a llama.cpp model is asked for

    llm = Llama(model_path=path, n_ctx=cfg.n_ctx, n_threads=cfg.n_threads, n_threads_batch=cfg.n_threads,
                n_batch=512, n_gpu_layers=cfg.n_gpu_layers, seed=0, verbose=False, lora_path=adapter)  # fmt: skip
    note_backend("llamacpp", {"n_threads": cfg.n_threads, "n_gpu_layers": cfg.n_gpu_layers,
                              "gpu_offload": cfg.n_gpu_layers != 0, "cpu_kernels": llama_cpu_kernels(),
                                "draft": cfg.draft})  # fmt: skip
    return llm


def token_text(vocab, token: int) -> str:
    """A token's text, special tokens included (the C API; llama-cpp-python's wrapper has none for specials)."""
    import llama_cpp

    text = llama_cpp.llama_vocab_get_text(vocab, token) if token >= 0 else None
    return text.decode("utf-8", errors="replace") if text else ""


@register("llamacpp")
class LlamaCppPredictor(Predictor):
    """Greedy decoding of a GGUF model (:func:`microllm.decode.decode`); the shared prompt prefix (system +
    examples) stays in the KV cache.

    Contexts are not thread-safe: one predictor serves one thread at a time.
    """

    name = "llamacpp"

    def __init__(self, model: str = "gemma-3-270m", prompt: str = "auto", constrained: bool | str = True,
                 n_shots: int | str = 12, max_tokens: int | str = 512, n_ctx: int | str = 4096,
                 n_threads: int | str | None = None, train_file: str = "data/synthetic/train.jsonl",
                 ground: bool | str = False, confidence: str = "values",
                 n_gpu_layers: int | str | None = None, rules: str | tuple[str, ...] | None = None,
                 draft: str = "rules"):  # fmt: skip
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.resolved = resolve_model(model)
        if self.resolved.kind != "gguf":
            raise ValueError(f"llamacpp needs a GGUF model; {model} resolved to a {self.resolved.kind} directory")
        self.cfg = LlamaCppConfig(n_ctx=int(n_ctx), max_tokens=int(max_tokens), constrained=_bool(constrained),
                                  ground=_bool(ground), confidence=confidence, draft=draft,
                                  n_gpu_layers=None if n_gpu_layers in (None, "") else int(n_gpu_layers))  # fmt: skip
        # Not named: grounded decoding finishes with the default rules, as it always has; plain decoding with none.
        implied = resolve_rules(None, self.cfg.ground)
        self.rules = resolve_rules(rules, self.cfg.ground)
        if n_threads not in (None, ""):
            self.cfg.n_threads = int(n_threads)
        adapter = self.resolved.adapter
        # A fine-tuned adapter carries the prompt record it was trained with; its base does not.
        self.prompt_cfg = prompt_for_model(prompt, adapter or self.resolved.path, int(n_shots), train_file)
        self.shots = load_shots(self.prompt_cfg)
        self.model_name = model
        self.llm = _load(str(self.resolved.path), self.cfg, str(adapter) if adapter else None)
        self.runner = LlamaCppRunner(self.llm)
        meta = self.llm.metadata
        eos, bos = self.llm.token_eos(), self.llm.token_bos()
        self.formatter = Jinja2ChatFormatter(template=chat_template(meta, self.prompt_cfg.style),
                                             eos_token=token_text(self.runner.vocab, eos),
                                             bos_token=token_text(self.runner.vocab, bos))  # fmt: skip
        self.has_chat_template = "tokenizer.chat_template" in meta
        # Base models (Gemma 3) expect BOS, and the fallback template does not write it.
        self.bos = bos if meta.get("tokenizer.ggml.add_bos_token") == "true" and bos >= 0 else None
        self.grammar = Grammar(self.runner.lltokenizer(), self.runner.n_vocab) if self.cfg.constrained else None
        self.drafter = drafter(self.cfg.draft)
        self.name = f"llamacpp:{model}:{self.prompt_cfg.style}:{'constrained' if self.cfg.constrained else 'free'}"
        self.name += ":grounded" if self.cfg.ground else ""
        self.name += rules_name_suffix(self.rules, implied)
        self.last_usage: dict = {}
        self.last_tokens: list[int] = []

    def action_grammar(self, action: str) -> str:
        """What :meth:`generate` takes to make the model write one operation (its name: the grammar is built per
        request)."""
        from microllm.schema import MODEL_BY_ACTION

        if action not in MODEL_BY_ACTION:
            raise ValueError(f"{action!r} is not an operation of the spec")
        return action

    def prompt_tokens(self, text: str) -> list[int]:
        """The query rendered with the model's chat template, tokenized (special tokens parsed)."""
        rendered = self.formatter(messages=build_messages(text, self.prompt_cfg, self.shots)).prompt
        tokens = self.llm.tokenize(rendered.encode("utf-8"), add_bos=False, special=True)
        return [self.bos, *tokens] if self.bos is not None and tokens[:1] != [self.bos] else tokens

    def generate(self, text: str, grammar: str | None = None) -> tuple[str, float]:
        """Greedy decode; stop at end of turn, a complete JSON object, or max_tokens. ``grammar``: an operation's
        name (:meth:`action_grammar`) to decode only that operation (constrained decoding only)."""
        tokens = self.prompt_tokens(text)
        if len(tokens) + self.cfg.max_tokens > self.cfg.n_ctx:
            raise ValueError(f"prompt of {len(tokens)} tokens does not fit n_ctx={self.cfg.n_ctx}")
        result = decode(self.runner, self.grammar, tokens, text, ground=self.cfg.ground, action=grammar,
                        detokenize=self.runner.detokenize, is_end=self.runner.is_end,
                        max_tokens=self.cfg.max_tokens, decisions=self.cfg.confidence == "decisions",
                        draft=self.drafter, tokenize=self.runner.tokenize)  # fmt: skip
        self.last_tokens = result.tokens
        self.last_usage = {**result.usage, "reused_prefix": self.runner.reused}
        return result.text, result.confidence


def chat_template(meta: dict, style: str) -> str:
    """The GGUF's own chat template; without one, the template microllm training gave the model (a LoRA GGUF on a
    base GGUF that has none, e.g. the Gemma 3 270M base: ``Intent:`` and a newline, as trained), else the plain
    fallback."""
    from microllm.train.data import PLAIN_CHAT_TEMPLATE  # light: no torch at import

    if meta.get("tokenizer.chat_template"):
        return meta["tokenizer.chat_template"]
    return PLAIN_CHAT_TEMPLATE if style == "trained" else FALLBACK_TEMPLATE


def _bool(value: bool | str) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
