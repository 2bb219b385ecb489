"""Batch prediction and the CLI: one output line per input row, whatever the row holds."""

import json

import pytest
from conftest import ROOT

from microllm.cli import main
from microllm.predictors import get_predictor
from microllm.predictors.base import Predictor
from microllm.runner import predict_file, read_requests

OUT_KEYS = {"id", "input", "output", "raw", "confidence", "latency_ms", "error"}


def malformed_file(path):
    lines = [
        json.dumps({"id": "a", "input": "Add DNS record api.local to 10.0.0.5"}).encode(),
        b"",  # empty line
        b"this is not json",
        json.dumps([1, 2]).encode(),
        json.dumps({"id": "no-input"}).encode(),
        json.dumps({"input": 42}).encode(),
        json.dumps({"input": "   "}).encode(),
        json.dumps({"input": "x" * 5000}).encode(),
        json.dumps({"input": "Créez l'utilisateur josé avec le mot de passe Ünïcødé!"}, ensure_ascii=False).encode(),
        b'{"input": "bad bytes \xff\xfe"}',
        json.dumps({"input": "null byte \x00 here"}).encode(),
        json.dumps({"id": 7, "input": "Remove user jane"}).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return len(lines)


class Flaky(Predictor):
    """Raises on one input, answers garbage on another: neither may crash or drop a row."""

    name = "flaky"

    def generate(self, text):
        if "boom" in text:
            raise RuntimeError("backend exploded")
        if "garbage" in text:
            return "{not json", 0.1
        return '{"action": "unknown"}', 0.9


def test_bad_rows_become_error_lines_in_order(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    n = malformed_file(src)
    rows = predict_file(Flaky(), src, dst)
    written = [json.loads(line) for line in dst.read_text().splitlines()]
    assert len(rows) == len(written) == n
    assert all(set(r) == OUT_KEYS for r in written)
    errors = [r["error"] for r in written]
    assert errors[0] is None and written[0]["id"] == "a"
    assert "empty line" in errors[1]
    assert "not JSON" in errors[2]
    assert "not a JSON object" in errors[3]
    assert "no string 'input'" in errors[4] and written[4]["id"] == "no-input"
    assert "must be a string" in errors[5]
    assert "empty input" in errors[6]
    assert "too long" in errors[7]
    assert errors[8] is None  # non-ASCII text is a request like any other
    assert "UTF-8" in errors[9]
    assert "control characters" in errors[10]
    assert written[11]["id"] == "7"
    assert [r["id"] for r in written[1:4]] == ["2", "3", "4"]  # line numbers stand in for missing ids


def test_backend_failure_and_invalid_json_are_reported_not_raised(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"input": t}) for t in ["boom", "garbage", "fine"]) + "\n")
    rows = predict_file(Flaky(), src, tmp_path / "out.jsonl")
    assert rows[0]["error"] == "RuntimeError: backend exploded" and rows[0]["output"] is None
    assert rows[1]["error"].startswith("not_json") and rows[1]["raw"] == "{not json"
    assert rows[2]["output"] == {"action": "unknown"} and rows[2]["confidence"] == 0.9


def test_no_trailing_newline_and_crlf(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"input": "a"}\r\n{"input": "b"}')
    assert [r.input for r in read_requests(src)] == ["a", "b"]


@pytest.mark.parametrize("predictor", ["rules", "classic"])
def test_cli_predict_writes_one_line_per_row(tmp_path, predictor, monkeypatch):
    monkeypatch.chdir(ROOT)  # classic trains on data/synthetic/train.jsonl
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    n = malformed_file(src)
    # every row is written, and the bad ones make the exit code 1: a file with failed rows never passes silently
    assert main(["predict", "--predictor", predictor, "--input", str(src), "--output", str(dst)]) == 1
    written = [json.loads(line) for line in dst.read_text().splitlines()]
    assert len(written) == n
    assert written[0]["output"] == {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"}
    assert written[11]["output"] == {"action": "user_remove", "username": "jane"}
    assert written[8]["error"] is None and written[8]["output"] is not None


def test_cli_eval_writes_metrics_with_provenance(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "eval"
    assert main(["eval", "--predictor", "rules", "--data", "data/eval/dev.jsonl", "--out-dir", str(out),
                 "--limit", "20"]) == 0  # fmt: skip
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n"] == 20 and 0.0 <= metrics["exact_match"] <= 1.0
    prov = metrics["provenance"]
    assert {"command", "git_commit", "date_utc", "machine", "data"} <= set(prov)
    assert len(prov["data"]["data"]["sha256"]) == 64
    assert len((out / "predictions.jsonl").read_text().splitlines()) == 20


def test_cli_reports_user_errors_in_one_line(tmp_path, capsys):
    assert main(["predict", "--predictor", "nope", "--input", "x", "--output", "y"]) == 2
    assert "unknown predictor 'nope'" in capsys.readouterr().err
    assert main(["eval", "--predictor", "rules", "--data", str(tmp_path / "missing.jsonl")]) == 2


def test_dev_copy_is_unchanged():
    shared = ROOT.parent / "shared" / "eval" / "dev.jsonl"
    ours = ROOT / "data" / "eval" / "dev.jsonl"
    assert len(ours.read_text().splitlines()) == 160
    if shared.exists():
        assert ours.read_bytes() == shared.read_bytes()


def test_the_classic_baseline_is_never_fitted_on_the_dev_set():
    with pytest.raises(ValueError, match="dev split: measurement only"):
        get_predictor("classic", train_file=str(ROOT / "data" / "eval" / "dev.jsonl"))
