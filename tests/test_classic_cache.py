"""The classic baseline is fitted once per training data and settings, then loaded from its on-disk cache."""

import pytest
from conftest import ROOT

from microllm.baselines import classic
from microllm.baselines.classic import ClassicPredictor, cache_key
from microllm.data import contract


@pytest.fixture
def small_train(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROLLM_ARTIFACTS", str(tmp_path / "artifacts"))
    lines = (ROOT / "data" / "synthetic" / "train.jsonl").read_text(encoding="utf-8").splitlines()[:300]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_second_construction_loads_the_cache(small_train, tmp_path, monkeypatch):
    first = ClassicPredictor(small_train)
    assert not first.from_cache
    cached = list((tmp_path / "artifacts" / "cache" / "classic").glob("*.joblib"))
    assert [p.stem for p in cached] == [cache_key(small_train)]
    # A refit starts by reading the training rows: the second construction must not.
    monkeypatch.setattr(classic, "read_rows_and_warn", lambda *a: pytest.fail("refitted although the cache holds it"))
    second = ClassicPredictor(small_train)
    assert second.from_cache
    request = "Remove user jane"
    assert second.predict(request).intent == first.predict(request).intent
    assert second.predict(request).confidence == first.predict(request).confidence


def test_other_data_or_settings_get_another_key(small_train):
    key = cache_key(small_train)
    assert cache_key(small_train, seed=1) != key
    small_train.write_text(small_train.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache_key(small_train) != key


def test_another_hidden_or_dev_list_gets_another_key(small_train, monkeypatch):
    # The lists decide which rows are fitted on: a fit from before a list changed must not be loaded.
    key = cache_key(small_train)
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: frozenset({contract.input_hash("Remove user x")}))
    assert cache_key(small_train) != key


def test_a_damaged_cache_file_is_refitted(small_train, tmp_path):
    path = tmp_path / "artifacts" / "cache" / "classic" / f"{cache_key(small_train)}.joblib"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a joblib file")
    assert not ClassicPredictor(small_train).from_cache
    assert ClassicPredictor(small_train).from_cache
