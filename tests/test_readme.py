"""The README's headline table is generated from results/ and must match it."""

import re

from conftest import ROOT

from microllm.readme import BEGIN, END, HEAD_BEGIN, HEAD_END, render_headline, render_results_table


def test_readme_results_table_matches_results():
    text = (ROOT / "README.md").read_text()
    block = text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()
    assert block == render_results_table(ROOT / "results"), "run `microllm readme` (make all does)"


def test_every_linked_result_exists():
    table = render_results_table(ROOT / "results")
    links = re.findall(r"\]\(([^)]+)\)", table)
    assert links and all((ROOT / link).exists() for link in links)


def test_readme_headline_matches_the_ab_results():
    text = (ROOT / "README.md").read_text()
    block = text[text.index(HEAD_BEGIN) + len(HEAD_BEGIN) : text.index(HEAD_END)].strip()
    assert block == render_headline(ROOT / "results"), "run `microllm readme` (make all does)"
    assert all((ROOT / link).exists() for link in re.findall(r"\]\(([^)]+)\)", block))
