"""Benchmarks: print figures, assert nothing. Run with `make bench`.

Machines are noisy, so what matters is printed as ratios of paired runs made in this one
process, alternating, with medians:

1. edit/cold and no-op/cold: a one-word edit, and no change, against a cold build
   (empty output folder, no layout cache) of the shipped notes, every format;
2. booklet/floor: our booklet PDF against plain WeasyPrint on the same HTML;
   PDF build/floor: every PDF of a topic, ours against plain WeasyPrint on the same HTML
   on as many processes; EPUB/pandoc: our EPUB against bare pandoc on the same HTML;
3. syllabus scale: 50 synthetic topics of 186 fragments, all PDFs (target under 60 s,
   peak RSS under 300 MiB), then a one-fragment edit in one of them (target under 3 s);
4. the edit loop: from a save to the preview serving the new page (target 0.5 s);
5. curation, the combined book, our pipeline up to HTML, and dedupe scaling.

`make bench-syllabus` (``run.py --syllabus 200``) builds 200 such topics (target under
3 minutes, peak RSS under 300 MiB).
"""

from __future__ import annotations

import re
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

from notebuilder.build import FORMATS, assemble_topic, check_project, deduplicate_topics
from notebuilder.commands.coverage import source_coverage_of
from notebuilder.draft import draft_fragments
from notebuilder.errors import Location
from notebuilder.model import Corpus, Source
from notebuilder.preview import POLL_MILLISECONDS
from notebuilder.render import PACKAGE_LAYOUTS, make_environment, render_booklet

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


def cold_build(project: Path, out: Path, *arguments: str) -> float:
    shutil.rmtree(out, ignore_errors=True)  # outputs, stamps and the mind-map layout cache
    return notebuilder("build", "--root", str(project), "--out", str(out), *arguments)


def paired(first, second, rounds: int = 3) -> tuple[float, float]:
    """Medians of ``rounds`` alternating runs of two timed actions."""
    ones, twos = [], []
    for _ in range(rounds):
        ones.append(first())
        twos.append(second())
    return statistics.median(ones), statistics.median(twos)


def copy_project(source: Path, target: Path) -> Path:
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns(".venv", "build", ".git", "__pycache__", "*.egg-info")
    )
    return target


def swap_word(notes: Path, one: str, other: str) -> None:
    text = notes.read_text(encoding="utf-8")
    notes.write_text(text.replace(one, other) if one in text else text.replace(other, one), encoding="utf-8")


def plain_weasyprint(html: str, target: Path) -> None:
    import weasyprint

    weasyprint.HTML(string=html, base_url=PACKAGE_LAYOUTS.as_uri() + "/").write_pdf(target)


def floor_html(output, content, context) -> str:
    """The HTML plain WeasyPrint would print for an output: the mind-map sheets' pages
    with each map as SVG in them (ours prints the pages around the maps and lays in
    Graphviz's PDF drawings)."""
    from notebuilder.mindmap import lay_out_sheet
    from notebuilder.outputs.sheets import SheetsTogether, placeholder

    if not isinstance(output, SheetsTogether):
        return content
    page = content.page
    for number, sheet in enumerate(content.sheets, start=1):
        page = page.replace(placeholder(number), lay_out_sheet(sheet, context.layout_cache).svg, 1)
    return page


def preview_latencies(project: Path, rounds: int) -> list[float]:
    """Seconds from a save to the preview serving the page that shows it (in process: the
    server, its watcher and this client on one machine)."""
    import json
    import threading
    import urllib.request

    from notebuilder.preview import serve

    stop, port = threading.Event(), []

    def say(message: str) -> None:
        if found := re.search(r":(\d+)/", message):
            port.append(int(found[1]))

    threading.Thread(target=serve, args=(project, (), 0, stop, say, lambda _: None), daemon=True).start()
    while not port:
        time.sleep(0.02)

    def get(path: str) -> str:
        return urllib.request.urlopen(f"http://127.0.0.1:{port[0]}{path}").read().decode("utf-8")

    get("/india-japan/")
    notes = project / "notes" / "india-japan" / "pillars.yaml"
    latencies = []
    try:
        for round_ in range(rounds):
            generation = json.loads(get("/__generation"))["generation"]
            word = f"Zebra{round_}"
            text = re.sub(r"Zebra\d|bilateral", word, notes.read_text(encoding="utf-8"), count=1)
            start = time.perf_counter()
            notes.write_text(text, encoding="utf-8")
            while json.loads(get("/__generation"))["generation"] == generation:
                time.sleep(0.01)
            assert word in get("/india-japan/")
            latencies.append(time.perf_counter() - start)
            time.sleep(0.4)
    finally:
        stop.set()
    return latencies


def _write_output(job) -> None:
    output, content, target, context = job
    output.write(content, target, context)


def _plain_weasyprint_job(job) -> None:
    plain_weasyprint(*job)


def run_rusage(*arguments: str) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MiB) of the largest process of a notebuilder run."""
    import os

    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "notebuilder", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"notebuilder {' '.join(arguments)} failed ({process.returncode})")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def syllabus_scale(out: Path, topics: int, edit: bool = False) -> None:
    """A cold build of synthetic topics of 186 fragments, every PDF: wall time and the
    peak RSS of the largest process; then (``edit``) one fragment edited in one topic."""
    target = {50: 60, 200: 180}.get(topics)
    print(f"\n== syllabus scale: {topics} synthetic topics of 186 fragments, every PDF")
    syllabus = write_synthetic_project(out / "syllabus", topics, 186)
    seconds, peak = run_rusage("build", "--root", str(syllabus), "--format", "pdf")
    aim = f"   (target under {target} s)" if target else ""
    print(f"cold build of {topics} topics:{' ' * max(1, 12 - len(str(topics)))}{seconds:6.1f} s{aim}")
    print(f"peak RSS of any one process:       {peak:6.0f} MiB (target under 300 MiB)")
    if not edit:
        return
    import yaml

    one = syllabus / "notes" / "topic-17" / "s1.yaml"
    notes = yaml.safe_load(one.read_text(encoding="utf-8"))
    notes["fragments"][0]["text"] += " (revised)"
    one.write_text(yaml.safe_dump(notes, allow_unicode=True, width=1000), encoding="utf-8")
    seconds, _ = run_rusage("build", "--root", str(syllabus), "--format", "pdf")
    print(f"one fragment edited in one topic:  {seconds:6.2f} s   (target under 3 s)")


def main() -> None:
    import multiprocessing

    from notebuilder.outputs import RenderContext, WriteContext, topic_outputs
    from notebuilder.outputs.epub import pandoc_path

    out = Path(tempfile.mkdtemp(prefix="notebuilder-bench-"))
    try:
        print("== edit to print (shipped notes, every format; paired runs, medians of 3)")
        project = copy_project(REPO, out / "edit-project")
        notes = project / "notes" / "india-japan" / "pillars.yaml"
        folder = out / "e"
        cold_time, edit_time = paired(
            lambda: cold_build(project, folder, "--format", "all"),
            lambda: (
                swap_word(notes, "Annual Summit** reinforced", "Annual Summit** strengthened"),
                notebuilder("build", "--root", str(project), "--out", str(folder), "--format", "all"),
            )[1],
        )
        noop_time = statistics.median(
            notebuilder("build", "--root", str(project), "--out", str(folder), "--format", "all")
            for _ in range(3)
        )
        print(f"cold build (empty output folder):  {cold_time:6.2f} s")
        print(
            f"after a one-word edit:             {edit_time:6.2f} s   edit/cold  {edit_time / cold_time:.2f}x"
        )
        print(
            f"nothing changed:                   {noop_time:6.2f} s   no-op/cold {noop_time / cold_time:.2f}x"
        )

        print("\n== the edit loop: notebuilder preview (shipped notes; 5 saves)")
        served = preview_latencies(copy_project(REPO, out / "preview-project"), rounds=5)
        worst = max(served) + POLL_MILLISECONDS / 1000
        print(
            f"save -> new page served:           {statistics.median(served):6.2f} s   "
            f"(max {max(served):.2f} s; the page polls every {POLL_MILLISECONDS} ms: "
            f"shown within {worst:.2f} s, target 0.5 s)"
        )

        print("\n== against the tools' floor (shipped notes; paired runs in this process, medians of 3)")
        corpus = check_project(REPO, ("india-japan",))
        topic = corpus.topics[0]
        document = assemble_topic(corpus, topic, 0)
        context = RenderContext(make_environment(REPO), REPO, layout_cache=out / "cache")
        write_context = WriteContext(PACKAGE_LAYOUTS, (REPO, PACKAGE_LAYOUTS), 0)
        scratch = out / "floor"
        (scratch / "mindmaps").mkdir(parents=True)
        rendered = []
        for output in topic_outputs(document, FORMATS):
            for task in output.prepare(context, document):
                task()
            rendered.append((output, output.render(context, document)))
        by_name = {output.name: (output, content) for output, content in rendered}
        booklet, booklet_html = by_name["booklet.pdf"]
        plain_context = WriteContext(PACKAGE_LAYOUTS, (REPO, PACKAGE_LAYOUTS), 0, pdf_variant=None)
        ours, floor = paired(
            lambda: timed(lambda: booklet.write(booklet_html, scratch / "ours.pdf", plain_context))[0],
            lambda: timed(lambda: plain_weasyprint(booklet_html, scratch / "floor.pdf"))[0],
        )
        print(f"booklet.pdf, ours:                 {ours:6.2f} s   booklet/floor {ours / floor:.2f}x")
        print(f"booklet.pdf, plain WeasyPrint:     {floor:6.2f} s")
        hindi = REPO / "tests" / "data" / "hindi"
        hindi_corpus = check_project(hindi)
        hindi_html = render_booklet(
            make_environment(hindi), assemble_topic(hindi_corpus, hindi_corpus.topics[0], 0), hindi
        )
        ours, floor = paired(
            lambda: timed(lambda: booklet.write(hindi_html, scratch / "hindi.pdf", plain_context))[0],
            lambda: timed(lambda: plain_weasyprint(hindi_html, scratch / "hindi-floor.pdf"))[0],
        )
        print(
            f"Hindi booklet (tests/data/hindi):  {ours:6.2f} s   booklet/floor {ours / floor:.2f}x "
            "(each Devanagari word given its text: ActualText)"
        )
        untagged, tagged = paired(
            lambda: timed(lambda: booklet.write(booklet_html, scratch / "plain.pdf", plain_context))[0],
            lambda: timed(lambda: booklet.write(booklet_html, scratch / "ua.pdf", write_context))[0],
            rounds=5,
        )
        print(
            f"booklet.pdf as PDF/UA-1 (tagged):  {tagged:6.2f} s   tagged/untagged {tagged / untagged:.2f}x "
            "(the default: a default may cost 15% at most; --pdf-variant none skips it)"
        )

        pdfs = [
            (output, content) for output, content in rendered if output.format == "pdf" and not output.reads
        ]
        readers = [(output, content) for output, content in rendered if output.reads]  # the single sheets
        workers = min(2, multiprocessing.cpu_count())
        jobs = [(output, content, scratch / output.name, plain_context) for output, content in pdfs]
        floor_jobs = [
            (floor_html(output, content, context), scratch / ("floor-" + output.name.replace("/", "-")))
            for output, content in pdfs
        ]
        inputs = {output.name: scratch / output.name for output, _ in pdfs}

        def our_pdfs() -> float:
            def run():
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    pool.map(_write_output, sorted(jobs, key=lambda job: -len(str(job[1]))), chunksize=1)
                reading = WriteContext(PACKAGE_LAYOUTS, (REPO, PACKAGE_LAYOUTS), 0, inputs, pdf_variant=None)
                for output, content in readers:
                    output.write(content, scratch / output.name, reading)

            return timed(run)[0]

        def floor_pdfs() -> float:
            def run():
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    pool.map(
                        _plain_weasyprint_job, sorted(floor_jobs, key=lambda job: -len(job[0])), chunksize=1
                    )

            return timed(run)[0]

        ours, floor = paired(our_pdfs, floor_pdfs)
        print(
            f"every PDF ({len(pdfs)} documents, {workers} processes): ours {ours:.2f} s, "
            f"plain WeasyPrint {floor:.2f} s   PDF/floor {ours / floor:.2f}x"
        )
        build_pdf = statistics.median(cold_build(project, out / "p", "--format", "pdf") for _ in range(3))
        print(
            f"whole `build --format pdf`, cold:  {build_pdf:6.2f} s   build/floor {build_pdf / floor:.2f}x "
            "(with start-up, checking, dedupe, Graphviz, and PDF/UA tagging)"
        )

        epub, epub_content = by_name["booklet.epub"]
        (scratch / "epub.html").write_text(epub_content["html"], encoding="utf-8")

        def bare_pandoc() -> float:
            command = [pandoc_path(), "--from=html", "--to=epub3", str(scratch / "epub.html")]
            return timed(lambda: subprocess.run([*command, "-o", str(scratch / "bare.epub")], check=True))[0]

        ours, floor = paired(
            lambda: timed(lambda: epub.write(epub_content, scratch / "ours.epub", write_context))[0],
            bare_pandoc,
        )
        print(f"booklet.epub: ours {ours:.2f} s, bare pandoc {floor:.2f} s   EPUB/pandoc {ours / floor:.2f}x")

        syllabus_scale(out, 50, edit=True)

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
    if sys.argv[1:2] == ["--syllabus"]:  # `make bench-syllabus`: the syllabus scale alone, at 200 topics
        scratch = Path(tempfile.mkdtemp(prefix="notebuilder-bench-"))
        try:
            syllabus_scale(scratch, int(sys.argv[2]))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    else:
        main()
