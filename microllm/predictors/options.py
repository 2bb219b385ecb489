"""Every predictor option (``-o key=value`` on the command line) in one typed table: parsed, checked and documented
from here, so ``--help`` and the checks never drift from each other.

A predictor that is not in the table (a plug-in registered elsewhere) gets its options as strings, unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass

from microllm.rules import RULES, resolve_rules

MODEL_BACKENDS = ("llamacpp", "transformers", "ollama")
LOCAL_BACKENDS = ("llamacpp", "transformers")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class OptionError(ValueError):
    """A ``-o key=value`` that is malformed, unknown for the predictor, or of the wrong type or value."""


@dataclass(frozen=True)
class Option:
    """One predictor option: its type (``bool``, ``int``, ``float``, ``str``, ``path``, ``choice`` or ``rules``), the
    predictors that take it, and what it does."""

    name: str
    type: str
    predictors: tuple[str, ...]
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    allow_none: bool = False  # "none" or an empty value means "let the predictor decide"

    def parse(self, text: str):
        """The typed value of ``text``, or :class:`OptionError` saying what is expected."""
        text = text.strip()
        if self.allow_none and text.lower() in ("", "none", "auto"):
            return None
        if self.type == "bool":
            low = text.lower()
            if low in TRUE:
                return True
            if low in FALSE:
                return False
            raise OptionError(f"-o {self.name}: expected true or false, got {text!r}")
        if self.type in ("int", "float"):
            try:
                value = int(text) if self.type == "int" else float(text)
            except ValueError:
                kind = "an integer" if self.type == "int" else "a number"
                raise OptionError(f"-o {self.name}: expected {kind}, got {text!r}") from None
            if self.minimum is not None and value < self.minimum:
                raise OptionError(f"-o {self.name}: must be at least {self.minimum:g}, got {text}")
            return value
        if self.type == "rules" and text:  # "none" is a value here (no rules), not "let the predictor decide"
            try:
                return resolve_rules(text)
            except ValueError as e:
                raise OptionError(f"-o {self.name}: {e}") from None
        if self.type == "choice" and text not in self.choices:
            raise OptionError(f"-o {self.name}: expected one of {', '.join(self.choices)}, got {text!r}")
        if not text:
            raise OptionError(f"-o {self.name}: needs a value")
        return text

    @property
    def metavar(self) -> str:
        """What the value looks like, for help tables."""
        if self.type == "choice":
            return "|".join(self.choices)
        return {"bool": "true|false", "int": "N", "float": "X", "path": "PATH", "str": "TEXT",
                "rules": "default|none|NAME,..."}[self.type]  # fmt: skip


OPTIONS: tuple[Option, ...] = (
    Option("prompt", "choice", MODEL_BACKENDS, "prompt format: auto (the trained one where the model has it, else "
           "few-shot), trained, few-shot, zero-shot", choices=("auto", "trained", "few-shot", "zero-shot")),
    Option("constrained", "bool", MODEL_BACKENDS, "decode inside the intent JSON Schema (grammar)"),
    Option("n_shots", "int", MODEL_BACKENDS, "examples in a few-shot prompt", minimum=0),
    Option("train_file", "path", (*MODEL_BACKENDS, "classic"), "rows the few-shot examples (classic: the classifier) "
           "come from"),
    Option("max_tokens", "int", LOCAL_BACKENDS, "longest answer in tokens", minimum=1),
    Option("n_threads", "int", LOCAL_BACKENDS, "CPU threads (default: every core this process may use)", minimum=1,
           allow_none=True),
    Option("n_ctx", "int", ("llamacpp",), "context window in tokens", minimum=64),
    Option("n_gpu_layers", "int", ("llamacpp",), "layers offloaded to a GPU, -1 all (default: all when llama.cpp "
           "has a GPU backend, else 0)", minimum=-1, allow_none=True),
    Option("ground", "bool", ("llamacpp", "transformers"), "copy names, hosts and passwords only from the request "
           "(part of the grammar: needs constrained)"),
    Option("confidence", "choice", ("llamacpp", "transformers"), "confidence from the value tokens, or from them and "
           "the go-on/stop decisions", choices=("values", "decisions")),
    Option("rules", "rules", MODEL_BACKENDS, "intent rules applied to each parsed answer, in their fixed order: "
           f"default (all), none, or names among {', '.join(RULES)} (unset: default when grounded, else none)"),
    Option("draft", "choice", ("llamacpp", "transformers"), "a guess of the answer checked in the prompt's forward "
           "pass: rules (the rule baseline's answer) or none; greedy decoding keeps the model's own answer either way",
           choices=("rules", "none")),
    Option("device", "choice", ("transformers",), "auto (a CUDA GPU when there is one), cpu or cuda",
           choices=("auto", "cpu", "cuda")),
    Option("gguf_file", "path", ("transformers",), "one GGUF inside the --model directory"),
    Option("quantization", "choice", ("transformers",), "load 4-bit NF4 weights (bitsandbytes, CPU)",
           choices=("none", "nf4")),
    Option("host", "str", ("ollama",), "Ollama server URL"),
    Option("timeout", "float", ("ollama",), "seconds per request", minimum=0),
    Option("seed", "int", ("classic",), "classifier seed"),
)  # fmt: skip

BY_NAME = {o.name: o for o in OPTIONS}
KNOWN_PREDICTORS = ("rules", "classic", *MODEL_BACKENDS)


def options_for(predictor: str) -> list[Option]:
    """The options ``predictor`` takes, in table order (empty for one without options, e.g. rules)."""
    return [o for o in OPTIONS if predictor in o.predictors]


def parse_options(predictor: str, pairs: list[str] | None) -> dict:
    """``["key=value", ...]`` to typed keyword arguments for ``predictor``; :class:`OptionError` names the first
    bad one. A predictor outside the table gets the values as strings."""
    out: dict = {}
    allowed = {o.name: o for o in options_for(predictor)}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise OptionError(f"-o {pair!r}: expected KEY=VALUE, e.g. -o n_threads=4")
        if key == "model":
            raise OptionError("-o model=...: name the model with --model")
        if predictor not in KNOWN_PREDICTORS:
            out[key] = value
            continue
        if key not in allowed:
            takes = ", ".join(allowed) if allowed else "no options"
            known = f" ({key} is for {', '.join(BY_NAME[key].predictors)})" if key in BY_NAME else ""
            raise OptionError(f"-o {key}: not an option of the {predictor} predictor{known}; it takes {takes}")
        out[key] = allowed[key].parse(value)
    return out


def options_table() -> str:
    """Every option as ``name=VALUE  (predictors)`` over an indented line saying what it does, for ``--help``."""
    lines = []
    for o in OPTIONS:
        lines += [f"  {o.name}={o.metavar}  ({', '.join(o.predictors)})", f"      {o.help}"]
    return "\n".join(lines)
