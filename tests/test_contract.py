"""The evaluation contract: normalisation, hashing, refused files and filtered rows."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from microllm.data import contract
from microllm.train.data import HeldOutRowsWarning, load_rows

SHARED = Path("/work/shared/eval/hidden-inputs.sha256")


def _write(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _row(text: str, **extra) -> dict:
    return {"input": text, "output": {"action": "unknown"}, **extra}


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Open port 443/tcp from 10.0.0.0/8", "open port 443 tcp from 10 0 0 0 8"),
        ("  Remove DNS entry for old.example.com!  ", "remove dns entry for old example com"),
        ("Add   John_Doe -> 'Admins'", "add john doe admins"),
        ("Café ÜBER", "caf ber"),  # only a-z and 0-9 survive
        ("", ""),
    ],
)
def test_normalise_input_matches_the_spec(text, normal):
    assert contract.normalise_input(text) == normal
    assert contract.input_hash(text) == hashlib.sha256(normal.encode("utf-8")).hexdigest()


def test_project_copy_of_hidden_list_equals_shared_copy():
    if not SHARED.is_file():
        pytest.skip("no shared evaluation folder here")
    assert contract.HIDDEN_INPUTS.read_bytes() == SHARED.read_bytes()


@pytest.mark.parametrize("name", ["test.jsonl", "dev.jsonl", "synthetic-test.jsonl", "dev-v2.jsonl"])
def test_test_and_dev_files_are_refused_by_name(tmp_path, name):
    path = _write(tmp_path / name, [_row("hello")])
    for role in ("train", "val"):
        with pytest.raises(contract.HeldOutError, match="measurement only"):
            contract.check_readable(path, role)


def test_anything_under_eval_is_refused(tmp_path):
    path = _write(tmp_path / "eval" / "extra.jsonl", [_row("hello")])
    with pytest.raises(contract.HeldOutError):
        contract.read_rows(path, "val")


def test_copy_of_a_known_held_out_file_is_refused_whatever_its_name(tmp_path):
    if not contract.DEV_FILE.is_file():
        pytest.skip("no dev file")
    copy = tmp_path / "innocent.jsonl"
    copy.write_bytes(contract.DEV_FILE.read_bytes())
    with pytest.raises(contract.HeldOutError, match="copy of"):
        contract.check_readable(copy, "train")


def test_rows_marked_test_or_dev_are_refused(tmp_path):
    path = _write(tmp_path / "mixed.jsonl", [_row("a"), _row("b", split="test")])
    with pytest.raises(contract.HeldOutError, match="test split"):
        contract.read_rows(path, "val")


def test_val_real_is_for_validation_only(tmp_path):
    path = _write(tmp_path / "val-real.jsonl", [_row("a", split="val-real")])
    with pytest.raises(contract.HeldOutError, match="val-real"):
        contract.read_rows(path, "train")
    rows, dropped = contract.read_rows(path, "val")
    assert len(rows) == 1 and dropped == {"hidden": 0, "dev": 0}


def test_unknown_role_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="role"):
        contract.check_readable(_write(tmp_path / "train.jsonl", [_row("a")]), "eval")


def test_filter_rows_drops_and_counts_hidden_and_dev_inputs():
    hidden = frozenset({contract.input_hash("Block telnet!")})
    dev = frozenset({contract.input_hash("Remove user jane"), contract.input_hash("block telnet")})
    rows = [_row("BLOCK   telnet"), _row("remove USER jane."), _row("Add user bob")]
    kept, dropped = contract.filter_rows(rows, hidden=hidden, dev=dev)
    assert [r["input"] for r in kept] == ["Add user bob"]
    assert dropped == {"hidden": 1, "dev": 1}  # a row in both lists counts as hidden


def test_split_names():
    assert contract.SPLITS == ("train", "val", "val-real", "test", "dev")
    assert contract.split_of_path("data/real/val-real.jsonl") == "val-real"
    assert contract.split_of_path("data/synthetic/val.jsonl") == "val"
    assert contract.split_of_path("data/paraphrase-v2/train.jsonl") == "train"
    assert contract.split_of_path("data/extra/ansible-rows.jsonl") is None


def test_training_loader_filters_hidden_rows_with_a_warning(tmp_path, monkeypatch):
    hidden = frozenset({contract.input_hash("Create a new group")})
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: hidden)
    path = _write(tmp_path / "train.jsonl", [_row("Create a new group."), _row("Add user bob")])
    with pytest.warns(HeldOutRowsWarning, match="1 hidden"):
        rows = load_rows(path)
    assert [r["input"] for r in rows] == ["Add user bob"]


def test_read_rows_and_warn_counts_each_filter_in_one_warning(tmp_path, monkeypatch):
    assert HeldOutRowsWarning is contract.HeldOutRowsWarning  # one warning class, whichever reader issues it
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: frozenset({contract.input_hash("Block telnet")}))
    monkeypatch.setattr(contract, "dev_hashes", lambda path=None: frozenset({contract.input_hash("Remove user jane")}))
    path = _write(tmp_path / "train.jsonl", [_row("block TELNET!"), _row("Remove user jane"), _row("Add user bob")])
    with pytest.warns(HeldOutRowsWarning, match=r"dropped 1 hidden, 1 dev row\(s\)"):
        rows = contract.read_rows_and_warn(path, "train")
    assert [r["input"] for r in rows] == ["Add user bob"]
    with pytest.raises(contract.HeldOutError):
        contract.read_rows_and_warn(_write(tmp_path / "val-real.jsonl", [_row("a")]), "train")


def test_nothing_dropped_means_no_warning(tmp_path, monkeypatch, recwarn):
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: frozenset())
    monkeypatch.setattr(contract, "dev_hashes", lambda path=None: frozenset())
    assert len(contract.read_rows_and_warn(_write(tmp_path / "train.jsonl", [_row("a")]))) == 1
    contract.warn_dropped("x", {"hidden": 0, "dev": 0})
    assert not [w for w in recwarn if issubclass(w.category, HeldOutRowsWarning)]


def test_filter_digest_changes_with_either_list(monkeypatch):
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: frozenset({"a"}))
    monkeypatch.setattr(contract, "dev_hashes", lambda path=None: frozenset({"b"}))
    digest = contract.filter_digest()
    monkeypatch.setattr(contract, "dev_hashes", lambda path=None: frozenset({"b", "c"}))
    assert contract.filter_digest() != digest
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: frozenset({"b"}))
    monkeypatch.setattr(contract, "dev_hashes", lambda path=None: frozenset({"a"}))
    assert contract.filter_digest() != digest  # which list a hash is in matters too


def test_training_loader_refuses_dev_and_val_real(tmp_path):
    with pytest.raises(contract.HeldOutError):
        load_rows(_write(tmp_path / "dev.jsonl", [_row("a")]))
    with pytest.raises(contract.HeldOutError):
        load_rows(_write(tmp_path / "val-real.jsonl", [_row("a")]))
    assert len(load_rows(tmp_path / "val-real.jsonl", role="val")) == 1


@pytest.mark.parametrize(
    "path",
    ["data/synthetic/train.jsonl", "data/synthetic/val.jsonl", "data/real/train.jsonl", "data/real/val-real.jsonl"],
)
def test_shipped_training_and_validation_files_hold_no_held_out_input(path):
    path = contract.ROOT / path
    if not path.is_file():
        pytest.skip(f"{path} not built")
    role = "val" if "val" in path.name else "train"
    rows, dropped = contract.read_rows(path, role)
    # the synthetic train file predates the contract: its few generic clarify requests collide with hidden inputs
    # and are dropped at load time; files written under the contract hold none
    if "synthetic" not in str(path) or role == "val":
        assert dropped == {"hidden": 0, "dev": 0}
    assert rows
