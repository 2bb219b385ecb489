"""The repository speaks of itself: the contract lives here, the README is a short user's guide, and no file that
ships (code, configs, notebooks, docs) tells who worked on what when."""

import re

import pytest
from conftest import ROOT

SHARED_SPEC = ROOT.parent / "shared" / "intent-spec.md"
README_MAX_LINES = 250
ORDINALS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    "fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
)
# A work-period narrative: "this session", "the fifth session", "in stage 4 of issue 3", "(issue 12)", a commit id.
NARRATIVE = re.compile(
    rf"\b(this|last|next|previous|earlier|later|an earlier|one) session\b|\b({ORDINALS})[- ]session\b|"
    r"\bsessions? \d+\b|\bissue \d+\b|\bissues? #\d+|\bstop \d+\b|\bcommit [0-9a-f]{7,40}\b",
    re.IGNORECASE,
)
SHIPPED_TEXT = ["README.md", "Makefile", "pyproject.toml", "environment.yml"]
SHIPPED_GLOBS = ["microllm/**/*.py", "microllm_research/**/*.py", "configs/**/*.yaml", "recipes/**/*", "research/**/*",
                 "docs/**/*.md", "notebooks/*.ipynb", "tests/**/*.py"]  # fmt: skip


def test_intent_contract_lives_in_the_repo_and_matches_the_shared_copy():
    local = ROOT / "docs" / "intent-spec.md"
    assert local.is_file(), "docs/intent-spec.md: the intent contract must ship with the repository"
    if not SHARED_SPEC.is_file():
        pytest.skip(f"no shared copy at {SHARED_SPEC} to compare with (a clone outside the workspace)")
    assert local.read_text(encoding="utf-8") == SHARED_SPEC.read_text(encoding="utf-8"), (
        "docs/intent-spec.md differs from ../shared/intent-spec.md: copy the shared contract over"
    )


def test_readme_is_a_short_users_guide():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines (at most {README_MAX_LINES})"
    text = "\n".join(lines)
    assert "../shared/" not in text, "README links outside the repository; link docs/intent-spec.md instead"


def _shipped_files():
    files = {ROOT / name for name in SHIPPED_TEXT}
    for pattern in SHIPPED_GLOBS:
        files.update(p for p in ROOT.glob(pattern) if p.is_file())
    return sorted(f for f in files if f.is_file() and f.name != "test_docs.py")


def test_no_work_history_narrative_in_shipped_files():
    hits = []
    for path in _shipped_files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if NARRATIVE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not hits, f"{len(hits)} lines tell who worked when:\n" + "\n".join(hits[:40])


@pytest.mark.parametrize(
    "line, flagged",
    [("In the fifth session we trained", True), ("see issue 4", True), ("fixed in commit 85c3b9e", True),
     ("This session measured", True), ("a session key for the client", False), ("one epoch over data v3", False)],
)  # fmt: skip
def test_narrative_pattern(line, flagged):
    assert bool(NARRATIVE.search(line)) is flagged
