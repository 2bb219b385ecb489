"""HTTP service for the micro LLM (FastAPI + uvicorn): ``microllm serve --model ... --general ...``.

Endpoints: ``POST /api/v1/parse``, ``POST /api/v1/dns/add`` (``X-Use-Micro-LLM: true/false`` picks the model),
``GET /health``. Every intent passes :mod:`microllm.safety` before it is returned; passwords never reach the log.
Without ``--model`` the micro model is the shipped one (:mod:`microllm.models.shipped`), and the service refuses to
start when it is not built. Off loopback it needs API keys; it limits body size, rate and decision rows
(:mod:`microllm.serve.options`), and splits traffic between a micro and a general arm (:mod:`microllm.serve.rollout`).
"""

from __future__ import annotations

import logging

from microllm.predictors.base import Predictor
from microllm.serve.app import create_app, model_info
from microllm.serve.engine import redact_intent, redact_text
from microllm.serve.options import ServeConfigError, ServeOptions, load_api_keys, options_from_args

log = logging.getLogger("microllm.serve")
NEEDS_MODEL_FILE = ("llamacpp",)  # predictors whose default model would be an untuned base model


def load_predictor(name: str, model: str | None = None, options: list[str] | None = None) -> Predictor:
    """A predictor from CLI-style arguments (``options`` are ``key=value``); loaded once, here, before serving.

    A llama.cpp predictor without ``model`` gets the shipped micro model, or :class:`ModelNotBuilt` (never the
    untuned base model the backend would otherwise pick)."""
    from microllm.predictors import get_predictor

    kwargs = dict(kv.split("=", 1) for kv in options or [])
    if not model and name in NEEDS_MODEL_FILE and "model" not in kwargs:
        from microllm.models.shipped import require_shipped_model, shipped_decoding

        model = str(require_shipped_model())
        # The shipped file is decoded as the recipe says (prompt format, grammar, grounding); options still win.
        kwargs = {**{k: str(v).lower() if isinstance(v, bool) else str(v)
                     for k, v in shipped_decoding()["kwargs"].items() if k != "model"}, **kwargs}  # fmt: skip
    if model:
        kwargs["model"] = model
    return get_predictor(name, **kwargs)


def _loaded_with(name: str, model: str | None, options: list[str] | None) -> dict:
    return {"predictor": name, "model": model, **dict(kv.split("=", 1) for kv in options or [])}


def build_app(args):
    """The app `microllm serve` runs: options checked first (a refused configuration loads no model), then the
    models, router and decision store the arguments name."""
    from microllm.router import LLMRouter

    opts = options_from_args(args)
    micro = load_predictor(args.predictor, args.model, args.option)
    general = None
    if args.general or args.general_predictor:  # e.g. --general qwen2.5-coder-1.5b, or --general-predictor classic
        general = load_predictor(args.general_predictor or "llamacpp", args.general, args.general_option)
    opts.model_options = {"micro": _loaded_with(args.predictor, getattr(micro, "model_name", args.model),
                                                args.option)}  # fmt: skip
    if general is not None:
        opts.model_options["general"] = _loaded_with(args.general_predictor or "llamacpp", args.general,
                                                     args.general_option)  # fmt: skip
    router = None
    if general is not None and args.strategy != "none":
        router = LLMRouter(micro, general, strategy=args.strategy, threshold=args.threshold)
    store = None
    if getattr(args, "db", None):  # every decision to the ai_decisions table (passwords replaced before writing)
        from microllm.feedback.store import DecisionStore

        store = DecisionStore(args.db)
    return create_app(micro, general, router, store=store, options=opts)


def serve(args) -> None:
    """Load the models named by the `microllm serve` arguments, then run uvicorn (one process, one worker)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build_app(args)
    # One worker: each extra worker would load its own copy of every model.
    uvicorn.run(app, host=args.host, port=args.port, workers=1, log_level="info",
                limit_concurrency=app.state.options.max_concurrency, server_header=False)  # fmt: skip


__all__ = ["ServeConfigError", "ServeOptions", "build_app", "create_app", "load_api_keys", "load_predictor",
           "model_info", "options_from_args", "redact_intent", "redact_text", "serve"]  # fmt: skip
