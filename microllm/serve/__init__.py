"""HTTP service for the micro LLM (FastAPI + uvicorn): ``microllm serve --model ... --general ...``.

Endpoints: ``POST /api/v1/parse``, ``POST /api/v1/dns/add`` (``X-Use-Micro-LLM: true/false`` picks the model),
``GET /health``. Every intent passes :mod:`microllm.safety` before it is returned; passwords never reach the log.
"""

from __future__ import annotations

import logging

from microllm.predictors.base import Predictor
from microllm.serve.app import create_app
from microllm.serve.engine import redact_intent, redact_text


def load_predictor(name: str, model: str | None = None, options: list[str] | None = None) -> Predictor:
    """A predictor from CLI-style arguments (``options`` are ``key=value``); loaded once, here, before serving."""
    from microllm.predictors import get_predictor

    kwargs = dict(kv.split("=", 1) for kv in options or [])
    if model:
        kwargs["model"] = model
    return get_predictor(name, **kwargs)


def serve(args) -> None:
    """Load the models named by the `microllm serve` arguments, then run uvicorn (one process, one worker)."""
    import uvicorn

    from microllm.router import LLMRouter

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    micro = load_predictor(args.predictor, args.model, args.option)
    general = None
    if args.general or args.general_predictor:  # e.g. --general qwen2.5-coder-1.5b, or --general-predictor classic
        general = load_predictor(args.general_predictor or "llamacpp", args.general, args.general_option)
    router = None
    if general is not None and args.strategy != "none":
        router = LLMRouter(micro, general, strategy=args.strategy, threshold=args.threshold)
    # One worker: each extra worker would load its own copy of every model.
    store = None
    if getattr(args, "db", None):  # every decision to the ai_decisions table (passwords replaced before writing)
        from microllm.feedback.store import DecisionStore

        store = DecisionStore(args.db)
    app = create_app(micro, general, router, store=store)
    uvicorn.run(app, host=args.host, port=args.port, workers=1, log_level="info")


__all__ = ["create_app", "load_predictor", "redact_intent", "redact_text", "serve"]
