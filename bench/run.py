"""Benchmarks: print figures, assert nothing. Run with `make bench`.

1. cold build of the shipped notes (PDF + EPUB), split into our pipeline and the tools;
2. no-op rebuild (nothing changed);
3. our own pipeline up to HTML on synthetic topics of growing size;
4. dedupe scaling on synthetic corpora, up to 20,000 fragments over 200 topics
   (target: under 3 s on the 2-core reference machine), on all cores as a build runs
   it, and on one core.
"""

from __future__ import annotations

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

from notebuilder.build import (
    FORMATS,
    BuildOptions,
    assemble_topic,
    check_project,
    deduplicate_topics,
    epub_metadata,
    render_outputs,
    sheet_names,
    source_coverage_of,
)
from notebuilder.draft import draft_fragments
from notebuilder.errors import Location
from notebuilder.mindmap import lay_out_sheets, plan_sheets
from notebuilder.model import Corpus, Source
from notebuilder.render import (
    make_environment,
    render_booklet,
    render_comparison,
    render_epub_html,
    render_mindmaps,
)
from notebuilder.write import WriteJob, run_write_jobs

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

        print("\n== cards and self-test (shipped notes): the write stage on all cores, paired, medians of 3")
        options = BuildOptions(REPO, out, FORMATS)
        outputs = render_outputs(environment, document, REPO, options)

        def write_stage(names) -> float:
            jobs = []
            for name in names:
                writer, content = outputs[name]
                targets = [out / "w" / name]
                if writer == "sheets":
                    targets += [out / "w" / sheet for sheet in sheet_names(document)]
                for target in targets:
                    target.parent.mkdir(parents=True, exist_ok=True)
                metadata = epub_metadata(document)
                jobs.append(WriteJob(writer, content, tuple(targets), REPO / "layouts", (REPO,), metadata, 0))
            return timed(lambda: run_write_jobs(jobs))[0]

        everything = list(outputs)
        without = [name for name in everything if name not in ("selftest.pdf", "cards.apkg")]
        with_recall, without_recall = [], []
        for _ in range(3):
            without_recall.append(write_stage(without))
            with_recall.append(write_stage(everything))
        base, full = statistics.median(without_recall), statistics.median(with_recall)
        print(f"every output but cards and self-test:  {base:6.2f} s")
        print(
            f"every output:                          {full:6.2f} s   "
            f"(cards and self-test add {full - base:.2f} s; target under 0.5 s)"
        )

        print("\n== a one-word edit against a cold build (shipped notes; paired runs, medians of 3)")
        copy = out / "edit-project"
        shutil.copytree(
            REPO, copy, ignore=shutil.ignore_patterns(".venv", "build", ".git", "__pycache__", "*.egg-info")
        )
        notes = copy / "notes" / "india-japan" / "pillars.yaml"
        colds, edits = [], []
        for round_ in range(3):
            colds.append(notebuilder("build", "--root", str(copy), "--out", str(out / "e"), "--force"))
            text = notes.read_text(encoding="utf-8")
            word = "reinforced" if round_ % 2 == 0 else "strengthened"
            other = "strengthened" if round_ % 2 == 0 else "reinforced"
            notes.write_text(
                text.replace(f"Annual Summit** {word}", f"Annual Summit** {other}"), encoding="utf-8"
            )
            edits.append(notebuilder("build", "--root", str(copy), "--out", str(out / "e")))
        cold_time, edit_time = statistics.median(colds), statistics.median(edits)
        print(f"cold build, all formats:       {cold_time:6.2f} s")
        print(
            f"after a one-word edit:         {edit_time:6.2f} s   "
            f"({edit_time / cold_time:.2f}x cold; goal 0.5x)"
        )

        print("\n== curation: coverage of every shipped seed, and a draft of one (in process)")
        coverage_time, reports = timed(lambda: source_coverage_of(REPO, out / "coverage", ("india-japan",)))
        seeds = sum(len(results) for _, results in reports)
        seed = next(iter(sorted((REPO / "seeds").glob("*.txt"))))
        draft_time, _ = timed(
            lambda: draft_fragments(
                seed.read_text(encoding="utf-8"), corpus.sources[0], topic, "seeds/" + seed.name
            )
        )
        print(f"coverage of {seeds} seeds (with coverage.html): {coverage_time:6.2f} s")
        print(f"draft of one seed:                       {draft_time:6.2f} s   (target: both under 1 s)")

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
