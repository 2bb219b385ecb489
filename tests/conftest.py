"""Shared fixtures: the repo root and the spec's example table as (request, gold) pairs."""

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
