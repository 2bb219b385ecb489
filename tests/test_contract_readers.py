"""Every reader of training or validation data goes through the evaluation contract (microllm.data.contract): each
refuses the files its role may not read and drops the rows whose input is held out, counting them in its report or
with a HeldOutRowsWarning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import tiny_gguf_and_train

from microllm.data import contract
from microllm.data.contract import HeldOutError, HeldOutRowsWarning
from microllm.data.io import read_jsonl

HIDDEN = "Lock the account of jane"
ROWS = [  # two actions, three phrasings each: enough for the classic baseline to fit
    ("Remove user jane", "user_remove", "users"),
    ("Delete the user account bob", "user_remove", "users"),
    ("Remove user carol from the system", "user_remove", "users"),
    ("Add group devs", "group_add", "groups"),
    ("Create the group admins", "group_add", "groups"),
    ("Add a new group named ops", "group_add", "groups"),
]
TRAIN_REFUSED = ["dev.jsonl", "test.jsonl", "val-real.jsonl", "eval/extra.jsonl"]
VAL_REFUSED = ["dev.jsonl", "test.jsonl", "eval/extra.jsonl"]


def _row(text: str, action: str = "user_lock", category: str = "users") -> dict:
    intent = {"action": action, "username": "jane"} if action.startswith("user") else {"action": action, "group": "g"}
    return {"id": f"r-{contract.input_hash(text)[:8]}", "input": text, "output": intent, "category": category}


def _write(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _rows(*extra: dict) -> list[dict]:
    return [_row(text, action, category) for text, action, category in ROWS] + list(extra)


@pytest.fixture
def hidden(monkeypatch):
    """The hidden list holds HIDDEN only, and the dev list nothing (the real lists stay out of these tests)."""
    monkeypatch.setattr(contract, "hidden_hashes", lambda path=None: frozenset({contract.input_hash(HIDDEN)}))
    monkeypatch.setattr(contract, "dev_hashes", lambda path=None: frozenset())


def _train_with_hidden_row(tmp_path: Path) -> Path:
    # "lock the account of JANE!" normalises to the hidden input: dropped whatever its case and punctuation
    return _write(tmp_path / "train.jsonl", _rows(_row("lock the account of JANE!")))


# --- classic baseline: training role, warning -------------------------------------------------------------------


@pytest.mark.parametrize("name", TRAIN_REFUSED)
def test_classic_baseline_refuses_held_out_files(tmp_path, monkeypatch, name):
    from microllm.baselines.classic import ClassicPredictor

    monkeypatch.setenv("MICROLLM_ARTIFACTS", str(tmp_path / "artifacts"))
    with pytest.raises(HeldOutError):
        ClassicPredictor(_write(tmp_path / name, _rows()), cache=False)


def test_classic_baseline_never_fits_a_hidden_input(tmp_path, monkeypatch, hidden):
    from microllm.baselines.classic import ClassicPredictor

    monkeypatch.setenv("MICROLLM_ARTIFACTS", str(tmp_path / "artifacts"))
    with pytest.warns(HeldOutRowsWarning, match="1 hidden"):
        predictor = ClassicPredictor(_train_with_hidden_row(tmp_path), cache=False)
    assert sorted(predictor.model.classes_) == ["group_add", "user_remove"]  # user_lock's only row was dropped


# --- from-scratch tokenizer: training role, warning -------------------------------------------------------------


@pytest.mark.parametrize("name", TRAIN_REFUSED)
def test_scratch_tokenizer_refuses_held_out_files(tmp_path, name):
    from microllm.train.scratch import scratch_texts

    with pytest.raises(HeldOutError):
        scratch_texts(_write(tmp_path / name, _rows()))


def test_scratch_tokenizer_never_learns_from_a_hidden_input(tmp_path, hidden):
    from microllm.train.scratch import scratch_texts

    with pytest.warns(HeldOutRowsWarning, match="1 hidden"):
        texts = scratch_texts(_train_with_hidden_row(tmp_path))
    assert "lock the account of JANE!" not in texts and "Remove user jane" in texts


# --- few-shot prompts: training role, warning -------------------------------------------------------------------


@pytest.mark.parametrize("name", TRAIN_REFUSED)
def test_few_shot_examples_refuse_held_out_files(tmp_path, name):
    from microllm.prompts import PromptConfig, load_shots

    with pytest.raises(HeldOutError):
        load_shots(PromptConfig(style="few-shot", train_file=str(_write(tmp_path / name, _rows()))))


def test_few_shot_examples_never_show_a_hidden_input(tmp_path, hidden):
    from microllm.prompts import PromptConfig, load_shots

    cfg = PromptConfig(style="few-shot", n_shots=50, train_file=str(_train_with_hidden_row(tmp_path)))
    with pytest.warns(HeldOutRowsWarning, match="1 hidden"):
        shots = load_shots(cfg)
    assert len(shots) == len(ROWS) and all(s["output"]["action"] != "user_lock" for s in shots)


# --- vocabulary trimming: corpus training role, check file validation role, report ------------------------------


@pytest.mark.parametrize("name", TRAIN_REFUSED)
def test_trim_corpus_refuses_held_out_files(tmp_path, name):
    from microllm.quantize.trim_vocab import corpus_texts

    with pytest.raises(HeldOutError):
        corpus_texts([_write(tmp_path / "train.jsonl", _rows()), _write(tmp_path / name, _rows())])


def test_trim_corpus_drops_hidden_inputs_with_a_warning(tmp_path, hidden):
    from microllm.quantize.trim_vocab import corpus_texts, read_corpus

    path = _train_with_hidden_row(tmp_path)
    with pytest.warns(HeldOutRowsWarning, match="1 hidden"):
        texts = corpus_texts([path])
    assert "lock the account of JANE!" not in texts and "Remove user jane" in texts
    assert read_corpus([path])[1] == {str(path): {"hidden": 1, "dev": 0}}


@pytest.mark.parametrize("name", VAL_REFUSED)
def test_trim_check_file_refuses_test_and_dev_before_any_work(tmp_path, name):
    from microllm.quantize.trim_vocab import trim_model

    train, check = _write(tmp_path / "train.jsonl", _rows()), _write(tmp_path / name, _rows())
    with pytest.raises(HeldOutError):  # the source GGUF does not even exist: nothing ran before the refusal
        trim_model(tmp_path / "missing.gguf", tmp_path / "out.gguf", 64, [str(train)], check)


def test_trim_report_counts_what_the_contract_dropped_and_accepts_a_val_real_check(tmp_path, hidden):
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gguf")
    from microllm.quantize.trim_vocab import trim_model

    files = tiny_gguf_and_train(tmp_path, [("Remove user jane", {"action": "user_remove", "username": "jane"}, "x")])
    train = _train_with_hidden_row(tmp_path / "corpus")
    check = _write(tmp_path / "val-real.jsonl", _rows(_row(HIDDEN)))  # real requests may check a vocabulary
    report = trim_model(files["model"], tmp_path / "trimmed.gguf", 64, [str(train)], check)
    assert report["corpus_dropped"] == {str(train): {"hidden": 1, "dev": 0}}
    assert report["check_dropped"] == {"hidden": 1, "dev": 0} and report["check_rows"] == len(ROWS)


# --- feedback simulation: training role for the replay rows, metrics --------------------------------------------


@pytest.mark.parametrize("name", TRAIN_REFUSED)
def test_feedback_simulation_refuses_held_out_replay_files(tmp_path, name):
    from microllm.feedback.simulate import SimulateConfig

    with pytest.raises(HeldOutError):
        SimulateConfig(train_file=str(_write(tmp_path / name, _rows())))


def test_feedback_simulation_never_replays_a_hidden_input(tmp_path, monkeypatch, hidden):
    from microllm.feedback import simulate as sim

    monkeypatch.setattr(sim, "build_stream", lambda cfg: {})  # the stream is not what this test is about
    gold = _write(tmp_path / "gold" / "test.jsonl", _rows())  # measured only: the simulation's test set
    cfg = sim.SimulateConfig(train_file=str(_train_with_hidden_row(tmp_path)), test_file=str(gold),
                             replay_examples=None, artifacts_dir=str(tmp_path / "artifacts"),
                             results_dir=str(tmp_path / "results"))  # fmt: skip
    _, _, replay, dropped = sim._prepare(cfg)
    assert dropped == {"hidden": 1, "dev": 0}
    assert [r["input"] for r in read_jsonl(replay)] == [text for text, _, _ in ROWS]


# --- feedback retraining: the train split and the reviewed decisions ----------------------------------------------


def test_feedback_retrain_file_drops_held_out_rows_on_both_sides(tmp_path, hidden):
    from microllm.feedback.export import combined_train_file

    reviewed = [_row(HIDDEN), _row("Lock the account of bob please")]
    with pytest.warns(HeldOutRowsWarning) as caught:
        out = combined_train_file(_train_with_hidden_row(tmp_path), reviewed, tmp_path / "out" / "train.jsonl")
    assert len(caught) == 2  # one warning for the train file, one for the reviewed decisions
    inputs = [r["input"] for r in read_jsonl(out)]
    assert contract.normalise_input(HIDDEN) not in {contract.normalise_input(t) for t in inputs}
    assert "Lock the account of bob please" in inputs and len(inputs) == len(ROWS) + 1


@pytest.mark.parametrize("name", TRAIN_REFUSED)
def test_feedback_retrain_file_refuses_held_out_files(tmp_path, name):
    from microllm.feedback.export import combined_train_file

    with pytest.raises(HeldOutError):
        combined_train_file(_write(tmp_path / name, _rows()), [], tmp_path / "out.jsonl")
