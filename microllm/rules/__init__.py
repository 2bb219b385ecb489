"""Intent rules: rule-based repairs of a parsed intent, applied after any backend's answer (``Predictor.finish``).

The named, versioned and ordered registry is :mod:`microllm.rules.registry`; each rule has its own module here.
"""

from microllm.rules.registry import (
    DEFAULT_RULES,
    LEGACY_FINISH,
    RULES,
    IntentRule,
    Rule,
    apply_rules,
    recorded_signature,
    resolve_rules,
    rules_name_suffix,
    rules_signature,
    signature_names,
)

__all__ = [
    "DEFAULT_RULES",
    "LEGACY_FINISH",
    "RULES",
    "IntentRule",
    "Rule",
    "apply_rules",
    "recorded_signature",
    "resolve_rules",
    "rules_name_suffix",
    "rules_signature",
    "signature_names",
]
