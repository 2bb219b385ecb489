"""Constrained, grounded decoding shared by every backend (llguidance grammars, forced tokens in one batch)."""

from microllm.decode.constraints import grounded_schema, plain_schema
from microllm.decode.engine import Decoded, Grammar, decode

# Recorded with every evaluation of a model backend: records made by another decoding loop are stale.
# /1: grounded grammar, forced tokens batched. /2: an address field (source, gateway, servers) takes whole addresses
# of the request only, and an optional one the request does not give is left out of the grammar.
DECODER = "llguidance-forced-batch/2"

__all__ = ["DECODER", "Decoded", "Grammar", "decode", "grounded_schema", "plain_schema"]
