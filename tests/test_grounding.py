"""Grounded decoding: copied values come from the request; gold answers are never blocked."""

import pytest
from conftest import SPEC_EXAMPLES, tiny_gguf_and_train

from microllm.backends.decoding import scan
from microllm.backends.grounding import Grounding, as_bytes, masked_addresses, occurs, sources, value_ok
from microllm.backends.llamacpp import LlamaCppPredictor
from microllm.data.generate import all_templates, split_rows
from microllm.data.split import templates_by_split
from microllm.json_schema import ordered_json


def feed(request: str, answer: str) -> bool:
    """Whether grounding lets ``answer`` through, one character at a time."""
    g = Grounding(request)
    for ch in as_bytes(answer):
        if not g.allows(ch):
            return False
        g.accept(ch)
    return True


def after(request: str, prefix: str) -> Grounding:
    g = Grounding(request)
    g.accept(as_bytes(prefix))
    return g


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_gold_answers_of_every_template_pass(split):
    rows = split_rows(split, seed=5, fresh=0.3 if split == "train" else 0.0)
    assert {r["template"] for r in rows} == {t.id for t in templates_by_split(all_templates())[split]}
    blocked = [(r["input"], r["output"]) for r in rows if not feed(r["input"], ordered_json(r["output"]))]
    assert not blocked, blocked[:3]
    assert all(feed(q, ordered_json(gold)) for q, gold in SPEC_EXAMPLES)


def test_made_up_and_cut_values_are_refused():
    g = after("Lock zainab and remove her from the Renders share", '{"action": "user_lock", "username": "za')
    assert g.allows("inab") and not g.allows("bin")
    assert not after("create the login aylin", '{"action": "user_add", "username": "').allows("ylin")
    ldaps = after("ldaps traffic should be allowed.", '{"action": "fw_allow", "service": "ldap')
    assert not ldaps.allows('"}') and ldaps.allows('s"}')  # a value ends where the request's word ends
    mail = after("forward events to sofia.r@contoso.dev", '{"action": "mail_alias_add", "alias": "events", '
                 '"destination": "sofia')  # fmt: skip
    assert not mail.allows('"') and mail.allows('.r@contoso.dev"}')
    assert after("db.example.org. -> 10.0.0.5", '{"action": "dns_add", "name": "db.example.org').allows('"')


def test_case_numbers_and_record_types():
    pw = after("Create user john with password abc123", '{"action": "user_add", "username": "john", "password": "')
    assert pw.allows('abc123"') and not pw.allows('ABC123"')  # passwords keep their case (spec rule 2)
    host = after("Remove DNS entry for OLD.Example.com", '{"action": "dns_remove", "name": "')
    assert host.allows('old.example.com"}')  # host names are lower-cased (spec rule 1)
    cert = after("Issue a cert for db-11.x.org with a 4096-bit key", '{"action": "cert_create", "key_size": ')
    assert cert.allows("4096}") and not cert.allows("2048}") and not cert.allows("40}")
    assert after("renew in 30 days", '{"days": ').allows("365")  # days and ttl convert words: not grounded
    v6 = "Add AAAA for h.lan to 2001:0DB8:0000:0000:0000:0000:0000:0001"
    assert "2001:db8::1" in sources(v6)  # the canonical form the spec writes (rule 1)
    a = after(f"{v6} and A 10.0.0.5", '{"action": "dns_add", "name": "h.lan", "record_type": "A", "value": "')
    assert a.allows('10.0.0.5"') and not a.allows("2001:")
    aaaa = after(v6, '{"action": "dns_add", "name": "h.lan", "record_type": "AAAA", "value": "')
    assert aaaa.allows('2001:db8::1"}') and not aaaa.allows('2001:db8::2"}')


def test_an_address_with_a_netmask_takes_that_masks_prefix():
    q = "Give ens192 the static IP 100.118.221.211 (netmask 255.255.240.0) and gateway 100.118.221.1"
    assert masked_addresses(q) == ["100.118.221.211/20", "100.118.221.1/20"]
    addr = after(q, '{"action": "net_set_address", "interface": "ens192", "address": "100.118.221.211/')
    assert addr.allows('20"') and not addr.allows('28"') and not addr.allows('24"')
    assert not after(q, '{"action": "net_set_address", "interface": "ens192", "address": "').allows("10.0.0.5/20")
    assert masked_addresses("set eth0 to 10.0.0.5/24") == [] and masked_addresses("allow 0.0.0.255 in") == []
    free = after("set eth0 to 10.0.0.5/24", '{"action": "net_set_address", "interface": "eth0", "address": "')
    assert free.allows('10.0.0.5/24"')  # no dotted mask: left to the grammar, as before


def test_multibyte_names_match_byte_by_byte():
    req = "Núria Puig joins; create the login aylin"
    g = after(req, '{"action": "user_add", "username": "aylin", "full_name": "N')
    first, rest = as_bytes("ú")[:1], as_bytes("ú")[1:]
    assert g.allows(first) and not g.allows(as_bytes("é"))
    # Lower-casing is ASCII only: as latin-1, 0xC3 (the first byte of "ú") would lower to 0xE3 (that of "\u3000").
    assert not occurs(as_bytes("n\u3000")[:2], [as_bytes("Núria")], case_kept=False, complete=False)
    g.accept(first)
    assert g.allows(rest + 'ria Puig"}') and not g.allows(as_bytes("\u3000"))


def test_scan_tracks_keys_arrays_and_siblings():
    closed, open_ = scan('{"action": "multi", "steps": [{"action": "dns_add", "record_type": "A", "value": "10.')
    assert closed[-1][:2] == ("record_type", "A") and open_[:3] == ("value", "10.", "str")
    assert open_[3]["record_type"] == "A"
    assert scan('{"servers": ["1.1.1.1", "8.8')[1][:2] == ("servers", "8.8")
    assert scan('{"port": 44')[1][:3] == ("port", "44", "num")
    assert value_ok("ttl", "3600", "num", {}, ["an hour"], complete=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    rows = [("Remove user jane", {"action": "user_remove", "username": "jane"}, "users"),
            ("Add group devs", {"action": "group_add", "group": "devs"}, "users")]  # fmt: skip
    return tiny_gguf_and_train(tmp_path_factory.mktemp("ground_gguf"), rows)


@pytest.fixture(scope="module")
def predictor(files):
    # One thread: two spin-waiting threads crawl on cores the rest of the suite keeps busy.
    return LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="2", max_tokens="40",
                             train_file=files["train"], ground="true", n_threads="1")  # fmt: skip


def test_grounded_decoding_keeps_to_the_checker_of_the_same_rules(predictor):
    """The grammar's candidate lists (microllm.decode.constraints) allow what the token-level checker allows: every
    grounded answer of even a random model passes the checker."""
    for query in ["Remove user jane", "Add group devs", "Create user john with password abc123",
                  "Add an A record web.lan -> 10.1.2.3"]:  # fmt: skip
        raw = predictor.predict(query).raw
        g = Grounding(query)
        assert g.allows(as_bytes(raw)), (query, raw)


def test_grounded_predictor_runs_and_reports(predictor, files):
    with pytest.raises(ValueError, match="ground=true needs"):
        LlamaCppPredictor(model=files["model"], prompt="few-shot", n_shots="2", train_file=files["train"],
                          constrained="false", ground="true")  # fmt: skip
    assert predictor.name.endswith(":grounded")
    p = predictor.predict("Create user john with password abc123")
    assert p.error is None or not p.error.startswith("not_json"), p.raw  # the random model still writes the schema
    assert predictor.last_usage["stage_ms"]["grammar"] > 0  # the grounded grammar is built for each request
