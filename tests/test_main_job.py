"""`make all`, the main job, builds the shipped recipe and nothing of the research record."""

import re
import shutil
import subprocess

import pytest
from conftest import ROOT

RECIPE = "recipes/qwen-coder-0.5b-lora"


@pytest.fixture(scope="module")
def main_job() -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n prints every command the main job would run, -B as if nothing were built yet.
    out = subprocess.run(["make", "-n", "-B", "all"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def _commands(lines: list[str], verb: str) -> list[str]:
    return [m.group(1) for line in lines if (m := re.search(rf"microllm {verb} --config (\S+)", line))]


def test_main_job_trains_exactly_the_shipped_recipe(main_job):
    assert _commands(main_job, "train") == [f"{RECIPE}/sft.yaml"]
    assert _commands(main_job, "quantize") == [f"{RECIPE}/quantize.yaml"]
    assert _commands(main_job, "ab") == [f"{RECIPE}/ab.yaml"]


def test_main_job_runs_no_study(main_job):
    assert not [line for line in main_job if "research/" in line], "a study runs in the main job"
    for verb in ("learning-curve", "feedback-sim", "train-profile", "paraphrase"):
        assert not [line for line in main_job if f" {verb}" in line], f"the main job runs `{verb}`"


def test_every_study_has_a_command_and_a_verdict():
    studies = sorted(p for p in (ROOT / "research").iterdir() if p.is_dir())
    index = (ROOT / "research" / "README.md").read_text(encoding="utf-8")
    for study in studies:
        assert (study / "README.md").is_file(), f"{study.name}: no README (question, runs, result, verdict)"
        text = (study / "README.md").read_text(encoding="utf-8")
        assert re.search(r"^#+ .*verdict", text, re.IGNORECASE | re.MULTILINE), f"{study.name}: no verdict section"
        assert (study / "run.sh").is_file(), f"{study.name}: no run.sh (the study's one command)"
        assert f"{study.name}/" in index, f"{study.name} is missing from research/README.md"
