"""Ollama backend: the real `ollama` client against a server at the configured host (none runs on this machine)."""

from __future__ import annotations

import os

from microllm.backends.decoding import confidence
from microllm.predictors import register
from microllm.predictors.base import Predictor
from microllm.prompts import PromptConfig, build_messages, load_shots
from microllm.rules import resolve_rules, rules_name_suffix
from microllm.schema import intent_json_schema

DEFAULT_HOST = os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434")


def server_available(host: str = DEFAULT_HOST, timeout: float = 2.0) -> tuple[bool, str]:
    """Whether an Ollama server answers at ``host``; the reason when it does not."""
    import ollama

    try:
        ollama.Client(host=host, timeout=timeout).list()
        return True, ""
    except Exception as e:  # connection refused, timeout, DNS: all mean "no server here"
        return False, f"no Ollama server at {host} ({type(e).__name__}: {e})"


@register("ollama")
class OllamaPredictor(Predictor):
    """Chat with a model served by Ollama (e.g. one made by `ollama create` from our Modelfile).

    ``constrained`` passes the intents' JSON Schema as Ollama's structured-output ``format``; ``rules`` names the
    intent rules (:mod:`microllm.rules`) each answer goes through, none unless named.
    """

    name = "ollama"

    def __init__(self, model: str = "microllm", host: str = DEFAULT_HOST, prompt: str = "zero-shot",
                 constrained: bool | str = True, n_shots: int | str = 12, timeout: float | str = 60,
                 train_file: str = "data/synthetic/train.jsonl",
                 rules: str | tuple[str, ...] | None = None):  # fmt: skip
        import ollama

        self.rules = resolve_rules(rules)
        self.model = model
        self.client = ollama.Client(host=host, timeout=float(timeout))
        self.constrained = constrained if isinstance(constrained, bool) else str(constrained).lower() == "true"
        self.prompt_cfg = PromptConfig(style=prompt, n_shots=int(n_shots), train_file=train_file)
        self.shots = load_shots(self.prompt_cfg)
        self.schema = intent_json_schema() if self.constrained else None
        self.name = f"ollama:{model}:{prompt}:{'constrained' if self.constrained else 'free'}"
        self.name += rules_name_suffix(self.rules)

    def generate(self, text: str) -> tuple[str, float | None]:
        """One chat call at temperature 0; confidence from the returned token log-probabilities when present."""
        messages = build_messages(text, self.prompt_cfg, self.shots)
        resp = self.client.chat(model=self.model, messages=messages, format=self.schema, logprobs=True,
                                options={"temperature": 0, "seed": 0})  # fmt: skip
        raw = resp.message.content or ""
        if not resp.logprobs:
            return raw, None
        pieces = [lp.token for lp in resp.logprobs]
        return raw, confidence(pieces, [lp.logprob for lp in resp.logprobs])
