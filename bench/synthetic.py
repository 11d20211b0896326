"""Synthetic corpora for benchmarks: topics of fragments that read like the real notes.

Fragments are made from the shipped India–Japan texts: every generated topic draws base
facts, and a share of them come back as paraphrases from other "sources" (words dropped
or reordered, a figure changed), so the dedupe stage has real work to do.
"""

from __future__ import annotations

import random
from pathlib import Path

from notebuilder.errors import Location
from notebuilder.load import load_project
from notebuilder.model import Citation, Fragment, Section, Topic
from notebuilder.validate import validate_project

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("s1", "s2", "s3", "s4", "s5")
NAMES = (
    "Aster",
    "Birch",
    "Cedar",
    "Dahlia",
    "Elm",
    "Fern",
    "Ginkgo",
    "Hazel",
    "Iris",
    "Juniper",
    "Kelp",
    "Lotus",
)


def _base_texts() -> list[str]:
    corpus = validate_project(load_project(REPO))
    return [fragment.text for topic in corpus.topics for fragment in topic.fragments]


def _paraphrase(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 6:
        del words[rng.randrange(len(words))]
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    if rng.random() < 0.3:
        words.append(f"(about {rng.randint(10, 99)} billion)")
    return " ".join(words)


def synthetic_topic(index: int, fragments: int, rng: random.Random, base: list[str]) -> Topic:
    sections = tuple(Section(f"s{n}", f"Section {n}", Location("topic.yaml", n, 1)) for n in range(12))
    made = []
    while len(made) < fragments:
        text = rng.choice(base)
        # Give every topic its own vocabulary so topics do not all look alike.
        text = f"{rng.choice(NAMES)}-{index} {text} {rng.choice(NAMES)}{rng.randint(1, 40)}"
        section = rng.choice(sections).id
        copies = 1 + (rng.random() < 0.35) + (rng.random() < 0.15)
        for copy in range(min(copies, fragments - len(made))):
            source = SOURCES[(len(made) + copy) % len(SOURCES)]
            made.append(
                Fragment(
                    id=f"t{index}-f{len(made)}",
                    topic=f"topic-{index}",
                    section=section,
                    text=text if copy == 0 else _paraphrase(text, rng),
                    citations=(Citation(source),),
                    location=Location(f"notes/topic-{index}/{source}.yaml", len(made) * 4 + 2, 5),
                )
            )
    return Topic(
        f"topic-{index}",
        f"Topic {index}",
        "GS2",
        "Synthetic",
        "en",
        sections,
        tuple(made),
        Location("topic.yaml"),
    )


def synthetic_corpus(topics: int, fragments_per_topic: int, seed: int = 7) -> list[Topic]:
    rng = random.Random(seed)
    base = _base_texts()
    return [synthetic_topic(index, fragments_per_topic, rng, base) for index in range(topics)]


def write_synthetic_project(directory: Path, topics: int, fragments_per_topic: int, seed: int = 7) -> Path:
    """A project on disk (seeds, sources.yaml, notes) holding a synthetic corpus."""
    import yaml

    (directory / "seeds").mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        (directory / "seeds" / f"{source}.txt").write_text("synthetic seed\n", encoding="utf-8")
    sources = [
        {"id": source, "file": f"{source}.txt", "title": f"Source {source}", "kind": "other"}
        for source in SOURCES
    ]
    (directory / "seeds" / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    for topic in synthetic_corpus(topics, fragments_per_topic, seed):
        folder = directory / "notes" / topic.id
        folder.mkdir(parents=True, exist_ok=True)
        sections = [{"id": section.id, "title": section.title} for section in topic.sections]
        (folder / "topic.yaml").write_text(
            yaml.safe_dump(
                {"title": topic.title, "paper": "GS2", "subject": "Synthetic", "sections": sections}
            ),
            encoding="utf-8",
        )
        for source in SOURCES:
            fragments = [
                {"id": fragment.id, "section": fragment.section, "text": fragment.text}
                for fragment in topic.fragments
                if fragment.source_ids == (source,)
            ]
            (folder / f"{source}.yaml").write_text(
                yaml.safe_dump(
                    {"defaults": {"source": source}, "fragments": fragments}, allow_unicode=True, width=1000
                ),
                encoding="utf-8",
            )
    return directory
