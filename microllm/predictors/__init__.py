"""Predictors by name: ``get_predictor("rules")``. Later backends register here too."""

from __future__ import annotations

from collections.abc import Callable

from microllm.predictors.base import Prediction, Predictor

_REGISTRY: dict[str, Callable[..., Predictor]] = {}


def register(name: str):
    """Class decorator: make a Predictor constructible by name from the CLI."""

    def wrap(factory):
        _REGISTRY[name] = factory
        return factory

    return wrap


def _load_builtin() -> None:
    # Imported lazily so `import microllm` stays light and heavy backends load only when named.
    from microllm.backends import llamacpp, ollama_client, transformers_hf  # noqa: F401
    from microllm.baselines import classic, rules  # noqa: F401


def available() -> list[str]:
    """Names that :func:`get_predictor` accepts."""
    _load_builtin()
    return sorted(_REGISTRY)


def get_predictor(name: str, **kwargs) -> Predictor:
    """Build the predictor registered as ``name``; unknown names get a clear error listing the choices."""
    _load_builtin()
    if name not in _REGISTRY:
        raise KeyError(f"unknown predictor {name!r}; choose one of {sorted(_REGISTRY)}")
    return _REGISTRY[name](**kwargs)


__all__ = ["Prediction", "Predictor", "available", "get_predictor", "register"]
