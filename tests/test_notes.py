"""The shipped India–Japan notes: complete against their seeds, and inventing nothing.

These check the curation of one shipped topic against the sources it cites; other topics
in notes/ (a student's own) and other seeds are left alone.

Coverage: every number in a seed (years, amounts, percentages, counts) appears in a
fragment that cites that seed, unless tests/cases/coverage-allowlist.yaml says why it is
not a fact. Invention: every number in a fragment's text is in a seed it cites, or its
``note:`` explains.
"""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import REPO, TESTS

from notebuilder.build import check_project

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
CORPUS = check_project(REPO)
TOPIC = next(topic for topic in CORPUS.topics if topic.id == "india-japan")
ALLOWED = yaml.safe_load((TESTS / "cases" / "coverage-allowlist.yaml").read_text(encoding="utf-8"))
YEAR_IN_TEXT = re.compile(r"\b(1[5-9]\d\d|20\d\d|\d+(st|th) century|\d{3} AD)\b")
UNDATED_ON_PURPOSE = {
    "pillars-trade-23bn": "the year is CEPA's (since 2011); the seed gives no period for the trade figure",
    "iasgyan-wf-revise-2008": "a way-forward point that names the 2008 declaration",
}


def numbers(text: str) -> set[str]:
    return {number.replace(",", "").rstrip(".") for number in NUMBER.findall(text)}


def seed_text(source_id: str) -> str:
    return (REPO / "seeds" / CORPUS.source(source_id).file).read_text(encoding="utf-8")


SHIPPED_SOURCES = sorted({source for fragment in TOPIC.fragments for source in fragment.source_ids})


@pytest.mark.parametrize("source", SHIPPED_SOURCES)
def test_every_number_in_a_seed_is_in_a_fragment_citing_it(source: str):
    carried = set()
    for fragment in TOPIC.fragments:
        if source in fragment.source_ids:
            carried |= numbers(fragment.text)
    allowed = ALLOWED.get(source) or {}
    assert all(reason.strip() for reason in allowed.values())
    seed_numbers = numbers(seed_text(source))
    assert sorted(set(allowed) - seed_numbers) == [], "allow-list entries that the seed does not contain"
    missing = sorted(seed_numbers - carried - set(allowed), key=lambda n: (len(n), n))
    assert missing == []


def test_no_fragment_states_a_number_its_sources_do_not():
    invented = []
    for fragment in TOPIC.fragments:
        cited = set().union(*(numbers(seed_text(source)) for source in fragment.source_ids))
        extra = numbers(fragment.text) - cited
        if extra and not fragment.note:
            invented.append((fragment.id, sorted(extra)))
    assert invented == []


def test_every_shipped_seed_is_cited_and_every_fragment_has_a_label():
    assert set(ALLOWED) <= set(SHIPPED_SOURCES)  # the five shipped seeds, each with its allow-list
    assert [fragment.id for fragment in TOPIC.fragments if not fragment.short] == []


def test_dated_facts_carry_a_date():
    undated = [
        f.id
        for f in TOPIC.fragments
        if YEAR_IN_TEXT.search(f.text) and not f.date and f.id not in UNDATED_ON_PURPOSE
    ]
    assert undated == []


def test_every_section_has_notes_and_no_advertising_slipped_in():
    used = {fragment.section for fragment in TOPIC.fragments}
    assert used == {section.id for section in TOPIC.sections}
    text = " ".join(fragment.text for fragment in TOPIC.fragments).lower()
    for advert in (
        "mindmaps",
        "whatsapp",
        "login",
        "lectures",
        "copyright",
        "all right reserved",
        "anna nagar",
    ):
        assert advert not in text


def test_seeds_are_the_shared_files_unchanged():
    shared = REPO.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for seed in shared.iterdir():
        assert (REPO / "seeds" / seed.name).read_bytes() == seed.read_bytes()
