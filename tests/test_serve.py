"""The HTTP service, for real: uvicorn on a loopback port in a thread, requests over httpx."""

import contextlib
import json
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from microllm.baselines.rules import RulesPredictor
from microllm.router import LLMRouter
from microllm.serve import ServeOptions, create_app, redact_intent, redact_text

# No request or decision-row limits: these tests measure the models and the store, not the limits.
UNLIMITED = ServeOptions(rate_per_s=None, log_rows_per_minute=None, log_rows_per_client_per_minute=None)

SEED = {
    "Add DNS record api.local to 10.0.0.5":
        {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"},
    "Create user john with password abc123": {"action": "user_add", "username": "john", "password": "abc123"},
    "Give john access to the family share": {"action": "share_grant_access", "share": "family", "username": "john"},
}  # fmt: skip


class Rules(RulesPredictor):
    """The rules baseline under another name, so responses show which model answered."""

    def __init__(self, name: str):
        self.name = name


class OneAtATime(Rules):
    """Fails the test if two threads are ever inside predict at once (as llama.cpp would corrupt its context)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.inside, self.max_inside, self.guard = 0, 0, threading.Lock()

    def predict(self, text):
        with self.guard:
            self.inside += 1
            self.max_inside = max(self.max_inside, self.inside)
        time.sleep(0.002)  # widen the window a race would need
        try:
            return super().predict(text)
        finally:
            with self.guard:
                self.inside -= 1


class Store:
    def __init__(self, fail: bool = False):
        self.calls, self.fail = [], fail

    def record(self, **decision):
        self.calls.append(decision)
        if self.fail:
            raise OSError("disk full")


@contextlib.contextmanager
def running(app):
    """Serve ``app`` on a free loopback port (the socket is bound first: no race for the port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=60) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from microllm.feedback.store import DecisionStore

    db = tmp_path_factory.mktemp("decisions") / "decisions.db"
    micro, general, store = OneAtATime("micro-rules"), Rules("general-rules"), DecisionStore(f"sqlite:///{db}")
    app = create_app(micro, general, LLMRouter(micro, general, threshold=0.5), store=store, options=UNLIMITED)
    with running(app) as client:
        yield client, micro, store


def test_seed_requests(service, caplog):
    client, _, store = service
    caplog.set_level(logging.INFO, logger="microllm.serve")
    for query, gold in SEED.items():
        r = client.post("/api/v1/parse", json={"query": query})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["intent"] == gold and body["model"] == "micro-rules" and body["route"] == "micro"
        assert 0 <= body["confidence"] <= 1 and body["latency_ms"] >= 0
    # The password is in the answer (automation needs it) but never in the log or the decision store; the store
    # keeps rows learnable: one synthetic password, the same in the query and the intent.
    assert "abc123" not in caplog.text and "password ***" in caplog.text
    rows = [r for r in store.decisions() if r["query"].startswith("Create user john")]
    assert rows and "abc123" not in json.dumps(rows, default=str)
    intent = rows[-1]["intent"] if isinstance(rows[-1]["intent"], dict) else json.loads(rows[-1]["intent"])
    assert intent["password"] not in ("abc123", "***") and intent["password"] in rows[-1]["query"]


def test_out_of_scope_goes_to_the_general_model(service):
    body = service[0].post("/api/v1/parse", json={"query": "Why is my DNS not working?"}).json()
    assert body["intent"] == {"action": "unknown"} and body["route"] == "general" and body["model"] == "general-rules"


@pytest.mark.parametrize(
    "payload, error, reason",
    [({"query": "Create user root"}, "unsafe_intent", "reserved system account"),
     ({"query": "Add DNS record api.local to 999.1.1.1"}, "unsafe_intent", "not a valid IPv4 address"),
     ({"query": "   "}, "invalid_request", "empty"),
     ({"query": "x" * 5000}, "invalid_request", "too long"),
     ({"query": 42}, "invalid_request", "query"),
     ({}, "invalid_request", "Field required")],
)  # fmt: skip
def test_bad_requests_are_422_with_a_reason(service, payload, error, reason):
    r = service[0].post("/api/v1/parse", json=payload)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail["error"] == error and reason in detail["reason"], detail


def test_dns_add_endpoint(service):
    client = service[0]
    q = {"query": "Add DNS record api.local to 10.0.0.5"}
    micro = client.post("/api/v1/dns/add", json=q, headers={"X-Use-Micro-LLM": "true"}).json()
    general = client.post("/api/v1/dns/add", json=q, headers={"X-Use-Micro-LLM": "false"}).json()
    assert (micro["model"], general["model"]) == ("micro-rules", "general-rules")
    assert micro["intent"] == general["intent"] == SEED[q["query"]]
    fields = client.post("/api/v1/dns/add", json={"name": "api.local", "value": "10.0.0.5"})
    assert fields.status_code == 200 and fields.json()["intent"] == SEED[q["query"]]
    for payload, headers, reason in [
        ({"query": "Create user john"}, {}, "not dns_add"),
        ({"query": "Add a DNS record for api.local"}, {}, "missing record_type, value"),
        ({"name": "api.local", "value": "10.0.0.500"}, {}, "record_type"),
        ({"name": "a b", "value": "10.0.0.5"}, {}, "not a valid DNS name"),
        ({"name": "api.local", "value": "10.0.0.5", "query": "x"}, {}, "not both"),
        (q, {"X-Use-Micro-LLM": "maybe"}, "true or false"),
    ]:
        r = client.post("/api/v1/dns/add", json=payload, headers=headers)
        assert r.status_code == 422 and reason in r.json()["detail"]["reason"], (payload, r.text)


def test_health(service):
    body = service[0].get("/health").json()
    assert body["status"] == "ok" and body["versions"]["microllm"]
    assert body["models"]["micro"]["name"] == "micro-rules" and body["models"]["general"]["name"] == "general-rules"
    assert body["router"] == {"strategy": "confidence", "threshold": 0.5}
    assert body["ab"]["micro_share"] == 1.0 and body["service"]["auth"] == "none (loopback)"


def test_concurrent_burst_is_correct_and_serialised(service):
    client, micro, _ = service
    queries = list(SEED) * 11  # 33 requests
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda q: client.post("/api/v1/parse", json={"query": q}), queries))
    assert [r.status_code for r in responses] == [200] * len(queries)
    assert [r.json()["intent"] for r in responses] == [SEED[q] for q in queries]
    assert micro.max_inside == 1  # the app took requests concurrently; the model saw one at a time


def test_failing_store_never_fails_a_request():
    store = Store(fail=True)
    with running(create_app(Rules("micro-rules"), store=store)) as client:
        r = client.post("/api/v1/parse", json={"query": "Remove user jane"})
        assert r.status_code == 200 and r.json()["route"] == "micro" and len(store.calls) == 1
        no_general = client.post("/api/v1/parse", json={"query": "Remove user jane"}, headers={"X-Use-Micro-LLM": "0"})
        assert no_general.status_code == 422 and no_general.json()["detail"]["error"] == "no_model"


def test_redaction():
    steps = [{"action": "user_add", "username": "bob", "password": "S3cr3t!"},
             {"action": "user_set_password", "username": "al", "password": "pw2"}]  # fmt: skip
    intent = {"action": "multi", "steps": steps}
    text = "Create bob with password S3cr3t! and set al's password to pw2"
    assert "S3cr3t" not in redact_text(text, intent) and "pw2" not in redact_text(text, intent)
    assert "hunter2" not in redact_text('{"password": "hunter2"}') and "hunter2" not in redact_text("passwd=hunter2")
    masked = redact_intent(intent)
    assert [s["password"] for s in masked["steps"]] == ["***", "***"] and intent["steps"][0]["password"] == "S3cr3t!"


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    from microllm.backends.llamacpp import LlamaCppPredictor
    from microllm.testing import make_tiny_gguf

    root = tmp_path_factory.mktemp("serve_gguf")
    train = root / "train.jsonl"
    rows = [("Remove user jane", {"action": "user_remove", "username": "jane"}, "users"),
            ("Why is my DNS not working?", {"action": "unknown"}, "unknown")]  # fmt: skip
    train.write_text("".join(json.dumps({"input": i, "output": o, "category": c}) + "\n" for i, o, c in rows))
    return LlamaCppPredictor(model=str(make_tiny_gguf(root / "tiny.gguf")), prompt="few-shot", n_shots=2,
                             max_tokens=12, n_threads=1, train_file=str(train))  # fmt: skip


def test_tiny_gguf_under_concurrency_never_500(tiny_llama):
    """A random model's answers are garbage; the service must still answer each request with a 200 or a 422."""
    app = create_app(tiny_llama, Rules("general-rules"))
    queries = [*SEED, "Remove user jane", "Open port 22", "Create user bob with password hunter2"] * 2
    with running(app) as client, ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda q: client.post("/api/v1/parse", json={"query": q}), queries))
        health = client.get("/health").json()
    for r in responses:
        assert r.status_code in (200, 422), r.text
        body = r.json()
        assert body["model"].startswith("llamacpp:") if r.status_code == 200 else body["detail"]["reason"]
    assert health["models"]["micro"]["path"].endswith("tiny.gguf")


def test_tiny_gguf_falls_back_to_the_general_model(tiny_llama):
    app = create_app(tiny_llama, Rules("general-rules"), LLMRouter(tiny_llama, Rules("general-rules")))
    with running(app) as client, ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(lambda q: client.post("/api/v1/parse", json={"query": q}), list(SEED)))
    for query, r in zip(SEED, responses, strict=True):
        assert r.status_code == 200 and r.json()["intent"] == SEED[query] and r.json()["route"] == "general"


def test_cli_serve_loads_once_and_runs_uvicorn(monkeypatch, tmp_path):
    from microllm.cli import main

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    argv = ["serve", "--predictor", "rules", "--general-predictor", "rules", "--strategy", "keyword", "--port", "8123",
            "--db", f"sqlite:///{tmp_path / 'decisions.db'}"]  # fmt: skip
    assert main(argv) == 0
    assert (seen["host"], seen["port"], seen["workers"]) == ("127.0.0.1", 8123, 1)
    assert seen["app"].state.engine.router.strategy == "keyword"
    assert seen["app"].state.store is not None and (tmp_path / "decisions.db").exists()
    assert main([*argv[:-2], "--db", ""]) == 0 and seen["app"].state.store is None
