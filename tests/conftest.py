"""Shared fixtures: the repo root and the spec's example table as (request, gold) pairs."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SPEC_EXAMPLES = [
    (
        "Add DNS record api.local to 10.0.0.5",
        {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"},
    ),
    ("Remove DNS entry for old.example.com", {"action": "dns_remove", "name": "old.example.com"}),
    (
        "Create CNAME from www.local to server.local",
        {"action": "dns_add", "name": "www.local", "record_type": "CNAME", "value": "server.local"},
    ),
    ("Create user john with password abc123", {"action": "user_add", "username": "john", "password": "abc123"}),
    ("Add john to samba group", {"action": "user_add_to_group", "username": "john", "group": "samba"}),
    ("Remove user jane", {"action": "user_remove", "username": "jane"}),
    (
        "Create share called 'family' at /srv/shares/family",
        {"action": "share_create", "name": "family", "path": "/srv/shares/family"},
    ),
    ("Give john access to family share", {"action": "share_grant_access", "share": "family", "username": "john"}),
    (
        "Open port 443/tcp from 10.0.0.0/8",
        {"action": "fw_allow", "port": 443, "protocol": "tcp", "source": "10.0.0.0/8"},
    ),
    ("Why is my DNS not working?", {"action": "unknown"}),
]


@pytest.fixture
def root() -> Path:
    return ROOT


def tiny_gguf_and_train(root: Path, rows: list[tuple[str, dict, str]]) -> dict[str, str]:
    """A tiny random llama GGUF (its tokenizer trained here) and a train file of (input, output, category) rows, as
    the llama.cpp tests use them: ``{"model": ..., "train": ...}``."""
    import json

    from microllm.testing import build_tiny_llama, build_tiny_tokenizer, write_tiny_gguf

    tokenizer = build_tiny_tokenizer()
    model = write_tiny_gguf(build_tiny_llama(tokenizer), tokenizer, root / "tiny.gguf")
    train = root / "train.jsonl"
    train.write_text("".join(json.dumps({"input": i, "output": o, "category": c}) + "\n" for i, o, c in rows))
    return {"model": str(model), "train": str(train)}


# One valid intent per operation (the first-listed shape of each), shared by the execution and safety tests.
ONE_PER_ACTION = {
    "dns_add": {"action": "dns_add", "name": "mail.local", "record_type": "MX", "value": "mx1.local", "priority": 5},
    "dns_remove": {"action": "dns_remove", "name": "old.example.com"},
    "dns_update": {"action": "dns_update", "name": "api.local", "record_type": "A", "value": "10.0.0.6", "ttl": 60},
    "dns_lookup": {"action": "dns_lookup", "name": "api.local", "record_type": "A"},
    "user_add": {"action": "user_add", "username": "zed", "password": "Pa55-word-7f3k", "full_name": "Zed Q"},
    "user_remove": {"action": "user_remove", "username": "zed", "remove_home": True},
    "user_set_password": {"action": "user_set_password", "username": "zed", "password": "Pa55-word-7f3k"},
    "user_add_to_group": {"action": "user_add_to_group", "username": "zed", "group": "staffers"},
    "user_remove_from_group": {"action": "user_remove_from_group", "username": "zed", "group": "staffers"},
    "user_lock": {"action": "user_lock", "username": "zed"},
    "user_unlock": {"action": "user_unlock", "username": "zed"},
    "group_add": {"action": "group_add", "group": "staffers"},
    "group_remove": {"action": "group_remove", "group": "staffers"},
    "share_create": {"action": "share_create", "name": "media", "path": "/srv/media", "read_only": False,
                     "guest_ok": False, "comment": "Media files"},
    "share_remove": {"action": "share_remove", "name": "media"},
    "share_grant_access": {"action": "share_grant_access", "share": "media", "group": "staffers", "access": "write"},
    "share_revoke_access": {"action": "share_revoke_access", "share": "media", "username": "zed"},
    "mail_set_relay": {"action": "mail_set_relay", "host": "smtp.example.com", "port": 587},
    "mail_alias_add": {"action": "mail_alias_add", "alias": "info", "destination": "zed@example.com"},
    "mail_alias_remove": {"action": "mail_alias_remove", "alias": "info"},
    "cert_create": {"action": "cert_create", "common_name": "api.local", "days": 30, "alt_names": ["www.local"],
                    "key_type": "ec", "key_size": 384},
    "cert_renew": {"action": "cert_renew", "common_name": "api.local", "days": 90},
    "cert_revoke": {"action": "cert_revoke", "common_name": "api.local"},
    "fw_allow": {"action": "fw_allow", "port": 443, "protocol": "tcp", "source": "10.0.0.0/8"},
    "fw_deny": {"action": "fw_deny", "service": "telnet"},
    "fw_remove": {"action": "fw_remove", "port": 8080},
    "net_set_address": {"action": "net_set_address", "interface": "eth1", "address": "10.0.0.5/24",
                        "gateway": "10.0.0.1"},
    "net_set_dhcp": {"action": "net_set_dhcp", "interface": "eth1"},
    "net_up": {"action": "net_up", "interface": "eth1"},
    "net_down": {"action": "net_down", "interface": "eth1"},
    "net_set_nameservers": {"action": "net_set_nameservers", "servers": ["10.0.0.53", "2001:db8::53"]},
}  # fmt: skip


def write_record(path, obj) -> None:
    """Write a fake record for the report tests: JSONL rows for a .jsonl path, else one JSON document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in obj))
    else:
        path.write_text(json.dumps(obj))
