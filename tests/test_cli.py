"""The `microllm` and `microllm-research` commands as a user runs them: real processes, exit codes, stdout/stderr."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from microllm import __version__

RULES = ["--predictor", "rules"]


def run(args: list[str], tmp_path, stdin: str | None = None, env: dict | None = None, research: bool = False):
    """Run the CLI in a fresh process (cwd: an empty folder, no built model), as a console script would."""
    module = "microllm_research.cli" if research else "microllm.cli"
    full_env = {**os.environ, "MICROLLM_MODEL": str(tmp_path / "not-built.gguf"), "PYTHONPATH": str(ROOT)}
    full_env.pop("MICROLLM_PROGRESS", None)
    full_env.pop("MICROLLM_QUIET", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", module, *args], cwd=tmp_path, input=stdin, capture_output=True,
                          text=True, env=full_env, timeout=300)  # fmt: skip


def assert_readable_error(proc, *needles: str) -> None:
    """Exit 2, one line on stderr naming the problem, no traceback or Python repr of an exception."""
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip()
    assert "Traceback" not in err and "Error(" not in err, err
    assert len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err


def test_version(tmp_path):
    proc = run(["--version"], tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"microllm {__version__}"


def test_help_lists_the_commands_in_groups(tmp_path):
    out = run(["--help"], tmp_path).stdout
    for group in ("parse and predict", "data:", "train:", "quantize and export:", "evaluate:", "serve:", "execute:",
                  "review:"):  # fmt: skip
        assert group in out
    product = ("parse", "predict", "data", "train", "quantize", "export", "eval", "baselines", "compare", "bench", "ab",
               "serve", "execute", "review", "retrain", "schema", "modelfile", "notebooks", "readme")  # fmt: skip
    for command in product:
        assert f"\n  {command} " in out, command
    assert "\n  learning-curve " not in out and "microllm-research" in out


def test_predictor_options_are_listed_typed(tmp_path):
    out = run(["predict", "--help"], tmp_path).stdout
    for option in ("ground=true|false", "prompt=auto|trained|few-shot|zero-shot",
                   "confidence=values|decisions", "n_threads=N", "n_gpu_layers=N", "device=auto|cpu|cuda"):  # fmt: skip
        assert option in out, option


def test_research_commands_live_in_their_own_script(tmp_path):
    out = run(["--help"], tmp_path, research=True).stdout
    for command in ("train-profile", "learning-curve", "feedback-sim", "refinish", "paraphrase"):
        assert f"\n  {command} " in out
    assert_readable_error(run(["learning-curve", "--config", "x.yaml"], tmp_path), "microllm-research learning-curve")
    assert_readable_error(run(["data", "paraphrase"], tmp_path), "microllm-research paraphrase")


def test_parse_without_a_built_model_says_how_to_build_it(tmp_path):
    proc = run(["parse", "Create user john with password abc123"], tmp_path)
    assert_readable_error(proc, "make all", str(tmp_path / "not-built.gguf"))
    assert proc.stdout == ""
    # predict and execute default to the same model, and stop the same way
    assert_readable_error(run(["predict"], tmp_path, stdin="Remove user jane\n"), "make all")
    assert_readable_error(run(["execute", "Remove user jane"], tmp_path), "make all")


def test_parse_prints_intent_verdict_confidence_and_model(tmp_path):
    proc = run(["parse", *RULES, "Add DNS record api.local to 10.0.0.5"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '"action": "dns_add"' in proc.stdout and "safe to execute" in proc.stdout
    assert "confidence: 1.000" in proc.stdout and "model:      rules" in proc.stdout
    unsafe = run(["parse", *RULES, "Remove", "user", "root"], tmp_path)  # words need no quotes
    assert unsafe.returncode == 0 and "UNSAFE" in unsafe.stdout and "reserved system account" in unsafe.stdout


def test_parse_json_for_scripts_and_stdin(tmp_path):
    proc = run(["parse", *RULES, "--json", "-"], tmp_path, stdin="Remove user jane\nAdd group devs\n")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["intent"] for r in records] == [{"action": "user_remove", "username": "jane"},
                                              {"action": "group_add", "group": "devs"}]  # fmt: skip
    assert all(r["safe"] is True and r["model"] == "rules" and r["confidence"] == 1.0 for r in records)


def test_parse_with_the_shipped_model_replaced_by_a_tiny_gguf(tmp_path):
    pytest.importorskip("llama_cpp")
    from conftest import tiny_gguf_and_train

    rows = [("Remove user jane", {"action": "user_remove", "username": "jane"}, "users")]
    files = tiny_gguf_and_train(tmp_path, rows)
    proc = run(["parse", "--json", "-o", "max_tokens=12", "-o", "n_threads=1", "-o", "n_shots=1",
                "-o", f"train_file={files['train']}", "Remove user jane"],
               tmp_path, env={"MICROLLM_MODEL": files["model"]})  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr  # a random model may answer nothing usable: that is exit 1
    record = json.loads(proc.stdout)
    assert record["model"].startswith(f"llamacpp:{files['model']}") and record["model"].endswith(":grounded")
    assert (record["intent"] is None) == (proc.returncode == 1) == (record["error"] is not None)


def test_predict_stdin_to_stdout(tmp_path):
    proc = run(["predict", *RULES, "--input", "-", "--output", "-"], tmp_path, stdin="Remove user jane\n")
    assert proc.returncode == 0, proc.stderr
    (row,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert row["output"] == {"action": "user_remove", "username": "jane"} and row["id"] == "1"
    assert "1 rows" in proc.stderr and "1 ok, 0 with an error" in proc.stderr


def test_predict_plain_text_file(tmp_path):
    (tmp_path / "requests.txt").write_text("Remove user jane\n\nAdd DNS record api.local to 10.0.0.5\n")
    proc = run(["predict", *RULES, "--input", "requests.txt", "--output", "out.jsonl"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["1", "3"] and all(r["error"] is None for r in rows)
    assert rows[1]["output"]["action"] == "dns_add"


def test_bad_rows_are_counted_and_exit_1(tmp_path):
    lines = [json.dumps({"id": "a", "input": "Remove user jane"}), "this is not json", json.dumps({"input": ""})]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    proc = run(["predict", *RULES, "--input", "in.jsonl", "--output", "out.jsonl"], tmp_path)
    assert proc.returncode == 1
    assert "3 rows" in proc.stderr and "1 ok, 2 with an error" in proc.stderr and "Traceback" not in proc.stderr
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 3  # every row is still written


@pytest.mark.parametrize(
    ("option", "needle"),
    [
        (["--predictor", "llamacpp", "-o", "n_threads=many"], "n_threads: expected an integer"),
        (["--predictor", "llamacpp", "-o", "ground=maybe"], "ground: expected true or false"),
        (["--predictor", "llamacpp", "-o", "confidence=fast"], "confidence: expected one of values, decisions"),
        (["--predictor", "rules", "-o", "n_threads=2"], "not an option of the rules predictor"),
        (["--predictor", "rules", "-o", "threads"], "expected KEY=VALUE"),
        (["--predictor", "nope"], "unknown predictor 'nope'"),
    ],
)
def test_invalid_options_are_readable_usage_errors(tmp_path, option, needle):
    assert_readable_error(run(["predict", *option], tmp_path, stdin="Remove user jane\n"), needle)


def test_argparse_usage_errors_exit_2(tmp_path):
    proc = run(["predict", "--format", "csv"], tmp_path)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr and "Traceback" not in proc.stderr
    assert_readable_error(run(["eval", *RULES, "--data", "missing.jsonl"], tmp_path), "missing.jsonl")


def test_progress_bar_and_quiet(tmp_path):
    stdin = "Remove user jane\n" * 3
    forced = {"MICROLLM_PROGRESS": "1"}  # as on a terminal: the test's stderr is a pipe
    shown = run(["predict", *RULES], tmp_path, stdin=stdin, env=forced)
    assert shown.returncode == 0 and "3/3" in shown.stderr and "row/s" in shown.stderr
    quiet = run(["predict", *RULES, "--quiet"], tmp_path, stdin=stdin, env=forced)
    assert quiet.returncode == 0 and "3/3" not in quiet.stderr
    assert quiet.stderr.strip().splitlines() == [line for line in quiet.stderr.strip().splitlines()
                                                 if line.startswith("predict: 3 rows")]  # fmt: skip
    piped = run(["predict", *RULES], tmp_path, stdin=stdin)  # not a terminal: no bar, still the summary
    assert "row/s" not in piped.stderr and "predict: 3 rows" in piped.stderr
    ci = run(["predict", *RULES], tmp_path, stdin=stdin, env={"CI": "true"})
    assert "row/s" not in ci.stderr and "predict: 3 rows" in ci.stderr


def test_rollout_set_show_and_promote_through_the_gate(tmp_path):
    from microllm.feedback.store import DecisionStore

    state, db = tmp_path / "rollout.json", f"sqlite:///{tmp_path / 'decisions.db'}"
    proc = run(["rollout", "set", "--state", str(state), "--share", "0.1"], tmp_path)
    assert proc.returncode == 0 and json.loads(state.read_text())["micro_share"] == 0.1, proc.stderr
    assert json.loads(run(["rollout", "show", "--state", str(state)], tmp_path).stdout)["micro_share"] == 0.1
    store = DecisionStore(db)
    intent = {"action": "group_add", "group": "devs"}
    for i in range(12):  # reviewed decisions in both arms, after the share was set: micro right, general half right
        for arm, right in (("micro", True), ("general", i % 2 == 0)):
            row = store.record(f"Create group devs{i}", intent, "m", "micro", 0.9, 10.0, "ok", arm=arm)
            store.review(row, "verified" if right else "corrected", None if right else intent)
    gate = ["--min-reviewed", "10", "--min-decisions", "10", "--state", str(state), "--db", db]
    held = run(["rollout", "promote", "--min-reviewed", "50", "--state", str(state), "--db", db], tmp_path)
    assert held.returncode == 0 and json.loads(held.stdout)["action"] == "hold", held.stderr
    raised = run(["rollout", "promote", *gate], tmp_path)
    assert raised.returncode == 0 and json.loads(raised.stdout)["action"] == "raise", raised.stderr
    assert json.loads(state.read_text())["micro_share"] == 0.5
    assert_readable_error(run(["rollout", "set", "--state", str(state), "--share", "1.5"], tmp_path), "--share")


def test_notebooks_write_to_another_folder(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("SMOKE = False", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell("print(SMOKE)")])  # fmt: skip
    src = tmp_path / "in" / "01_x.ipynb"
    src.parent.mkdir()
    nbformat.write(nb, src)
    proc = run(["notebooks", str(src), "--out-dir", str(tmp_path / "out"), "--param", "SMOKE=True"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = nbformat.read(tmp_path / "out" / "01_x.ipynb", as_version=4)
    assert out.cells[-1].outputs[0]["text"].strip() == "True"
    assert not nbformat.read(src, as_version=4).cells[-1].outputs  # the source is left as it was
