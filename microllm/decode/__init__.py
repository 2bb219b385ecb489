"""Constrained, grounded decoding shared by every backend (llguidance grammars, forced tokens in one batch)."""

from microllm.decode.constraints import grounded_schema, plain_schema
from microllm.decode.engine import Decoded, Grammar, decode

# Recorded with every evaluation of a model backend: records made by another decoding loop are stale.
DECODER = "llguidance-forced-batch/1"

__all__ = ["DECODER", "Decoded", "Grammar", "decode", "grounded_schema", "plain_schema"]
