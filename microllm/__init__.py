"""microllm: micro LLMs that turn admin requests into strict JSON intents (see shared/intent-spec.md)."""

__version__ = "0.1.0"
