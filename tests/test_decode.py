"""The decoding loop every model backend shares (microllm.decode): grounding as constraint data, forced tokens in one
batch, on a tiny GGUF (llama.cpp) and a tiny transformers model."""

import json
import os

import pytest

from microllm.backends.llamacpp import LlamaCppPredictor
from microllm.decode import Grammar, decode, grounded_schema
from microllm.decode.constraints import Candidates, cidr_addresses, ipv6_addresses, numbers, spans
from microllm.decode.drafts import drafter, rules_draft
from microllm.decode.engine import draft_tokens
from microllm.decode.runners import LlamaCppRunner, common_prefix
from microllm.testing import is_schema_prefix, save_tiny_model
from tests.conftest import tiny_gguf_and_train

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROWS = [("Remove user jane", {"action": "user_remove", "username": "jane"}, "users"),
        ("Add group devs", {"action": "group_add", "group": "devs"}, "users"),
        ("Add DNS record api.local to 10.0.0.5", {"action": "dns_add", "name": "api.local", "record_type": "A",
                                                  "value": "10.0.0.5"}, "dns")]  # fmt: skip
QUERIES = ["Remove user jane", "Create user john with password abc123", "Add an A record web.lan -> 10.1.2.3",
           "Open port 8443/tcp from 10.0.0.0/8", "Give maria.k write access to the share Board"]  # fmt: skip


def _defs(schema: dict, name: str) -> list[dict]:
    node = schema["$defs"][name]
    return node.get("oneOf") or node.get("anyOf") or [node]


def _enum(schema: dict, node: dict) -> list:
    if "$ref" in node:
        return schema["$defs"][node["$ref"].rsplit("/", 1)[1]]["enum"]
    return node["enum"]


def test_spans_start_and_end_at_word_boundaries():
    got = spans("Remove user jane.doe, now")
    assert "jane.doe" in got and "user jane.doe" in got and "now" in got
    # "jane" is no whole name in "jane.doe" (grounding's word boundaries), nor are pieces or padded spans values.
    assert "jane" not in got and "ane" not in got and "jane.do" not in got and " now" not in got
    assert numbers("port 8443 and 22, not 1.5") == [8443, 22, 1, 5]
    assert "2001:db8::1" in ipv6_addresses("AAAA v6.lan 2001:0db8:0000::0001")


def test_grounded_schema_narrows_copied_fields_to_the_request():
    request = "Add an A record web.lan -> 10.1.2.3 and open port 8443"
    schema = grounded_schema(request)
    user_add = _defs(schema, "UserAdd")[0]["properties"]
    assert set(_enum(schema, user_add["username"])) == set(spans(request))  # case kept: as written
    records = {v["properties"]["record_type"].get("const"): v for v in _defs(schema, "DnsAdd")}
    assert _enum(schema, records["A"]["properties"]["value"]) == ["10.1.2.3"]  # an A record: the IPv4 address only
    assert "enum" not in records["AAAA"]["properties"]["value"]  # no IPv6 in the request: the plain schema stays
    fw = _defs(schema, "FwAllow")[0]["properties"]
    assert fw["port"]["enum"] == [10, 1, 2, 3, 8443] or set(fw["port"]["enum"]) == {10, 1, 2, 3, 8443}
    # Each candidate list is written once and referenced: the grammar grows with the request, not with the schema.
    assert sum(k.startswith("Grounded") for k in schema["$defs"]) <= 8


def test_an_interface_address_in_cidr_form_is_one_of_the_requests():
    request = "ip address add 2001:0db8:85a3::0370:7334/64 dev eth1"
    assert cidr_addresses(request) == ["2001:0db8:85a3::0370:7334/64", "2001:db8:85a3::370:7334/64"]  # canonical too
    assert Candidates(request).for_field("address") == cidr_addresses(request)
    schema = grounded_schema(request)
    assert set(_enum(schema, _defs(schema, "NetSetAddress")[0]["properties"]["address"])) == set(
        cidr_addresses(request)
    )
    # with a dotted netmask too; a path, a version or a bare address is no CIDR address
    both = Candidates("eth0: 172.16.5.20 netmask 255.255.255.0, route 10.0.0.0/8")
    assert {"172.16.5.20/24", "10.0.0.0/8"} <= set(both.for_field("address"))
    assert cidr_addresses("copy /srv/a/b to 1.2/3 at 10.0.0.5 or 999.1.1.1/24") == []


def test_a_field_the_request_cannot_fill_keeps_its_plain_schema():
    schema = grounded_schema("Open the firewall")
    cands = Candidates("Open the firewall")
    assert cands.for_field("gateway") is None and cands.for_field("address") is None
    assert "enum" not in _defs(schema, "NetSetAddress")[0]["properties"]["address"]


def test_an_optional_address_the_request_does_not_give_cannot_be_written():
    request = "Deny all IPv6 traffic to tcp port 20 on this host"
    assert Candidates(request).for_field("source") is None  # "20" is a number, not an address
    schema = grounded_schema(request)
    for variant in _defs(schema, "FwDeny"):
        assert "source" not in variant["properties"] and variant["additionalProperties"] is False
    assert "gateway" not in _defs(schema, "NetSetAddress")[0]["properties"]
    # given, it is one of the request's addresses; a required address field keeps its plain schema
    schema = grounded_schema("Open port 8443/tcp from 10.0.0.0/8")
    assert set(_enum(schema, _defs(schema, "FwAllow")[0]["properties"]["source"])) == {"10.0.0.0", "10.0.0.0/8"}
    assert "servers" in _defs(grounded_schema("Use the usual name servers"), "NetSetNameservers")[0]["properties"]


def test_common_prefix_leaves_the_last_prompt_token_to_evaluate():
    assert common_prefix([1, 2, 3], [1, 2, 3]) == 2 and common_prefix([1, 2, 9], [1, 2, 3, 4]) == 2
    assert common_prefix([], [5]) == 0


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return tiny_gguf_and_train(tmp_path_factory.mktemp("decode_gguf"), ROWS)


@pytest.fixture(scope="module")
def grounded(files):
    # One thread: two spin-waiting threads crawl on cores the rest of the suite keeps busy.
    return LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="3", max_tokens="60",
                             train_file=files["train"], ground="true", n_threads="1")  # fmt: skip


def test_grounded_answers_copy_values_only_from_the_request(grounded):
    """Even a random model writes only schema-valid JSON whose copied values are pieces of the request."""
    for query in QUERIES:
        pred = grounded.predict(query)
        assert pred.raw.startswith("{") and is_schema_prefix(pred.raw), pred.raw
        usage = grounded.last_usage
        assert usage["forward_passes"] <= 1 + usage["sampled_tokens"] + 1  # one pass per decision, not per token
        assert usage["forced_tokens"] > 0 and set(usage["stage_ms"]) >= {"prompt", "forced", "sampled", "mask",
                                                                         "grammar", "rules"}  # fmt: skip
        if pred.ok:
            for key in ("username", "group", "share", "password", "name"):
                value = pred.intent.get(key)
                if isinstance(value, str) and key != "name":
                    assert value in query, (key, value, query)


def test_forced_tokens_in_one_batch_give_the_same_tokens_in_fewer_passes(grounded):
    runner, tokens = grounded.runner, grounded.prompt_tokens(QUERIES[1])
    kw = {"ground": True, "detokenize": runner.detokenize, "is_end": runner.is_end, "max_tokens": 60}
    batched = decode(runner, grounded.grammar, tokens, QUERIES[1], **kw)
    single = decode(runner, grounded.grammar, tokens, QUERIES[1], batch_forced=False, **kw)
    assert batched.tokens == single.tokens and batched.text == single.text
    assert batched.usage["forward_passes"] < single.usage["forward_passes"]
    assert single.usage["forward_passes"] == 1 + len(single.tokens) - 1 or single.usage["forward_passes"] <= len(
        single.tokens
    )


def test_free_decoding_needs_no_grammar(files):
    pred = LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="2", constrained="false",
                             max_tokens="8", train_file=files["train"], n_threads="1")  # fmt: skip
    assert pred.grammar is None
    pred.predict("Remove user jane")
    assert pred.last_usage["completion_tokens"] <= 8 and pred.last_usage["forced_tokens"] == 0
    with pytest.raises(ValueError, match="ground=true needs constrained"):
        LlamaCppPredictor(model=files["model"], constrained="false", ground="true", train_file=files["train"])


def test_one_operation_only(grounded):
    runner = grounded.runner
    out = decode(runner, grounded.grammar, grounded.prompt_tokens("Remove user jane"), "Remove user jane",
                 ground=True, detokenize=runner.detokenize, is_end=runner.is_end, max_tokens=60,
                 action=grounded.action_grammar("group_add"))  # fmt: skip
    assert out.text.startswith('{"action": "group_add"')


def test_the_runner_reuses_the_cached_prefix(grounded):
    assert isinstance(grounded.runner, LlamaCppRunner)
    grounded.predict("Remove user jane")
    grounded.predict("Add group devs")
    assert 0 < grounded.last_usage["reused_prefix"] < grounded.last_usage["prompt_tokens"]


def test_transformers_backend_runs_the_same_loop(tmp_path, files):
    from microllm.backends.transformers_hf import TransformersPredictor

    model = save_tiny_model(tmp_path / "model")
    pred = TransformersPredictor(model=str(model), prompt="few-shot", n_shots=2, train_file=files["train"],
                                 max_tokens=40, n_threads=1, ground=True)  # fmt: skip
    assert pred.name.endswith(":grounded") and isinstance(pred.grammar, Grammar)
    for query in QUERIES[:3]:
        p = pred.predict(query)
        assert p.raw.startswith("{") and is_schema_prefix(p.raw), p.raw
        assert pred.last_usage["forced_tokens"] > 0
        # The model's own answer as a draft: the same tokens (the cache drops what a draft left behind).
        runner, tokens = pred.runner, pred.prompt_tokens(query)
        kw = {"ground": True, "detokenize": pred.lltokenizer.decode_bytes, "is_end": runner.is_end, "max_tokens": 40}
        plain = decode(runner, pred.grammar, tokens, query, **kw)
        own = decode(runner, pred.grammar, tokens, query, draft=lambda r, w, t=plain.text: t,
                     tokenize=runner.tokenize, **kw)  # fmt: skip
        wrong = decode(runner, pred.grammar, tokens, query, tokenize=runner.tokenize,
                       draft=lambda r, w, t=plain.text: t[: len(t) // 2] + "zz" + t[len(t) // 2 :], **kw)  # fmt: skip
        assert own.tokens == plain.tokens == wrong.tokens, (query, plain.text)
        # A random model's tokens need not be its tokenizer's split of the text: the draft holds only where they are.
        assert own.usage["drafted_tokens"] > 0 and own.usage["forward_passes"] <= plain.usage["forward_passes"]
    json.dumps(pred.last_usage)  # plain data: it goes into records as it is


def _decode_with(pred, query, draft, tokenize=None):
    runner = pred.runner
    return decode(runner, pred.grammar, pred.prompt_tokens(query), query, ground=True, detokenize=runner.detokenize,
                  is_end=runner.is_end, max_tokens=60, draft=draft, tokenize=tokenize or runner.tokenize)  # fmt: skip


def test_a_draft_changes_passes_not_answers(grounded):
    """The model's own answer as the draft is checked in the prompt's pass; a draft it leaves halfway (another
    request's answer) is dropped from the context (truncate) and decoding goes on as without one: the same tokens."""
    answers = [_decode_with(grounded, query, None) for query in QUERIES[:4]]
    # A random model's tokens need not be its tokenizer's split of their text: here each draft is given as them.
    as_tokens = {a.text: a.tokens for a in answers}
    tokens = lambda text: as_tokens.get(text) or grounded.runner.tokenize(text)  # noqa: E731
    for i, (query, plain) in enumerate(zip(QUERIES, answers, strict=False)):
        assert plain.usage["drafted_tokens"] == 0 and plain.usage["accepted_tokens"] == 0
        own = _decode_with(grounded, query, lambda request, written, t=plain.text: t, tokens)
        assert own.tokens == plain.tokens and own.text == plain.text
        assert own.usage["forward_passes"] == 1 and own.usage["drafted_tokens"] > 0
        other = answers[i - 1]
        wrong = _decode_with(grounded, query, lambda request, written, t=other.text: t, tokens)
        assert wrong.tokens == plain.tokens, (query, plain.text, other.text)
        assert wrong.usage["forward_passes"] <= plain.usage["forward_passes"]
        unrelated = _decode_with(grounded, query, lambda request, written: '{"action": "unknown"}')
        assert unrelated.tokens == plain.tokens
    assert any(a.text != b.text for a, b in zip(answers, answers[1:], strict=False))


def test_the_rules_drafter_is_the_predictors_default(grounded, files):
    assert grounded.drafter is rules_draft and grounded.cfg.draft == "rules"
    grounded.predict(QUERIES[0])
    assert grounded.last_usage["drafted_tokens"] > 0
    off = LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="3", max_tokens="60", ground="true",
                            train_file=files["train"], n_threads="1", draft="none")  # fmt: skip
    assert off.drafter is None
    assert off.predict(QUERIES[0]).raw == grounded.predict(QUERIES[0]).raw
    with pytest.raises(ValueError, match="draft must be one of"):
        LlamaCppPredictor(model=files["model"], train_file=files["train"], draft="oracle")


def test_draft_tokens_follow_the_answer_and_stop_where_the_grammar_does():
    vocab = {"{": 1, '"a"': 2, ":": 3, "1": 4, "}": 5, "x": 6}

    def tokenize(text):
        return [vocab[c] for c in text.split(" ") if c]

    class Matcher:  # accepts tokens up to the first "x"
        def validate_tokens(self, tokens):
            return tokens.index(6) if 6 in tokens else len(tokens)

    assert draft_tokens(None, [1], '{ "a" : 1 }', tokenize, 10) == [2, 3, 4, 5]
    assert draft_tokens(None, [1, 2], '{ "a" : 1 }', tokenize, 2) == [3, 4]  # at most `limit`
    assert draft_tokens(Matcher(), [1], '{ "a" x 1 }', tokenize, 10) == [2]  # cut where the grammar refuses
    assert draft_tokens(None, [1, 3], '{ "a" : 1 }', tokenize, 10) == []  # the answer already left the guess
    assert draft_tokens(None, [1], None, tokenize, 10) == [] and draft_tokens(None, [1], "{", None, 10) == []


def test_rules_draft_guesses_then_follows_the_operation_the_model_wrote():
    request = "Add DNS record api.local to 10.0.0.5"
    first = rules_draft(request, '{"action": "')
    assert json.loads(first) == {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"}
    assert first.startswith('{"action": "dns_add", "name": ')  # the key order the model writes
    assert json.loads(rules_draft(request, '{"action": "dns_update"'))["action"] == "dns_update"
    assert rules_draft(request, '{"act') == first
    # The model wrote a value of its own: once it is finished, the guess goes on with the rules' later fields.
    assert not rules_draft(request, '{"action": "dns_add", "name": "other').startswith(
        '{"action": "dns_add", "name": "o'
    )
    resumed = rules_draft(request, '{"action": "dns_add", "name": "other.lan", "')
    assert resumed == '{"action": "dns_add", "name": "other.lan", "record_type": "A", "value": "10.0.0.5"}'
    assert (
        rules_draft(request, '{"action": "dns_update", "name": "x", "') is None
        or json.loads(rules_draft(request, '{"action": "dns_update", "name": "x", "'))["name"] == "x"
    )
    assert rules_draft(request, '{"answer') is None
    # An operation whose required fields the rules cannot all find: the fields they do find, not a clarify.
    partial = rules_draft("give beatriz the new  password Quartz!1086k", '{"action": "user_set_password"')
    assert json.loads(partial) == {"action": "user_set_password", "password": "Quartz!1086k"}
    # Inside a multi: the step being written, guessed to be the last one.
    steps = "1) set ens224 to dynamic addressing 2) add a TXT record to dc3.lan with the value hello"
    so_far = '{"action": "multi", "steps": [{"action": "net_set_dhcp", "interface": "ens224"}, {"action": "dns_add"'
    guess = rules_draft(steps, so_far)
    assert guess.startswith(so_far) and json.loads(guess)["steps"][1]["name"] == "dc3.lan"
    assert rules_draft(steps, '{"action": "multi", "steps": [{"act') is None
    assert drafter("none") is None and drafter("rules") is rules_draft
    with pytest.raises(ValueError, match="unknown drafter"):
        drafter("oracle")
