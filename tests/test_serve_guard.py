"""The service fit for a network, over HTTP on loopback: API keys off loopback, body and rate limits, docs off,
strict types, bounded decision rows, the shipped model as the only default, and what /health and the log report."""

import argparse
import hashlib
import logging
import socket
import time
from pathlib import Path

import pytest
import uvicorn
from test_serve import SEED, Rules, Store, running

from microllm.models.shipped import ModelNotBuilt, require_shipped_model, shipped_decoding, shipped_model_path
from microllm.serve import (
    ServeConfigError,
    ServeOptions,
    create_app,
    load_api_keys,
    load_predictor,
    model_info,
    options_from_args,
)
from microllm.serve.guard import RateLimiter
from microllm.serve.options import is_loopback

KEY, OTHER = "k-" + "a" * 30, "k-" + "b" * 30
QUERY = {"query": "Remove user jane"}


def opts(**kw) -> ServeOptions:
    base = {"rate_per_s": None, "log_rows_per_minute": None, "log_rows_per_client_per_minute": None}
    return ServeOptions(**{**base, **kw})


def test_keys_required_off_loopback(caplog):
    caplog.set_level(logging.INFO, logger="microllm.serve")
    app = create_app(Rules("micro-rules"), options=opts(host="0.0.0.0", api_keys=frozenset({KEY, OTHER})))
    with running(app) as client:
        assert client.get("/health").status_code == 200  # open: a load balancer checks it without a key
        for headers in ({}, {"Authorization": "Bearer wrong-key-wrong-key"}, {"X-API-Key": ""}, {"Authorization": KEY}):
            r = client.post("/api/v1/parse", json=QUERY, headers=headers)
            assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", (headers, r.text)
            assert r.json()["detail"]["error"] == "unauthorized"
        assert client.post("/api/v1/dns/add", json={"name": "a.local", "value": "10.0.0.1"}).status_code == 401
        ok = client.post("/api/v1/parse", json=QUERY, headers={"Authorization": f"Bearer {KEY}"})
        also = client.post("/api/v1/parse", json=QUERY, headers={"X-API-Key": OTHER})
        assert ok.status_code == also.status_code == 200 and ok.json()["intent"]["action"] == "user_remove"
        health = client.get("/health").json()
    assert health["service"]["auth"] == "api_key" and health["counters"]["refused"]["401"] == 5
    assert KEY not in caplog.text and OTHER not in caplog.text and KEY not in str(health)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org"])
def test_refuses_to_start_off_loopback_without_keys(host, monkeypatch, capsys, tmp_path):
    from microllm.cli import main

    assert not is_loopback(host)
    monkeypatch.delenv("MICROLLM_API_KEYS", raising=False)
    with pytest.raises(ServeConfigError, match="without API keys"):
        create_app(Rules("micro-rules"), options=ServeOptions(host=host))
    with pytest.raises(ServeConfigError, match="without API keys"):
        options_from_args(argparse.Namespace(host=host))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("must not serve"))
    assert main(["serve", "--predictor", "rules", "--host", host, "--db", ""]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "without API keys" in err and "MICROLLM_API_KEYS" in err
    # With keys from the environment it starts (uvicorn stubbed) and checks them.
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    monkeypatch.setenv("MICROLLM_API_KEYS", f"{KEY}, {OTHER}")
    assert main(["serve", "--predictor", "rules", "--host", host, "--db", ""]) == 0
    assert seen["app"].state.options.require_keys and seen["limit_concurrency"] == 64


def test_loopback_hosts_need_no_keys():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))


def test_api_key_file(tmp_path, monkeypatch):
    f = tmp_path / "keys"
    f.write_text(f"# service keys\n{KEY}\n\n  {OTHER}  \n")
    assert load_api_keys(f, env={}) == {KEY, OTHER}
    assert load_api_keys(None, env={"MICROLLM_API_KEYS": f"{KEY} {OTHER},"}) == {KEY, OTHER}
    f.write_text("short\n")
    with pytest.raises(ServeConfigError, match="shorter than 16") as e:
        load_api_keys(f, env={})
    assert "short\n" not in str(e.value)
    with pytest.raises(ServeConfigError, match="does not exist"):
        load_api_keys(tmp_path / "none", env={})


def raw_request(port: int, head: bytes, body: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(head + body)
        return s.recv(65536)


def test_body_size_limit(tmp_path):
    store = Store()
    with running(create_app(Rules("micro-rules"), store=store, options=opts(max_body_bytes=16 * 1024))) as client:
        big = {"query": "Remove user jane " + "x" * 17_000}
        r = client.post("/api/v1/parse", json=big)
        assert r.status_code == 413 and r.json()["detail"]["error"] == "too_large"
        # No Content-Length (chunked): refused once the bytes read pass the limit.
        chunks = (b'{"query": "' + b"y" * 1024 for _ in range(20))
        r = client.post("/api/v1/parse", content=chunks, headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        # A 50 MB declared body is refused from its headers: the answer comes without a byte of it being sent.
        port = int(str(client.base_url).rsplit(":", 1)[1])
        head = (b"POST /api/v1/parse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 52428800\r\n\r\n")  # fmt: skip
        assert raw_request(port, head).startswith(b"HTTP/1.1 413")
        bad = raw_request(port, head.replace(b"52428800", b"-1"))
        assert bad.startswith(b"HTTP/1.1 4")
        small = client.post("/api/v1/parse", json=QUERY)
        assert small.status_code == 200 and client.get("/health").json()["counters"]["refused"]["413"] >= 3
    assert len(store.calls) == 1


def test_rate_limit_per_client_with_retry_after():
    app = create_app(Rules("micro-rules"), options=opts(rate_per_s=0.5, rate_burst=3, api_keys=frozenset({KEY, OTHER})))
    with running(app) as client:
        mine = [client.post("/api/v1/parse", json=QUERY, headers={"X-API-Key": KEY}) for _ in range(5)]
        theirs = client.post("/api/v1/parse", json=QUERY, headers={"X-API-Key": OTHER})
        health = [client.get("/health").status_code for _ in range(10)]
    assert [r.status_code for r in mine] == [200, 200, 200, 429, 429] and theirs.status_code == 200
    assert int(mine[3].headers["retry-after"]) >= 1 and mine[3].json()["detail"]["error"] == "rate_limited"
    assert set(health) == {200}


def test_token_bucket_refills():
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=2, max_clients=3, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.5]
    now[0] = 0.5
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    for c in "bcde":
        limiter.take(c)
    assert len(limiter.buckets) == 3  # bounded memory: the least recently seen clients are forgotten


def test_docs_off_unless_asked():
    with running(create_app(Rules("micro-rules"), options=opts())) as client:
        assert [client.get(p).status_code for p in ("/docs", "/redoc", "/openapi.json")] == [404] * 3
    with running(create_app(Rules("micro-rules"), options=opts(docs=True))) as client:
        assert [client.get(p).status_code for p in ("/docs", "/openapi.json")] == [200] * 2


def test_structured_dns_types_are_strict():
    fields = {"name": "api.local", "value": "10.0.0.5"}
    with running(create_app(Rules("micro-rules"), options=opts())) as client:
        assert client.post("/api/v1/dns/add", json={**fields, "ttl": 300}).json()["intent"]["ttl"] == 300
        for bad in ({"ttl": "300"}, {"ttl": True}, {"ttl": 300.0}, {"priority": "10"}, {"name": 5}):
            r = client.post("/api/v1/dns/add", json={**fields, **bad})
            assert r.status_code == 422 and next(iter(bad)) in r.json()["detail"]["reason"], (bad, r.text)
        assert client.post("/api/v1/parse", json={"query": ["Remove user jane"]}).status_code == 422


def test_decision_rows_are_capped_per_client():
    store = Store()
    app = create_app(Rules("micro-rules"), store=store, options=opts(log_rows_per_client_per_minute=5))
    with running(app) as client:
        answers = [client.post("/api/v1/parse", json={"query": q}) for q in [*SEED, *SEED, *SEED]]
        health = client.get("/health").json()
    assert all(r.status_code in (200, 422) for r in answers)  # every request answered, rows or not
    assert len(store.calls) == 5 and health["counters"]["decisions_dropped"] == 4


def test_health_and_start_log_name_the_files(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="microllm.serve")
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF" + bytes(1000))

    class Loaded(Rules):
        resolved = type("R", (), {"path": weights, "adapter": None, "entry": None, "kind": "gguf",
                                  "size_bytes": 1004})()  # fmt: skip

    info = model_info(Loaded("micro-file"), {"n_threads": "4"})
    assert info["files"] == [{"path": str(weights), "size_bytes": 1004,
                              "sha256": hashlib.sha256(weights.read_bytes()).hexdigest()}]  # fmt: skip
    options = opts()
    options.model_options = {"micro": {"predictor": "llamacpp", "n_threads": "4"}}
    with running(create_app(Loaded("micro-file"), options=options)) as client:
        micro = client.get("/health").json()["models"]["micro"]
    assert micro["files"] == info["files"] and micro["options"]["n_threads"] == "4"
    assert "micro model:" in caplog.text and info["files"][0]["sha256"] in caplog.text


def test_shipped_model_is_the_only_default(tmp_path, monkeypatch, capsys):
    from microllm.cli import main

    monkeypatch.delenv("MICROLLM_MODEL", raising=False)
    assert shipped_model_path() == Path(shipped_decoding()["kwargs"]["model"])
    assert shipped_model_path().name.endswith(".gguf") and shipped_model_path().is_absolute()
    missing = tmp_path / "nothing.gguf"
    monkeypatch.setenv("MICROLLM_MODEL", str(missing))
    assert shipped_model_path() == missing
    with pytest.raises(ModelNotBuilt, match="make all"):
        require_shipped_model()
    with pytest.raises(ModelNotBuilt):
        load_predictor("llamacpp")  # never the untuned base model
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("must not serve"))
    assert main(["serve", "--db", ""]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "make all" in err and str(missing) in err
    missing.write_bytes(b"GGUF")
    assert require_shipped_model() == missing
    seen = {}
    monkeypatch.setattr("microllm.predictors.get_predictor", lambda name, **kw: seen.update(name=name, **kw))
    load_predictor("llamacpp", options=["n_threads=2"])
    # The recipe's decoding, its intent rules included, with the options on top.
    recipe = {"prompt": "auto", "constrained": "true", "ground": "true", "rules": "default", "draft": "rules"}
    assert seen == {"name": "llamacpp", "model": str(missing), "n_threads": "2", **recipe}


def test_burst_within_limits_is_all_answered():
    """A bounded load test: 200 requests from 8 threads with the default limits lifted only for rate."""
    from concurrent.futures import ThreadPoolExecutor

    app = create_app(Rules("micro-rules"), options=ServeOptions(rate_per_s=None))
    start = time.monotonic()
    with running(app) as client, ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda q: client.post("/api/v1/parse", json={"query": q}).status_code, list(SEED) * 67))
    assert codes.count(200) == len(codes) == 201 and time.monotonic() - start < 20
