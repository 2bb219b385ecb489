"""Constrained, grounded decoding shared by every backend (llguidance grammars, forced tokens in one batch)."""

from microllm.decode.constraints import grounded_schema, plain_schema
from microllm.decode.engine import Decoded, Grammar, decode

# Recorded with every evaluation of a model backend: records made by another decoding loop are stale.
# /1: grounded grammar, forced tokens batched. /2: an address field (source, gateway, servers) takes whole addresses
# of the request only, and an optional one the request does not give is left out of the grammar. /3: a drafted answer
# (microllm.decode.drafts) is checked in the prompt's forward pass (greedy answers are the same but for the float
# rounding of larger batches: 1 of the shipped file's 591 raw answers, no score), and an interface address written
# in CIDR form can only be one of the request's, as written or canonical.
DECODER = "llguidance-forced-batch/3"

__all__ = ["DECODER", "Decoded", "Grammar", "decode", "grounded_schema", "plain_schema"]
