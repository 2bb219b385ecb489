"""Model catalog and weight resolution: PyPI-shipped GGUFs (hash-checked), hub ids, local paths."""

from microllm.models.catalog import CATALOG, ModelEntry, ModelUnavailable, get_entry
from microllm.models.resolve import availability, resolve_model

__all__ = ["CATALOG", "ModelEntry", "ModelUnavailable", "availability", "get_entry", "resolve_model"]
