"""Benchmarks: print figures, assert nothing. Run with `make bench`.

1. cold build of the shipped notes (PDF + EPUB), split into our pipeline and the tools;
2. no-op rebuild (nothing changed);
3. our own pipeline up to HTML on synthetic topics of growing size;
4. dedupe scaling on synthetic corpora, up to 20,000 fragments over 200 topics
   (target: under 3 s on the 2-core reference machine), on all cores as a build runs
   it, and on one core.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import functools
import gc

from synthetic import REPO, synthetic_corpus, write_synthetic_project

from notebuilder.build import assemble_topic, check_project, deck_json, deduplicate_topics
from notebuilder.cards import plan_cards
from notebuilder.errors import Location
from notebuilder.mindmap import lay_out_sheets, plan_sheets
from notebuilder.model import Corpus, Source
from notebuilder.render import (
    make_environment,
    render_booklet,
    render_comparison,
    render_epub_html,
    render_mindmaps,
    render_selftest,
)
from notebuilder.selftest import plan_selftest
from notebuilder.write import write_deck, write_pdf

SOURCES = tuple(
    Source(f"s{n}", f"s{n}.txt", f"Source {n}", "other", None, None, Location("seeds/sources.yaml"))
    for n in range(1, 6)
)


def forget_caches() -> None:
    """Forget every cached reading of note text, so a run pays for all of its own work."""
    import notebuilder

    for module in vars(notebuilder).values():
        for value in vars(module).values() if hasattr(module, "__dict__") else ():
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()
    gc.collect()


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def notebuilder(*arguments: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "notebuilder", *arguments], check=True, capture_output=True)
    return time.perf_counter() - start


def pipeline_to_html(project: Path) -> None:
    corpus = check_project(project)
    environment = make_environment(project)
    for topic in corpus.topics:
        render_booklet(environment, assemble_topic(corpus, topic, 0), project)


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="notebuilder-bench-"))
    try:
        print("== shipped notes (india-japan)")
        cold = notebuilder("build", "--root", str(REPO), "--out", str(out), "--format", "all")
        page_count = 0
        for name in ("booklet.pdf", "mindmaps.pdf", "comparison.pdf"):
            info = subprocess.run(
                ["pdfinfo", str(out / "india-japan" / name)], capture_output=True, text=True
            ).stdout
            page_count += int(
                next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
            )
        print(
            f"cold build, all outputs:       {cold:6.2f} s   ({page_count} PDF pages in booklet, mind maps "
            f"and comparison sheet; {cold / page_count:.3f} s/page all in)"
        )
        noop = notebuilder("build", "--root", str(REPO), "--out", str(out), "--format", "all")
        print(f"no-op rebuild:                 {noop:6.2f} s")

        corpus_time, corpus = timed(lambda: check_project(REPO, ("india-japan",)))
        topic = corpus.topics[0]
        assemble_time, document = timed(lambda: assemble_topic(corpus, topic, 0))
        environment = make_environment(REPO)
        sheets = plan_sheets(document)
        graphviz_time, laid_out = timed(lambda: lay_out_sheets(sheets))
        render_time, _ = timed(
            lambda: (
                render_booklet(environment, document, REPO),
                render_comparison(environment, document, REPO),
                render_mindmaps(environment, document, laid_out, REPO),
                render_epub_html(environment, document, sheets, REPO),
            )
        )
        ours = corpus_time + assemble_time + render_time
        print(
            f"our pipeline (load..HTML):     {ours:6.3f} s   (load+validate {corpus_time:.3f}, "
            f"dedupe+assemble {assemble_time:.3f}, layouts {render_time:.3f})"
        )
        print(f"Graphviz (twopi, {len(sheets)} sheets):    {graphviz_time:6.3f} s")
        print(f"WeasyPrint + pandoc + start:   {cold - ours - graphviz_time:6.2f} s")
        print("(cold build = booklet, self-test, comparison, mind maps, EPUB, cards, written on all cores)")

        print("\n== cards and self-test (shipped notes, in one process, one core: an upper bound)")
        booklet_time, _ = timed(
            lambda: write_pdf(
                render_booklet(environment, document, REPO), out / "b.pdf", REPO / "layouts", [REPO]
            )
        )
        selftest_time, _ = timed(
            lambda: write_pdf(
                render_selftest(environment, plan_selftest(document), REPO),
                out / "s.pdf",
                REPO / "layouts",
                [REPO],
            )
        )
        deck_time, _ = timed(
            lambda: write_deck(json.loads(deck_json(plan_cards(document))), out / "c.apkg", 0)
        )
        print(f"booklet PDF alone:             {booklet_time:6.2f} s")
        print(
            f"self-test PDF:                 {selftest_time:6.2f} s   "
            f"({selftest_time / booklet_time:.2f}x the booklet)"
        )
        print(f"Anki deck:                     {deck_time:6.2f} s")
        print(
            f"both together:                 {selftest_time + deck_time:6.2f} s   (target: under 0.5 s added)"
        )

        print("\n== combined book (tests/data/subjects: two topics; paired runs, medians of 3)")
        subjects = REPO / "tests" / "data" / "subjects"
        topics_only, with_book = [], []
        for _ in range(3):
            topics_only.append(
                notebuilder("build", "--root", str(subjects), "--out", str(out / "s"), "--force")
            )
            with_book.append(
                notebuilder(
                    "build", "--root", str(subjects), "--out", str(out / "s"), "--force", "--combined"
                )
            )
        alone, both = statistics.median(topics_only), statistics.median(with_book)
        print(f"per-topic builds (PDF + EPUB, 2 topics):  {alone:6.2f} s")
        print(
            f"same, plus the combined book:             {both:6.2f} s   (the book adds {both - alone:.2f} s, "
            f"{both / alone:.2f}x)"
        )
        noop = notebuilder("build", "--root", str(subjects), "--out", str(out / "s"), "--combined")
        print(f"no-op rebuild with the combined book:     {noop:6.2f} s")

        print("\n== our pipeline up to HTML (load, validate, dedupe, assemble, booklet layout), one topic")
        print(f"{'fragments':>10} {'seconds':>9} {'µs/fragment':>12}")
        for size in (250, 1000, 4000):
            project = write_synthetic_project(out / f"synthetic-{size}", 1, size)
            seconds, _ = timed(lambda project=project: pipeline_to_html(project))
            print(f"{size:>10} {seconds:>9.2f} {seconds / size * 1e6:>12.1f}")

        print("\n== dedupe scaling (synthetic corpora; caches cleared before each run)")
        print(
            f"{'topics':>7} {'fragments':>10} {'all cores':>10} {'one core':>9} "
            f"{'µs/fragment':>12} {'points':>8}"
        )
        for topics, per_topic in ((10, 100), (50, 100), (100, 100), (200, 100), (200, 200)):
            corpus = Corpus(SOURCES, synthetic_corpus(topics, per_topic))
            forget_caches()
            parallel, results = timed(lambda corpus=corpus: deduplicate_topics(corpus, parallel=True))
            forget_caches()
            serial, _ = timed(lambda corpus=corpus: deduplicate_topics(corpus, parallel=False))
            fragments = topics * per_topic
            points = sum(len(result.points) for result in results.values())
            marker = "   <- target < 3 s" if fragments == 20_000 else ""
            print(
                f"{topics:>7} {fragments:>10} {parallel:>10.2f} {serial:>9.2f} "
                f"{serial / fragments * 1e6:>12.1f} {points:>8}{marker}"
            )
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
