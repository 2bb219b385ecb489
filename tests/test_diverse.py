"""The diverse generator: coverage of actions and genres, valid golds, copied values, determinism, held-out
compositions and values, the evaluation contract, diversity measures, the config and the CLI."""

import json
import os
import random
import subprocess
import sys
from collections import defaultdict

import pytest
from conftest import ROOT

from microllm.cli import main
from microllm.config import DataConfig, load_config
from microllm.data.card import gold_values
from microllm.data.contract import filter_rows
from microllm.data.diverse import build_diverse, build_for_config, compositions, copied_value_problems, held_out
from microllm.data.diverse import grammar as g
from microllm.data.diverse.build import SOURCE, contract_blocklists, parse_template, split_of
from microllm.data.diverse.compose import CLARIFY_GENRES, JOINERS, UNKNOWN_KINDS
from microllm.data.diverse.genres import GENRES, genres_of
from microllm.data.diverse.lexicon import LEXICON
from microllm.data.diverse.values import Val, held_out_by_templates
from microllm.data.diversity import distinct_n, diversity_report, nearest_neighbour_distances, tokens
from microllm.data.io import read_jsonl
from microllm.schema import ACTIONS, OPERATIONS, validate_intent

ROW_FORMAT = {"id", "split", "category", "action", "template", "input", "output", "source"}


@pytest.fixture(scope="module")
def built():
    return build_diverse(seed=13, scale=1.0)


@pytest.fixture(scope="module")
def rows(built):
    splits, _ = built
    return splits["train"] + splits["val"]


def _steps(output):
    return output["steps"] if output["action"] == "multi" else [output]


def test_every_action_and_genre_is_generated(built, rows):
    splits, _ = built
    assert {r["action"] for r in splits["train"]} == set(ACTIONS)
    assert {r["action"] for r in splits["val"]} == set(ACTIONS)
    present = {parse_template(r["template"])[:2] for r in rows}
    for action in ACTIONS:
        for genre in compositions(action):
            assert (action, genre) in present, (action, genre)
    genres = {genre for a, genre in present if a in OPERATIONS}
    assert genres == set(GENRES)
    assert {genre for a, genre in present if a == "multi"} == set(JOINERS)
    assert {genre for a, genre in present if a == "clarify"} == set(CLARIFY_GENRES)
    assert {genre for a, genre in present if a == "unknown"} == set(UNKNOWN_KINDS)
    # every operation is said through the grammar in at least the prose genres, and most in a command too
    assert all(len(genres_of(op)) >= 10 for op in OPERATIONS)
    assert sum("command" in genres_of(op) for op in OPERATIONS) >= 25
    clarified = {r["output"]["intent"] for r in rows if r["action"] == "clarify"}
    assert len(clarified) >= 25


def test_rows_have_the_row_format_and_valid_golds(rows):
    for r in rows:
        assert set(r) == ROW_FORMAT, r
        assert r["source"] == SOURCE
        assert validate_intent(r["output"]) == r["output"], r
        assert r["template"] == f"diverse.{r['action']}.{'.'.join(parse_template(r['template'])[1:])}"
        assert r["input"] == r["input"].strip() and "  " not in r["input"].replace("\n  ", "\n"), r["input"]
    assert len({r["id"] for r in rows}) == len(rows)
    multi = [r for r in rows if r["action"] == "multi"]
    assert all(2 <= len(r["output"]["steps"]) <= 3 for r in multi)
    assert any(len(r["output"]["steps"]) == 3 for r in multi)


def test_copied_values_occur_in_the_input(rows):
    for r in rows:
        assert copied_value_problems(r) == [], (r["input"], r["output"])


@pytest.mark.parametrize(
    "text, output, problem",
    [
        ("Create user Bob", {"action": "user_add", "username": "bob"}, "username"),
        ("Create user bob with password abc123", {"action": "user_add", "username": "bob", "password": "abc123"}, None),
        (
            "Add DNS record API.local to 2001:0DB8:0000:0000:0000:0000:0000:0005",
            {"action": "dns_add", "name": "api.local", "record_type": "AAAA", "value": "2001:db8::5"},
            None,
        ),
        (
            "Add DNS record api.local to 10.0.0.6",
            {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"},
            "address",
        ),
        (
            "Set eth0 to 172.16.5.20 netmask 255.255.255.0",
            {"action": "net_set_address", "interface": "eth0", "address": "172.16.5.20/24"},
            None,
        ),
        (
            "Set eth0 to 172.16.5.20 netmask 255.255.0.0",
            {"action": "net_set_address", "interface": "eth0", "address": "172.16.5.20/24"},
            "interface address",
        ),
        (
            "Open port 443/tcp from 10.0.0.0/8",
            {"action": "fw_allow", "port": 443, "protocol": "tcp", "source": "10.0.0.0/8"},
            None,
        ),
        ("Open port 4430 from 10.0.0.0/8", {"action": "fw_allow", "port": 443, "source": "10.0.0.0/8"}, "port"),
        (
            "Use smtp.example.com:587 as relay",
            {"action": "mail_set_relay", "host": "smtp.example.com", "port": 587},
            None,
        ),
        (
            "Add TXT for example.de with v=spf1 -all",
            {"action": "dns_add", "name": "example.de", "record_type": "TXT", "value": "v=spf1 -all"},
            "TXT",
        ),
    ],
)
def test_copied_value_helper(text, output, problem):
    problems = copied_value_problems({"input": text, "output": output})
    if problem is None:
        assert problems == []
    else:
        assert problems and problem in problems[0], problems


def test_deterministic_under_a_seed(built):
    splits, report = built
    again, report_again = build_diverse(seed=13, scale=1.0)
    assert again == splits and report_again == report
    other, _ = build_diverse(seed=14, scale=1.0)
    assert [r["input"] for r in other["train"]] != [r["input"] for r in splits["train"]]


def test_deterministic_across_processes():
    # set and hash order differ between Python processes; the rows must not
    code = (
        "import hashlib, json; from microllm.data.diverse import build_diverse; "
        "print(hashlib.sha256(json.dumps(build_diverse(13, 0.1)[0], sort_keys=True).encode()).hexdigest())"
    )
    digests = {
        subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed}, cwd=ROOT,
                       capture_output=True, text=True, check=True).stdout.strip()
        for seed in ("1", "2")
    }  # fmt: skip
    assert len(digests) == 1


def test_held_out_compositions_never_appear_in_train(built):
    splits, report = built
    for action in ACTIONS:
        held = held_out(action)
        assert held and len(held) < len(compositions(action)), action
        assert report["held_out"][action] == list(held)
    for r in splits["train"]:
        action, genre, _ = parse_template(r["template"])
        assert genre not in held_out(action), r["template"]
    for r in splits["val"]:
        action, genre, _ = parse_template(r["template"])
        assert genre in held_out(action) and split_of(action, genre) == "val", r["template"]
    # every genre keeps training rows for most of the actions that can use it
    for genre in GENRES:
        users = [a for a in OPERATIONS if genre in genres_of(a)]
        assert sum(split_of(a, genre) == "train" for a in users) >= len(users) / 2, genre
    # no input is in both splits
    assert not {r["input"] for r in splits["train"]} & {r["input"] for r in splits["val"]}


def test_values_are_split_and_never_the_template_generators_held_out_ones(built):
    splits, _ = built
    kinds = {
        "username": "user",
        "group": "group",
        "share": "share",
        "path": "path",
        "password": "password",
        "full_name": "full_name",
        "hostname": "host",
        "interface": "interface",
        "service": "service",
        "ip": "ip",
        "comment": "comment",
        "alias": "alias",
    }
    values = {s: defaultdict(set) for s in splits}
    for s, rs in splits.items():
        for r in rs:
            for kind, v in gold_values(r["output"]):
                if kind in kinds:
                    assert not held_out_by_templates(kinds[kind], v), (kind, v, r["input"])
                    values[s][kind].add(v)
    for kind in ("username", "group", "share", "path", "password", "full_name", "hostname", "interface"):
        assert values["val"][kind], kind
        assert not values["train"][kind] & values["val"][kind], (kind, values["train"][kind] & values["val"][kind])


def test_no_row_is_a_hidden_dev_val_real_or_test_input(built, rows):
    kept, dropped = filter_rows(rows)
    assert dropped == {"hidden": 0, "dev": 0} and len(kept) == len(rows)
    for name, hashes in contract_blocklists().items():
        kept, dropped = filter_rows(rows, hidden=hashes, dev=frozenset())
        assert dropped["hidden"] == 0, name
    _, report = built
    assert set(report["contract_dropped"]["train"]) == {"hidden", "dev", "val-real", "test"}


def test_noise_never_touches_protected_segments():
    rng = random.Random(0)
    segs = [("please remove the passwords of ", False), ("Wintersonne_Alpha", True), (" immediately because", False)]
    for _ in range(300):
        out = g.add_typos(
            g.map_literals(segs, lambda t: g.abbreviate(g.drop_articles(t, rng, 1.0), rng, 1.0)), rng, 1.0
        )
        assert out[1] == ("Wintersonne_Alpha", True)
    assert g.typo("only alias record", rng) == "only alias record"  # words that carry meaning are never corrupted


def test_phrase_markers_and_inflection():
    slots = {"value": Val("10.0.0.5", {"value": "10.0.0.5"}, key="ip"), "name": Val("api.local", {"name": "api.local"})}
    assert g.usable("a host record for {name}[value?ip]", slots)
    assert g.covers("a host record for {name}[value?ip]") == {"name"}
    assert g.covers("userdel -r {username}[remove_home=true]") == {"username", "remove_home"}
    assert not g.usable("the IP of {name}[!value]", slots)
    assert g.text_of(g.fill("{name} -> {value}[value?ip]", slots)) == "api.local -> 10.0.0.5"
    pron = {"username": Val("him", {"username": "bob"}, pron=True)}
    assert g.usable("add {username} to wheel", pron) and not g.usable("add user {username}", pron)
    assert [
        g.inflect(v, f)
        for v, f in [
            ("add", "s"),
            ("set up", "ing"),
            ("drop", "pp"),
            ("bring up", "s"),
            ("revoke", "ing"),
            ("deny", "s"),
        ]
    ] == ["adds", "setting up", "dropped", "brings up", "revoking", "denies"]
    for lex in LEXICON.values():
        for frame in lex.frames:
            for verb in frame.verbs:
                assert all(g.inflect(verb, f) for f in ("s", "ing", "pp"))
    assert (
        g.text_of(g.resolve_articles([("add a/an ", False), ("MX", True), (" record and a/an CNAME", False)]))
        == "add an MX record and a CNAME"
    )


# --- diversity measures --------------------------------------------------------------------------------------------
def test_distinct_n_by_hand():
    texts = ["a b a", "a b"]  # unigrams a b a a b (2 distinct of 5); bigrams ab ba ab (2 of 3); trigrams aba (1 of 1)
    assert distinct_n(texts, 1) == pytest.approx(2 / 5)
    assert distinct_n(texts, 2) == pytest.approx(2 / 3)
    assert distinct_n(texts, 3) == pytest.approx(1.0)
    assert distinct_n(["x"], 2) == 0.0
    assert tokens("Add bob, please!") == ["add", "bob", ",", "please", "!"]


def test_nearest_neighbour_distance_by_hand():
    # identical text: cosine 1, distance 0; no character 3-gram in common: cosine 0, distance 1
    assert nearest_neighbour_distances(["abcdef", "uvwxyz"], ["abcdef", "qqqq"]) == pytest.approx([0.0, 1.0])
    report = diversity_report(
        [{"input": "abcdef", "template": "t1"}, {"input": "uvwxyz", "template": "t1"}, {"input": "kkkk"}],
        [{"input": "abcdef"}, {"input": "qqqq"}],
    )
    assert report["rows"] == 3 and report["templates"] == 1 and report["reference_rows"] == 2
    assert report["nn_distance"]["median"] == pytest.approx(0.5) and report["nn_distance"]["mean"] == pytest.approx(0.5)
    assert report["distinct_1"] == pytest.approx(1.0)  # three one-token texts, all different
    assert report["nearest"][0] == {"reference": "abcdef", "train": "abcdef", "distance": pytest.approx(0.0)}


# --- config, build and CLI -----------------------------------------------------------------------------------------
def test_config_generator_field():
    assert load_config(DataConfig, ROOT / "configs" / "data.yaml").generator == "templates"
    cfg = load_config(DataConfig, ROOT / "configs" / "data-diverse.yaml")
    assert (cfg.generator, cfg.out_dir, cfg.splits) == ("diverse", "data/diverse", ["train", "val"])
    with pytest.raises(ValueError, match="generator"):
        DataConfig(generator="gpt")
    with pytest.raises(ValueError, match="diverse_share"):
        DataConfig(generator="mixed", diverse_share=1.5)


def test_mixed_keeps_the_train_size():
    cfg = DataConfig(generator="mixed", scale=0.1, diverse_share=0.5)
    splits, report = build_for_config(cfg)
    from microllm.data.generate import build_dataset

    templates = build_dataset(cfg.seed, cfg.scale, cfg.fresh)
    assert len(splits["train"]) == len(templates["train"])
    sources = [r["source"] for r in splits["train"]]
    assert sources.count(SOURCE) == report["diverse_train_rows"] == round(0.5 * len(templates["train"]))
    assert {r["source"] for r in splits["test"]} == {"templates"}


def test_cli_build_writes_splits_and_card(tmp_path, capsys):
    out = tmp_path / "diverse"
    rc = main(
        [
            "data",
            "build",
            "--config",
            str(ROOT / "configs" / "data-diverse.yaml"),
            "--set",
            "scale=0.1",
            f"out_dir={out}",
            "-q",
        ]
    )
    assert rc == 0
    train, val = read_jsonl(out / "train.jsonl"), read_jsonl(out / "val.jsonl")
    assert train and val and not (out / "test.jsonl").exists()
    card = json.loads((out / "card.json").read_text())
    assert card["rows"]["train"] == len(train) and card["generator"] == "diverse"
    assert set(card["contract_dropped"]["train"]) == {"hidden", "dev", "val-real", "test"}
    assert sum(c["train"] for c in card["rows_by_genre"].values()) == len(train)
    assert set(card["rows_by_action_genre"]) == set(ACTIONS)
    md = (out / "card.md").read_text()
    assert "## Contract filters" in md and "## Rows per action and genre" in md


def test_cli_diversity(tmp_path, capsys):
    train = tmp_path / "train.jsonl"
    ref = tmp_path / "ref-val.jsonl"
    train.write_text(
        "".join(
            json.dumps({"input": t, "output": {"action": "unknown"}, "template": t[:1]}) + "\n"
            for t in ["abcdef", "uvwxyz", "kkkk"]
        )
    )
    ref.write_text(
        "".join(json.dumps({"input": t, "output": {"action": "unknown"}}) + "\n" for t in ["abcdef", "qqqq"])
    )
    rc = main(["data", "diversity", "--train", str(train), "--reference", str(ref), "--json", "-q"])
    assert rc == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == 3 and report["templates"] == 3
    assert report["nn_distance"] == {"median": pytest.approx(0.5), "mean": pytest.approx(0.5)}
    rc = main(
        [
            "data",
            "diversity",
            "--train",
            str(train),
            "--train",
            str(train),
            "--reference",
            str(ref),
            "--limit",
            "4",
            "--json",
            "-q",
        ]
    )
    assert rc == 0 and json.loads(capsys.readouterr().out)["rows"] == 4
    assert main(["data", "diversity", "--train", str(train), "-q"]) == 2  # --reference is required
    dev = ROOT / "data" / "eval" / "dev.jsonl"
    if dev.is_file():  # a measurement-only file is never a reference
        assert main(["data", "diversity", "--train", str(train), "--reference", str(dev), "-q"]) == 2
