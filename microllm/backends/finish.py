"""The rule-based last step of grounded decoding, after the JSON is complete (``LlamaCppPredictor.finish``).

Two checks, in order: an MX preference that the model wrote as a TTL is renamed (:mod:`.zone_syntax`), then a
required value that fills nothing gives ``clarify`` (:mod:`.unfilled`). Both read only the parsed answer and the
request, so they can be re-applied to saved raw outputs (:func:`microllm.evaluate.refinish`).
"""

from __future__ import annotations

from microllm.backends.unfilled import clarify_unfilled
from microllm.backends.zone_syntax import mx_priority

# Bumped whenever a check changes what it returns: a grounded score recorded under another version is stale
# (microllm.compare does not reuse it; microllm.evaluate.refinish brings saved outputs up to this one).
# 1: slot names give clarify. 2: + MX preference, commands, interface descriptors, function words.
FINISH_VERSION = 2


def finish_grounded(intent: dict, text: str) -> dict:
    """``intent`` after the grounded checks (itself when none changes it)."""
    return clarify_unfilled(mx_priority(intent, text))
