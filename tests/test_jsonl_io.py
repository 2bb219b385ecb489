"""Bad JSONL rows never stop a run: each becomes an error naming file:line; eval refuses a bad gold file clearly."""

from __future__ import annotations

import json
import warnings

import pytest

from microllm.data.io import (
    DuplicateIdWarning,
    JsonlError,
    dumps_row,
    iter_jsonl,
    parse_json_line,
    read_jsonl,
    write_jsonl,
)
from microllm.evaluate import evaluate, read_gold
from microllm.predictors import get_predictor
from microllm.runner import predict_file, write_jsonl_rows

GOOD = {"id": "g1", "input": "Add DNS record api.local to 10.0.0.5",
        "output": {"action": "dns_add", "name": "api.local", "record_type": "A", "value": "10.0.0.5"}}  # fmt: skip

# (raw line, words of its error)
BAD_LINES = [
    (b'{"id": "s", "input": "x\\ud800y"}', "lone surrogate"),
    (b'{"id": "k", "\\udfff": 1, "input": "x"}', "lone surrogate"),
    (b"[" * 100_000 + b"]" * 100_000, "nested"),
    (b'{"input": "x", "n": ' + b"9" * 5000 + b"}", "5000 digits"),
    (b'{"input": "x", "n": 1' + b"0" * 400 + b".5}", "digits"),
    (b'{"input": "x", "n": 1e999}', "out of range"),
    (b'{"input": "x", "n": NaN}', "NaN"),
    (b'["input", "x"]', "not a JSON object"),
    (b"this is not json", "not JSON"),
    (b'{"input": "x"', "not JSON"),
    (b"\xff\xfe", "UTF-8"),
]


@pytest.mark.parametrize(("raw", "words"), BAD_LINES, ids=[w for _, w in BAD_LINES])
def test_parse_never_raises(raw, words):
    value, error = parse_json_line(raw)
    if words == "not a JSON object":
        assert isinstance(value, list) and error is None  # a list is JSON; the row readers refuse it
    else:
        assert value is None and words in error


def _bad_file(path, with_gold=False):
    lines = [json.dumps(GOOD).encode()]
    for raw, _ in BAD_LINES:
        lines.append(raw)
    lines.append(json.dumps({"id": "g1", "input": "Remove user jane", **({"output": {"action": "user_remove",
                 "username": "jane"}} if with_gold else {})}).encode())  # fmt: skip
    lines.append(json.dumps({"id": "no-fields"}).encode())
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_predict_writes_an_error_row_for_every_bad_line_and_goes_on(tmp_path):
    src, dst = _bad_file(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    with pytest.warns(DuplicateIdWarning, match="g1 \\(lines 1, 13\\)"):
        rows = predict_file(get_predictor("rules"), src, dst)
    written = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert len(written) == len(rows) == 2 + len(BAD_LINES) + 1
    assert written[0]["error"] is None and written[0]["output"]["action"] == "dns_add"
    for i, (_, words) in enumerate(BAD_LINES, start=2):
        err = written[i - 1]["error"]
        assert err.startswith(f"{src}:{i}: ") and words in err, err
        assert written[i - 1]["id"] == str(i) and written[i - 1]["output"] is None
    assert written[-2]["error"] is None and written[-2]["output"]["action"] == "user_remove"
    assert "no string 'input'" in written[-1]["error"] and written[-1]["id"] == "no-fields"


def test_a_row_that_cannot_be_written_becomes_an_error_row(tmp_path):
    out = tmp_path / "o.jsonl"
    write_jsonl_rows([{"id": "a", "output": {"x": "\ud800"}}, {"id": "b", "output": 1}], out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["id"] == "a" and "cannot be written" in rows[0]["error"] and rows[1]["output"] == 1


def test_write_jsonl_refuses_before_writing(tmp_path):
    out = tmp_path / "w.jsonl"
    with pytest.raises(ValueError, match="row 1"):
        write_jsonl([{"a": 1}, {"b": "\ud800"}], out)
    assert not out.exists()
    with pytest.raises(ValueError):
        dumps_row({"x": float("nan")})


def test_read_jsonl_names_every_bad_line(tmp_path):
    src = _bad_file(tmp_path / "d.jsonl")
    with pytest.raises(JsonlError) as exc:
        read_jsonl(src)
    assert len(exc.value.problems) == len(BAD_LINES)
    assert f"{src}:2: " in str(exc.value) and f"{src}:12: " in str(exc.value)
    assert [line.lineno for line in iter_jsonl(src) if line.error] == list(range(2, 2 + len(BAD_LINES)))


def test_eval_refuses_a_bad_gold_file_listing_every_problem(tmp_path):
    src = _bad_file(tmp_path / "gold.jsonl", with_gold=True)
    with pytest.raises(JsonlError) as exc:
        read_gold(src)
    text = str(exc.value)
    assert f"{len(BAD_LINES) + 1} bad line(s)" in text  # + the row without input/output
    assert f"{src}:9: row is not a JSON object (got list)" in text
    assert f"{src}:14: a gold row needs a string 'input' and an object 'output'" in text
    with pytest.raises(ValueError, match="gold.jsonl:2: "):
        evaluate(get_predictor("rules"), src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_eval_reports_duplicate_ids_and_scores_all_rows(tmp_path):
    src = tmp_path / "dup.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [GOOD, {**GOOD, "id": "g2"}, GOOD]) + "\n", encoding="utf-8")
    with pytest.warns(DuplicateIdWarning, match=r"1 duplicate id\(s\): g1 \(lines 1, 3\)"):
        metrics = evaluate(get_predictor("rules"), src, tmp_path / "out", n_resamples=10)
    assert metrics["n"] == 3


def test_clean_files_raise_no_warning(tmp_path):
    src = tmp_path / "ok.jsonl"
    src.write_text(json.dumps(GOOD) + "\n\n" + json.dumps({**GOOD, "id": "g2"}) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(read_gold(src)) == 2 and len(read_jsonl(src)) == 2
