"""``notebuilder changes``: what changed in a topic since an edition of its booklet.

Each topic's ``<out>/<topic>/changes.pdf`` lists only the points that are new, changed or
removed since the edition asked for (``--since`` an edition's number or a day), else
since the last edition whose points differ from the notes now: a changed figure is shown
old → new, and each change carries its page in the latest booklet when that booklet was
printed from the notes as they are (editions.py, outputs/edition.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..build import assemble_document, build_epoch, check_project, deduplicate_topics
from ..editions import changes, edition_before, snapshot
from ..outputs.edition import read_editions
from ..pdf import write_pdf
from ..render import layout_directories, make_environment, render_layout
from ..write import OutputBatch, output_lock, remove_stray_temporaries


@dataclass(frozen=True)
class TopicChanges:
    topic: str
    pdf: Path | None  # None: no earlier edition to compare with
    since: int | None  # the edition compared with
    counts: dict[str, int]


def print_changes(root: Path, out: Path, topics: tuple[str, ...], since: str | None) -> list[TopicChanges]:
    root, out = root.resolve(), out.resolve()
    corpus = check_project(root, topics)
    deduplicated = deduplicate_topics(corpus, cache=out / ".cache" / "dedupe")
    environment = make_environment(root)
    epoch = build_epoch()
    pages_to_write: dict[Path, str] = {}
    found = []
    for topic in corpus.topics:
        document = assemble_document(corpus, topic, deduplicated[topic.id].points, epoch)
        now = snapshot(document)
        kept = read_editions(out / topic.id)
        editions = kept["editions"]
        base = edition_before(editions, now, since)
        if base is None:
            found.append(TopicChanges(topic.id, None, None, {}))
            continue
        listed = changes(base["points"], now)
        counts = {
            kind: sum(1 for change in listed if change.kind == kind) for kind in ("new", "changed", "removed")
        }
        paged = bool(editions) and editions[-1]["points"] == now
        html = render_layout(
            environment,
            "changes.html.j2",
            root,
            topic.language,
            topic=topic,
            since=base,
            latest=editions[-1],
            changes=listed,
            counts=counts,
            paged=paged,
            pages=kept["pages"] if paged else {},
        )
        target = out / topic.id / "changes.pdf"
        pages_to_write[target] = html
        found.append(TopicChanges(topic.id, target, base["number"], counts))
    layouts = layout_directories(root)
    with output_lock(out), OutputBatch() as batch:
        remove_stray_temporaries(out)
        for target, html in pages_to_write.items():
            write_pdf(html, batch.stage(target), layouts[0], (*layouts, out), "pdf/ua-1")
    return found
