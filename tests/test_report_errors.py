"""Error kinds: wrong action, invented value, other field; counted over a predictions file."""

import pytest

from microllm.data.io import write_jsonl
from microllm_research.report_errors import changed_answers, error_kind, error_kinds, error_kinds_table

GOLD = {"action": "dns_update", "name": "minio.corp.example.org", "record_type": "A", "value": "172.25.124.132"}
REQUEST = "Minio.Corp.Example.ORG. has to point to 172.25.124.132 from now on"


def row(output, gold=GOLD, request=REQUEST):
    return {"input": request, "output": output, "gold": gold, "exact": output == gold}


@pytest.mark.parametrize(
    "output, kind",
    [
        (GOLD, "exact"),
        ({**GOLD, "action": "dns_add"}, "action"),
        ({**GOLD, "name": "io.corp.example.org"}, "invented value"),  # a piece of a name is not the name
        ({**GOLD, "record_type": "AAAA"}, "other field"),
        ({k: v for k, v in GOLD.items() if k != "record_type"}, "other field"),
        (None, "no output"),
    ],
)
def test_error_kind(output, kind):
    assert error_kind(row(output)) == kind


def test_multi_steps_count_as_actions():
    gold = {"action": "multi", "steps": [{"action": "user_add", "username": "hamid"},
                                         {"action": "user_lock", "username": "hamid"}]}  # fmt: skip
    one = {"action": "multi", "steps": [{"action": "user_add", "username": "hamid"}]}
    made_up = {"action": "multi", "steps": [{"action": "user_add", "username": "hamid", "full_name": "Haid"},
                                            {"action": "user_lock", "username": "hamid"}]}  # fmt: skip
    request = "Create user hamid and lock him"
    assert error_kind(row(one, gold, request)) == "action"
    assert error_kind(row(made_up, gold, request)) == "invented value"


def test_shares_and_table(tmp_path):
    rows = [row(GOLD), row({**GOLD, "action": "dns_add"}), row({**GOLD, "name": "io.corp.example.org"}), row(None)]
    write_jsonl(rows, tmp_path / "eval" / "arm" / "dev" / "predictions.jsonl")
    shares = error_kinds(tmp_path / "eval" / "arm" / "dev" / "predictions.jsonl")
    assert shares["n"] == 4 and shares["exact"] == shares["action"] == shares["no output"] == 0.25
    table = error_kinds_table({"the arm": "arm"}, tmp_path)
    assert list(table["arm"]) == ["the arm"] and list(table["dataset"]) == ["dev"]
    assert table[["exact", "action", "invented value", "other field", "no output"]].sum(axis=1).iloc[0] == 1.0


def test_changed_answers_counts_fixed_and_broken_rows_per_category(tmp_path):
    def rows(flags):
        return [{"id": str(i), "category": c, "exact": ok} for i, (c, ok) in enumerate(flags)]

    before = write_jsonl(rows([("dns", False), ("dns", True), ("users", True)]), tmp_path / "a.jsonl")
    after = write_jsonl(rows([("dns", True), ("dns", True), ("users", False)]), tmp_path / "b.jsonl")
    t = changed_answers(before, after).set_index("category")
    assert t.loc["dns", "fixed"] == 1 and t.loc["dns", "broken"] == 0 and t.loc["dns", "after"] == 1.0
    assert t.loc["users", "broken"] == 1 and t.loc["all", "n"] == 3 and t.loc["all", "before"] == 2 / 3
    other = write_jsonl(rows([("dns", True)]), tmp_path / "c.jsonl")
    with pytest.raises(ValueError, match="same rows"):
        changed_answers(before, other)
