"""The intent contract (``shared/intent-spec.md``) as pydantic models, a parser and a normaliser.

Every model, baseline, generator and scorer goes through :func:`parse_intent` /
:func:`normalize_intent`, so the rules that make a gold answer unique live in one place.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

Str = Annotated[str, Field(strict=True, min_length=1)]
Int = Annotated[int, Field(strict=True)]
Bool = Annotated[bool, Field(strict=True)]


class _Action(BaseModel):
    # extra="forbid": the spec says "no other keys"; strict types: "443" is not a port.
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        # The spec: optional fields that are not stated are omitted, never null.
        if isinstance(data, dict):
            nulls = sorted(k for k, v in data.items() if v is None)
            if nulls:
                raise ValueError(f"null is not a value: omit {nulls} instead")
        return data


class _ExactlyOne(_Action):
    """Base for actions that need exactly one of two fields (share access, firewall rules)."""

    one_of: ClassVar[tuple[str, str]] = ("", "")

    @model_validator(mode="after")
    def _exactly_one(self):
        a, b = self.one_of
        if (getattr(self, a) is None) == (getattr(self, b) is None):
            raise ValueError(f"exactly one of '{a}' / '{b}' is required")
        return self


# --- dns ---------------------------------------------------------------------------------
class DnsAdd(_Action):
    action: Literal["dns_add"]
    name: Str
    record_type: Str
    value: Str
    ttl: Int | None = None
    priority: Int | None = None

    @model_validator(mode="after")
    def _priority_is_mx_only(self):
        if self.priority is not None and self.record_type.strip().upper() != "MX":
            raise ValueError("'priority' is only for MX records")
        return self


class DnsRemove(_Action):
    action: Literal["dns_remove"]
    name: Str
    record_type: Str | None = None


class DnsUpdate(_Action):
    action: Literal["dns_update"]
    name: Str
    record_type: Str
    value: Str
    ttl: Int | None = None


class DnsLookup(_Action):
    action: Literal["dns_lookup"]
    name: Str
    record_type: Str | None = None


# --- users -------------------------------------------------------------------------------
class UserAdd(_Action):
    action: Literal["user_add"]
    username: Str
    password: Str | None = None
    full_name: Str | None = None


class UserRemove(_Action):
    action: Literal["user_remove"]
    username: Str
    remove_home: Bool | None = None


class UserSetPassword(_Action):
    action: Literal["user_set_password"]
    username: Str
    password: Str


class UserAddToGroup(_Action):
    action: Literal["user_add_to_group"]
    username: Str
    group: Str


class UserRemoveFromGroup(_Action):
    action: Literal["user_remove_from_group"]
    username: Str
    group: Str


class UserLock(_Action):
    action: Literal["user_lock"]
    username: Str


class UserUnlock(_Action):
    action: Literal["user_unlock"]
    username: Str


class GroupAdd(_Action):
    action: Literal["group_add"]
    group: Str


class GroupRemove(_Action):
    action: Literal["group_remove"]
    group: Str


# --- samba -------------------------------------------------------------------------------
class ShareCreate(_Action):
    action: Literal["share_create"]
    name: Str
    path: Str
    read_only: Bool | None = None
    guest_ok: Bool | None = None
    comment: Str | None = None


class ShareRemove(_Action):
    action: Literal["share_remove"]
    name: Str


class ShareGrantAccess(_ExactlyOne):
    one_of = ("username", "group")
    action: Literal["share_grant_access"]
    share: Str
    username: Str | None = None
    group: Str | None = None
    access: Literal["read", "write"] | None = None


class ShareRevokeAccess(_ExactlyOne):
    one_of = ("username", "group")
    action: Literal["share_revoke_access"]
    share: Str
    username: Str | None = None
    group: Str | None = None


# --- mail --------------------------------------------------------------------------------
class MailSetRelay(_Action):
    action: Literal["mail_set_relay"]
    host: Str
    port: Int | None = None


class MailAliasAdd(_Action):
    action: Literal["mail_alias_add"]
    alias: Str
    destination: Str


class MailAliasRemove(_Action):
    action: Literal["mail_alias_remove"]
    alias: Str


# --- pki ---------------------------------------------------------------------------------
class CertCreate(_Action):
    action: Literal["cert_create"]
    common_name: Str
    days: Int | None = None
    alt_names: list[Str] | None = None
    key_type: Literal["rsa", "ec"] | None = None
    key_size: Int | None = None


class CertRenew(_Action):
    action: Literal["cert_renew"]
    common_name: Str
    days: Int | None = None


class CertRevoke(_Action):
    action: Literal["cert_revoke"]
    common_name: Str


# --- firewall ----------------------------------------------------------------------------
class _FwRule(_ExactlyOne):
    one_of = ("port", "service")
    port: Int | None = None
    service: Str | None = None
    protocol: Literal["tcp", "udp"] | None = None
    source: Str | None = None


class FwAllow(_FwRule):
    action: Literal["fw_allow"]


class FwDeny(_FwRule):
    action: Literal["fw_deny"]


class FwRemove(_FwRule):
    action: Literal["fw_remove"]


# --- network -----------------------------------------------------------------------------
class NetSetAddress(_Action):
    action: Literal["net_set_address"]
    interface: Str
    address: Str
    gateway: Str | None = None


class NetSetDhcp(_Action):
    action: Literal["net_set_dhcp"]
    interface: Str


class NetUp(_Action):
    action: Literal["net_up"]
    interface: Str


class NetDown(_Action):
    action: Literal["net_down"]
    interface: Str


class NetSetNameservers(_Action):
    action: Literal["net_set_nameservers"]
    servers: Annotated[list[Str], Field(min_length=1)]
    interface: Str | None = None


OPERATION_MODELS: tuple[type[_Action], ...] = (
    DnsAdd, DnsRemove, DnsUpdate, DnsLookup,
    UserAdd, UserRemove, UserSetPassword, UserAddToGroup, UserRemoveFromGroup, UserLock, UserUnlock,
    GroupAdd, GroupRemove,
    ShareCreate, ShareRemove, ShareGrantAccess, ShareRevokeAccess,
    MailSetRelay, MailAliasAdd, MailAliasRemove,
    CertCreate, CertRenew, CertRevoke,
    FwAllow, FwDeny, FwRemove,
    NetSetAddress, NetSetDhcp, NetUp, NetDown, NetSetNameservers,
)  # fmt: skip

MODEL_BY_ACTION: dict[str, type[_Action]] = {
    m.model_fields["action"].annotation.__args__[0]: m for m in OPERATION_MODELS
}
OPERATIONS: tuple[str, ...] = tuple(MODEL_BY_ACTION)
OperationName = Literal[OPERATIONS]  # type: ignore[valid-type]

Operation = Annotated[
    DnsAdd | DnsRemove | DnsUpdate | DnsLookup
    | UserAdd | UserRemove | UserSetPassword | UserAddToGroup | UserRemoveFromGroup | UserLock | UserUnlock
    | GroupAdd | GroupRemove
    | ShareCreate | ShareRemove | ShareGrantAccess | ShareRevokeAccess
    | MailSetRelay | MailAliasAdd | MailAliasRemove
    | CertCreate | CertRenew | CertRevoke
    | FwAllow | FwDeny | FwRemove
    | NetSetAddress | NetSetDhcp | NetUp | NetDown | NetSetNameservers,
    Field(discriminator="action"),
]  # fmt: skip


def required_fields(action: str) -> list[str]:
    """Required field names of an operation; for "exactly one of A / B" the spec's choice A."""
    model = MODEL_BY_ACTION[action]
    names = [n for n, f in model.model_fields.items() if f.is_required() and n != "action"]
    one_of = getattr(model, "one_of", ("", ""))
    if one_of[0]:
        names.append(one_of[0])
    return names


class Multi(_Action):
    action: Literal["multi"]
    steps: Annotated[list[Operation], Field(min_length=2)]


class Clarify(_Action):
    action: Literal["clarify"]
    intent: OperationName
    missing: Annotated[list[Str], Field(min_length=1)]

    @model_validator(mode="after")
    def _missing_are_fields(self):
        required = required_fields(self.intent)
        bad = [m for m in self.missing if m not in required]
        if bad:
            raise ValueError(f"'missing' must list required fields of {self.intent} ({required}), not {bad}")
        return self


class Unknown(_Action):
    action: Literal["unknown"]


META_ACTIONS = ("multi", "clarify", "unknown")
ACTIONS: tuple[str, ...] = OPERATIONS + META_ACTIONS

Intent = Annotated[
    Operation | Multi | Clarify | Unknown,  # type: ignore[operator]
    Field(discriminator="action"),
]
_INTENT = TypeAdapter(Intent)

DOMAIN_OF_ACTION: dict[str, str] = {
    **{a: a.split("_")[0] for a in OPERATIONS},
    **{a: "users" for a in OPERATIONS if a.startswith(("user_", "group_"))},
    **{a: "samba" for a in OPERATIONS if a.startswith("share_")},
    **{a: "pki" for a in OPERATIONS if a.startswith("cert_")},
    **{a: "firewall" for a in OPERATIONS if a.startswith("fw_")},
    **{a: "network" for a in OPERATIONS if a.startswith("net_")},
    **{a: a for a in META_ACTIONS},
}


class IntentError(ValueError):
    """Model text that is not a valid intent. ``kind`` names the failure for reports."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def _load_json(text: str) -> Any:
    if not isinstance(text, str):
        raise IntentError("not_json", f"expected model text (str), got {type(text).__name__}")
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1)
    if not body:
        raise IntentError("not_json", "empty output: expected one JSON object")
    try:
        return json.loads(body)
    except json.JSONDecodeError as e:
        raise IntentError("not_json", f"not valid JSON ({e.msg} at line {e.lineno} col {e.colno})") from None


def _loc(parts: tuple) -> str:
    """('multi', 'steps', 1, 'user_add', 'username') -> 'steps[1].username' (union tags dropped)."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif p not in ACTIONS and not str(p).startswith("function-"):
            out += f".{p}" if out else str(p)
    return out or "<root>"


def _describe(err: ValidationError) -> IntentError:
    """Turn pydantic's errors into one IntentError whose kind says what went wrong first."""
    kinds = {"missing": "missing_field", "extra_forbidden": "extra_field", "union_tag_invalid": "unknown_action"}
    parts, kind = [], None
    for e in err.errors():
        loc = _loc(e["loc"])
        this = kinds.get(e["type"]) or ("wrong_type" if e["type"].endswith("_type") else "invalid")
        kind = kind or this
        if e["type"] == "union_tag_invalid":
            got = e["input"].get("action") if isinstance(e["input"], dict) else None
            where = "" if loc == "<root>" else f"{loc}: "
            parts.append(
                f"{where}action {got!r} is not allowed here" if got in ACTIONS else f"{where}unknown action {got!r}"
            )
        elif e["type"] == "union_tag_not_found":
            kind = "missing_field" if kind == "invalid" else kind
            parts.append(f"{loc}: missing 'action'")
        else:
            parts.append(f"{loc}: {e['msg']}")
    return IntentError(kind or "invalid", "; ".join(parts))


def validate_intent(obj: Any) -> dict:
    """Check a decoded object against the schema; return it normalised, or raise IntentError."""
    if not isinstance(obj, dict):
        raise IntentError("not_object", f"expected a JSON object, got {type(obj).__name__}")
    if "action" not in obj:
        raise IntentError("missing_field", "missing 'action'")
    if obj["action"] not in ACTIONS:
        raise IntentError("unknown_action", f"unknown action {obj['action']!r}")
    try:
        model = _INTENT.validate_python(obj)
    except ValidationError as e:
        raise _describe(e) from None
    return normalize_intent(model.model_dump(exclude_none=True))


def parse_intent(text: str) -> dict:
    """Parse model output text (one JSON object, optionally in a ```json fence) into a normal intent."""
    return validate_intent(_load_json(text))


# --- normalisation (spec, "Rules that make the gold answer unique") -----------------------
def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return value  # rule 8: copied as asked; rejecting it is the validator's job


def _iface_or_net(value: str) -> str:
    try:
        return str(ipaddress.ip_interface(value.strip()))
    except ValueError:
        return value


def _host(value: str) -> str:
    return value.strip().rstrip(".").lower()


_HOST_VALUE_TYPES = {"CNAME", "MX", "NS", "PTR", "SRV"}


def normalize_intent(intent: dict) -> dict:
    """Canonical form of an already-valid intent: the form gold answers and predictions are compared in."""
    out = dict(intent)
    action = out.get("action")
    if action == "multi":
        out["steps"] = [normalize_intent(s) for s in out["steps"]]
    elif action == "clarify":
        out["missing"] = sorted(set(out["missing"]))
    elif action in ("dns_add", "dns_update", "dns_remove", "dns_lookup"):
        out["name"] = _host(out["name"])
        if "record_type" in out:
            out["record_type"] = out["record_type"].strip().upper()
        if "value" in out:
            rtype = out.get("record_type")
            if rtype in ("A", "AAAA"):
                out["value"] = _ip(out["value"])
            elif rtype in _HOST_VALUE_TYPES:
                out["value"] = _host(out["value"])
    elif action in ("fw_allow", "fw_deny", "fw_remove"):
        if "service" in out:
            out["service"] = out["service"].strip().lower()
        if "source" in out:
            out["source"] = _iface_or_net(out["source"]) if "/" in out["source"] else _ip(out["source"])
    elif action == "net_set_address":
        if "/" in out["address"]:  # a bare IP stays as asked; the validator asks for the prefix
            out["address"] = _iface_or_net(out["address"])
        if "gateway" in out:
            out["gateway"] = _ip(out["gateway"])
    elif action == "net_set_nameservers":
        out["servers"] = [_ip(s) for s in out["servers"]]
    elif action in ("cert_create", "cert_renew", "cert_revoke"):
        out["common_name"] = _host(out["common_name"])
        if "alt_names" in out:
            out["alt_names"] = [_host(n) for n in out["alt_names"]]
    elif action == "mail_set_relay":
        out["host"] = _ip(_host(out["host"]))
    return out


def canonical_json(intent: dict) -> str:
    """One stable text form of an intent (sorted keys, compact): for hashing, dedup and training targets."""
    return json.dumps(intent, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def intent_json_schema() -> dict:
    """The JSON Schema of all intents, tight enough for constrained decoding (see :mod:`microllm.json_schema`)."""
    from microllm.json_schema import intent_json_schema as build

    return build()
