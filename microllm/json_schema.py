"""The JSON Schema of all intents, made as tight as the pydantic models, for constrained decoding.

pydantic's own schema cannot say "exactly one of username / group", "priority only for MX" or "missing lists
required fields of the intended action"; a grammar built from it would let a model write schema-valid JSON that
the parser then rejects. The refinements below express those rules as ``oneOf`` variants, and bound string
lengths and list sizes so that decoding always ends within a small token budget.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from microllm.schema import _INTENT, MODEL_BY_ACTION, OPERATIONS, required_fields

SCHEMA_PATH = Path(__file__).parent / "resources" / "intent.schema.json"
RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "PTR", "SRV", "CAA"]
MAX_STRING = 120  # longest value a request plausibly holds (TXT records, comments)
MAX_LIST = 8  # nameservers, alt names
MAX_STEPS = 5  # steps of a multi-step request


def _drop_nulls(node: Any) -> Any:
    """Remove the `null` branches and `default: null` pydantic emits for optional fields: never valid here."""
    if isinstance(node, list):
        return [_drop_nulls(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _drop_nulls(v) for k, v in node.items() if not (k == "default" and v is None)}
    if "anyOf" in out:
        branches = [b for b in out["anyOf"] if b != {"type": "null"}]
        if len(branches) == 1:
            rest = {k: v for k, v in out.items() if k != "anyOf"}
            return {**branches[0], **rest}
        out["anyOf"] = branches
    return out


def _bound(node: Any) -> Any:
    """maxLength on strings and maxItems on lists, so every decode ends within a few hundred tokens."""
    if isinstance(node, list):
        return [_bound(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _bound(v) for k, v in node.items()}
    if out.get("type") == "string" and "const" not in out and "enum" not in out:
        out.setdefault("maxLength", MAX_STRING)
    if out.get("type") == "array":
        out.setdefault("maxItems", MAX_LIST)
    return out


def _variant(obj: dict, keep: str, drop: str) -> dict:
    v = copy.deepcopy(obj)
    v["properties"].pop(drop)
    v["required"] = [*v["required"], keep]
    v.pop("title", None)
    return v


def _exactly_one(defs: dict) -> None:
    for model in MODEL_BY_ACTION.values():
        a, b = getattr(model, "one_of", ("", ""))
        if a:
            obj = defs[model.__name__]
            defs[model.__name__] = {"oneOf": [_variant(obj, a, b), _variant(obj, b, a)], "title": model.__name__}


def _dns(defs: dict) -> None:
    for name in ("DnsAdd", "DnsUpdate", "DnsRemove", "DnsLookup"):
        defs[name]["properties"]["record_type"] = {"enum": RECORD_TYPES, "type": "string"}
    add = defs["DnsAdd"]
    mx = copy.deepcopy(add)
    mx["properties"]["record_type"] = {"const": "MX", "type": "string"}
    other = copy.deepcopy(add)
    other["properties"].pop("priority")
    other["properties"]["record_type"] = {"enum": [t for t in RECORD_TYPES if t != "MX"], "type": "string"}
    defs["DnsAdd"] = {"oneOf": [other, mx], "title": "DnsAdd"}


def _clarify(defs: dict) -> None:
    variants = []
    for op in OPERATIONS:
        fields = required_fields(op)
        variants.append({
            "type": "object", "additionalProperties": False, "required": ["action", "intent", "missing"],
            "properties": {
                "action": {"const": "clarify", "type": "string"},
                "intent": {"const": op, "type": "string"},
                "missing": {"type": "array", "items": {"enum": fields, "type": "string"}, "minItems": 1,
                            "maxItems": len(fields), "uniqueItems": True},
            },
        })  # fmt: skip
    defs["Clarify"] = {"oneOf": variants, "title": "Clarify"}


def _key_order(node: Any) -> Any:
    """Properties as action, then required, then optional fields: the order grammars force and prompts show."""
    if isinstance(node, list):
        return [_key_order(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _key_order(v) for k, v in node.items()}
    props = out.get("properties")
    if isinstance(props, dict) and "action" in props:
        req = out.get("required", [])
        keys = ["action"] + [k for k in props if k in req and k != "action"] + [k for k in props if k not in req]
        out["properties"] = {k: props[k] for k in keys}
        out["required"] = [k for k in keys if k in req]
    return out


def key_order(intent: dict) -> list[str]:
    """The order :func:`intent_json_schema` puts an intent's keys in (for prompts that match the grammar)."""
    action = intent["action"]
    if action not in MODEL_BY_ACTION:
        return ["action", *[k for k in ("steps", "intent", "missing") if k in intent]]
    fields = [f for f in MODEL_BY_ACTION[action].model_fields if f != "action"]
    req = set(required_fields(action)) | {f for f in getattr(MODEL_BY_ACTION[action], "one_of", ()) if f in intent}
    return ["action", *[f for f in fields if f in req], *[f for f in fields if f not in req]]


def _ordered(intent: dict) -> dict:
    out = {k: intent[k] for k in key_order(intent) if k in intent}
    if "steps" in out:
        out["steps"] = [_ordered(step) for step in out["steps"]]
    return out


def ordered_json(intent: dict) -> str:
    """An intent as JSON text with keys in schema order (nested multi steps too)."""
    return json.dumps(_ordered(intent), ensure_ascii=False)


def intent_json_schema() -> dict:
    """The JSON Schema of all intents (what constrained decoding restricts output to)."""
    schema = _bound(_drop_nulls(_INTENT.json_schema()))
    defs = schema["$defs"]
    _exactly_one(defs)
    _dns(defs)
    _clarify(defs)
    defs["Multi"]["properties"]["steps"]["maxItems"] = MAX_STEPS
    schema["$defs"] = _key_order(defs)
    schema.pop("discriminator", None)  # mappings point at defs that are now unions; oneOf alone is exact
    schema["title"] = "microllm intent (spec v1)"
    schema["$id"] = "https://microllm.local/intent.schema.json"
    return schema


def export_json_schema(path: str | Path = SCHEMA_PATH) -> str:
    """Write :func:`intent_json_schema` to ``path`` (the packaged copy by default); return the path."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(intent_json_schema(), indent=2, sort_keys=True) + "\n")
    return str(path)


def action_json_schema(action: str) -> dict:
    """:func:`intent_json_schema` narrowed to one operation: a grammar that makes a model write that action."""
    if action not in MODEL_BY_ACTION:
        raise ValueError(f"{action!r} is not an operation of the spec")
    schema = intent_json_schema()
    name = "".join(part.capitalize() for part in action.split("_"))
    if name not in schema["$defs"]:
        raise ValueError(f"the intent schema has no definition {name!r} for {action!r}")
    schema["oneOf"] = [{"$ref": f"#/$defs/{name}"}]
    return schema
