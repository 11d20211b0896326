"""Stage 5b, mind maps: plan one radial map per section (and an overview), lay each out
with Graphviz ``twopi`` and fit it to one printed page.

``plan_sheets`` is pure: it turns a :class:`Document` into :class:`MindMapSheet` values
(centre, branches, leaves). ``lay_out_sheet`` runs Graphviz ``twopi`` (through the
``graphviz`` package; ``overlap=vpsc`` keeps nodes apart compactly, ``splines=true``
routes edges around nodes, and the ring spacing is predicted from the sheet's shape, see
:func:`predicted_spacing`) and measures the drawing: the map is scaled to fill the
printable area, and if its labels would print smaller than :data:`MIN_PRINTED_PT` the
sheet is refused with a :class:`NoteError` that names the section and says how much to
trim. The one layout is drawn twice in the same Graphviz run: as SVG, which is measured
(and shown by the browser preview), and as PDF, which the printed sheet shows.

Branches: a section's points hang on branches named by their ``branch`` field when any
point has one; else, in a section of more than :data:`DIRECT_LEAVES` points, by their
most common tag (at most :data:`MAX_BRANCHES` branches, the rest under "Other"); else,
or where tags would give fewer than two branches, the points are the branches themselves.
Leaves are the points' ``short`` labels, or the first six words of their text. The
overview has the topic at the centre, the sections as branches, and for each section its
2–4 most important points: its ``priority: 1`` points (up to 4); where it has fewer than
2 of those, its points that the most sources state, until it has 2; the chosen leaves
keep the section's own order. A section of fewer than :data:`MIN_SHEET_POINTS` points
gets no sheet of its own (a one-node map says nothing); the overview still shows it.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .cache import keep, recall
from .errors import Location, NoteError, ToolError
from .i18n import gettext, ngettext
from .markup import curly_quotes, plain_text
from .model import DocPoint, DocSection, Document
from .pool import die_with_parent, run_side_by_side, scratch_folder, worker_count

MIN_PRINTED_PT = 7.0
LEAF_PT = 11.0
BRANCH_PT = 12.5
CENTRE_PT = 17.0
MAX_SCALE = 1.5  # a small map grows, but its text no larger than 1.5 times
DIRECT_LEAVES = 7
MAX_BRANCHES = 7
RING_SPACINGS = ("1.2", "1.5", "1.8")  # twopi ranksep, in inches, tried in turn
LABEL_WORDS = 6
OVERVIEW_POINTS = (2, 4)
MIN_SHEET_POINTS = 3  # a section with fewer points gets no sheet of its own: the overview shows them
# Printable map area on an A4 landscape sheet, in points: 297 x 210 mm less margins
# (10 mm) and the title strip (12 mm).
MAP_WIDTH_PT = (297 - 20) * 72 / 25.4
MAP_HEIGHT_PT = (210 - 20 - 12) * 72 / 25.4

# Okabe–Ito colours (safe for colour-blind readers), ordered so neighbouring branches
# differ in lightness; each also gets its own line style so branches stay apart in
# grayscale print.
# Colour-blind-safe hues (after Okabe and Ito), each dark enough to stand at least 3:1
# against the page when the sheet is printed in grey (a paler orange or sky blue all but
# vanished), and told apart by line style as well as by hue.
BRANCH_STYLES = (
    ("#0072B2", "solid"),
    ("#A86A00", "dashed"),
    ("#009E73", "solid"),
    ("#CC79A7", "dotted"),
    ("#D55E00", "dotted"),
    ("#6A3D9A", "dashed"),
    ("#444444", "dotted"),
    ("#000000", "dashed"),
)


@dataclass(frozen=True)
class Branch:
    label: str
    leaves: tuple[str, ...]
    colour: str
    line_style: str


@dataclass(frozen=True)
class MindMapSheet:
    id: str  # "overview" or the section id
    title: str
    centre: str
    branches: tuple[Branch, ...]
    location: Location  # where to point a student whose map is too full
    language: str = "en"  # the topic's: the words the sheet adds ("Other", its outline)

    @property
    def label_count(self) -> int:
        return sum(1 + len(branch.leaves) for branch in self.branches)

    @property
    def outline(self) -> str:
        """The map in words, branch by branch: what a screen reader says for the picture."""
        branches = " ".join(
            f"{branch.label}: {'; '.join(branch.leaves)}." if branch.leaves else f"{branch.label}."
            for branch in self.branches
        )
        said = ngettext(
            self.language,
            "Mind map of %(centre)s, %(num)s branch.",
            "Mind map of %(centre)s, %(num)s branches.",
            len(self.branches),
        )
        return f"{said % {'centre': self.centre, 'num': len(self.branches)}} {branches}"


@dataclass(frozen=True)
class LaidOutSheet:
    sheet: MindMapSheet
    svg: str  # inline <svg> markup, sized in mm to fit the page (the browser preview shows it)
    scale: float
    smallest_pt: float  # the smallest label's size on paper
    pdf: bytes  # the same layout drawn by Graphviz as a one-page PDF (the printed sheet shows it)
    size_mm: tuple[float, float]  # the drawing's width and height on paper


def leaf_label(item: DocPoint) -> str:
    """A point's label; "≠" marks a point on whose figures the sources differ."""
    differ = " ≠" if item.conflicts else ""
    if item.point.short:
        return curly_quotes(plain_text(item.point.short)) + differ
    words = curly_quotes(plain_text(item.point.text)).split()
    return " ".join(words[:LABEL_WORDS]).rstrip(",;:.") + ("…" if len(words) > LABEL_WORDS else "") + differ


def _styled(labels_by_branch: list[tuple[str, tuple[str, ...]]]) -> tuple[Branch, ...]:
    return tuple(
        Branch(curly_quotes(label), leaves, *BRANCH_STYLES[index % len(BRANCH_STYLES)])
        for index, (label, leaves) in enumerate(labels_by_branch)
    )


def _section_branches(section: DocSection, language: str = "en") -> tuple[Branch, ...]:
    points = section.points
    if any(item.point.branch for item in points):
        groups: dict[str, list[str]] = {}
        for item in points:
            groups.setdefault(item.point.branch or gettext(language, "Other"), []).append(leaf_label(item))
        return _styled(
            sorted(
                ((name, tuple(leaves)) for name, leaves in groups.items()),
                key=lambda group: (group[0] == gettext(language, "Other"), group[0]),
            )
        )
    if len(points) <= DIRECT_LEAVES:
        return _styled([(leaf_label(item), ()) for item in points])
    counts = Counter(tag for item in points for tag in item.point.tags)
    # A tag nearly every point has ("summit" in the summit section) groups nothing.
    counts = Counter({tag: count for tag, count in counts.items() if count <= len(points) * 0.6})
    tagged: dict[str, list[DocPoint]] = {}
    for item in points:
        tags = sorted(item.point.tags, key=lambda tag: (-counts[tag], tag))
        tag = tags[0] if tags and counts[tags[0]] > 1 else "Other"
        tagged.setdefault(tag, []).append(item)
    named = sorted((tag for tag in tagged if tag != "Other"), key=lambda tag: (-len(tagged[tag]), tag))
    if len(named) < 2 and len(points) <= 2 * DIRECT_LEAVES:
        return _styled([(leaf_label(item), ()) for item in points])  # tags would make one lopsided branch
    for tag in named[MAX_BRANCHES:]:
        tagged.setdefault("Other", []).extend(tagged.pop(tag))
    named = named[:MAX_BRANCHES]
    # "Other" is never the biggest branch: its points join a branch one of their other
    # tags names, and those left, if still the most, stand on their own around the centre.
    for item in list(tagged.get("Other", [])):
        home = next((tag for tag in sorted(item.point.tags) if tag in named), None)
        if home is not None:
            tagged["Other"].remove(item)
            tagged[home].append(item)
    others = tagged.pop("Other", [])
    biggest = max((len(tagged[tag]) for tag in named), default=0)
    texts = " ".join(plain_text(item.point.text) for item in points)
    branches = [(tag_label(tag, texts), tuple(map(leaf_label, tagged[tag]))) for tag in named]
    if len(others) >= biggest:
        return _styled(branches + [(leaf_label(item), ()) for item in others])
    other = gettext(language, "Other")
    return _styled(branches + ([(other, tuple(map(leaf_label, others)))] if others else []))


def tag_label(tag: str, texts: str) -> str:
    """A tag as a branch label, spelt as the notes spell it: "unsc" -> "UNSC",
    "indo-pacific" -> "Indo-Pacific", "supply-chains" -> "Supply chains"."""
    for candidate in (tag, tag.replace("-", " ")):
        found = re.search(rf"(?<!\w){re.escape(candidate)}(?!\w)", texts, re.IGNORECASE)
        if found:
            label = found.group(0)
            return label[:1].upper() + label[1:]
    label = tag.replace("-", " ")
    return label[:1].upper() + label[1:]


def most_important(section: DocSection) -> tuple[DocPoint, ...]:
    """The overview's points for a section: priority 1, then those most sources state;
    ties, and the chosen points, in the section's own order."""
    position = {id(item): index for index, item in enumerate(section.points)}
    ranked = sorted(
        section.points,
        key=lambda item: (item.point.priority or 2, -len(item.point.source_ids), position[id(item)]),
    )
    low, high = OVERVIEW_POINTS
    chosen = [item for item in ranked if item.point.priority == 1][:high]
    for item in ranked:
        if len(chosen) >= low:
            break
        if item not in chosen:
            chosen.append(item)
    return tuple(sorted(chosen, key=lambda item: position[id(item)]))


def plan_sheets(document: Document) -> tuple[MindMapSheet, ...]:
    locations = {section.id: section.location for section in document.topic.sections}
    shorts = {section.id: section.short or section.title for section in document.topic.sections}
    overview = MindMapSheet(
        id="overview",
        title=curly_quotes(document.topic.title + ": " + gettext(document.topic.language, "overview")),
        centre=curly_quotes(document.topic.title),
        branches=_styled(
            [
                (shorts[section.id], tuple(leaf_label(item) for item in most_important(section)))
                for section in document.sections
            ]
        ),
        location=document.topic.location,
        language=document.topic.language,
    )
    sections = tuple(
        MindMapSheet(
            id=section.id,
            title=curly_quotes(f"{section.number}. {section.title}"),
            centre=curly_quotes(section.title),
            branches=_section_branches(section, document.topic.language),
            location=locations[section.id],
            language=document.topic.language,
        )
        for section in document.sections
        if len(section.points) >= MIN_SHEET_POINTS
    )
    return (overview, *sections)


# ------------------------------------------------------------------ Graphviz


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _dot_label(text: str, width: int):
    import graphviz

    # Backslashes are DOT escapes; "\n" between lines centres them. nohtml keeps a
    # label such as "<b>" from being read as an HTML-like label.
    return graphviz.nohtml("\\n".join(line.replace("\\", "\\\\") for line in _wrap(text, width)))


def _tint(colour: str, amount: float) -> str:
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    mix = lambda value: round(value + (255 - value) * amount)  # noqa: E731
    return f"#{mix(red):02x}{mix(green):02x}{mix(blue):02x}"


def sheet_graph(sheet: MindMapSheet, ranksep: str = "1.5"):
    import graphviz

    graph = graphviz.Graph(
        name=sheet.id,
        engine="twopi",
        graph_attr={
            "root": "centre",
            "overlap": "vpsc",
            "splines": "true",  # edges are routed around the nodes, never through them
            "ranksep": ranksep,
            "ratio": f"{MAP_HEIGHT_PT / MAP_WIDTH_PT:.3f}",
            "pad": "0.1",
            "bgcolor": "transparent",
            "outputorder": "edgesfirst",
            "sep": "+3",
            "margin": "0",  # the PDF drawing as tight as the SVG (Graphviz pads PDF pages by default)
        },
        node_attr={
            "fontname": "Noto Sans",
            "fontsize": str(LEAF_PT),
            "margin": "0.1,0.04",
            "penwidth": "1.2",
        },
        edge_attr={"penwidth": "1.6"},
    )
    graph.node(
        "centre",
        _dot_label(sheet.centre, 18),
        shape="ellipse",
        style="filled",
        fillcolor="#1f3a5f",
        fontcolor="white",
        fontsize=str(CENTRE_PT),
        fontname="Noto Sans Bold",
        color="#1f3a5f",
    )
    for number, branch in enumerate(sheet.branches):
        branch_id = f"b{number}"
        graph.node(
            branch_id,
            _dot_label(branch.label, 13),
            shape="box",
            style=f"rounded,filled,{branch.line_style}" if branch.line_style != "solid" else "rounded,filled",
            fillcolor=_tint(branch.colour, 0.55),
            color=branch.colour,
            penwidth="2.2",
            margin="0.14,0.06",
            fontsize=str(BRANCH_PT),
            fontname="Noto Sans Bold",
        )
        graph.edge("centre", branch_id, color=branch.colour, penwidth="3", style=branch.line_style)
        for leaf_number, leaf in enumerate(branch.leaves):
            leaf_id = f"b{number}l{leaf_number}"
            graph.node(
                leaf_id,
                _dot_label(leaf, 14),
                shape="box",
                style=f"rounded,{branch.line_style}" if branch.line_style != "solid" else "rounded",
                color=branch.colour,
                fillcolor="white",
            )
            graph.edge(branch_id, leaf_id, color=branch.colour, style=branch.line_style)
    return graph


_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


GRAPHVIZ_SECONDS = 120  # per layout; sheets that take longer are refused, not waited on
_running: set = set()  # the Graphviz processes now running, so that a stop can end them
_running_lock = threading.Lock()


def stop_running_tools() -> None:
    """End every Graphviz process still running (a stopped build leaves none behind)."""
    with _running_lock:
        for process in list(_running):
            process.kill()


@dataclass(frozen=True)
class _Run:
    """One Graphviz layout, drawn twice: as SVG (measured, and shown by the preview) and as PDF."""

    svg: str
    width: float  # pt
    height: float
    pdf: bytes


def _run_twopi(jobs: list[tuple[MindMapSheet, str]]) -> list[_Run]:
    """Lay sheets out (each at its ring spacing) with one twopi process, the DOT made with
    the graphviz package, and draw each layout both as SVG and as PDF (``-Tsvg -Tpdf``).
    One process for many graphs: starting Graphviz costs more than laying out a sheet."""
    import shutil
    import subprocess

    if shutil.which("twopi") is None:
        raise ToolError(
            "Graphviz is not installed (no 'twopi' on PATH); "
            "`make pdf` installs it, or: apt-get install graphviz"
        )
    names = ", ".join(f"'{sheet.id}'" for sheet, _ in jobs)
    timeout = GRAPHVIZ_SECONDS * len(jobs)
    with scratch_folder("maps") as folder:
        sources = [Path(folder) / f"map{number}.gv" for number in range(len(jobs))]
        for source, (sheet, ranksep) in zip(sources, jobs):
            source.write_text(dot_source(sheet, ranksep), encoding="utf-8")
        process = subprocess.Popen(
            ["twopi", "-Tsvg", "-Tpdf", "-O", *(source.name for source in sources)],  # -O: map0.gv.svg, …
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=folder,
            preexec_fn=die_with_parent,
        )
        with _running_lock:
            _running.add(process)
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise ToolError(
                f"Graphviz took more than {timeout} s to lay out the mind maps of {names}; "
                "split or trim the sections"
            ) from None
        finally:
            with _running_lock:
                _running.discard(process)
        if process.returncode != 0:
            if process.returncode < 0:
                raise ToolError(f"Graphviz was stopped while laying out the mind maps of {names}")
            raise ToolError(
                f"Graphviz failed on the mind maps of {names}: {errors.decode('utf-8', 'replace')!r}"
            )
        runs = []
        for source in sources:
            text = source.with_name(source.name + ".svg").read_text(encoding="utf-8")
            text = text[text.index("<svg") :]  # drop the XML prolog, the DOCTYPE and comments
            # Graphviz names the graph by its place in the run: the same map, the same SVG.
            text = re.sub(r'<g id="page[\d,]+_graph0"', '<g id="graph0"', text, count=1)
            match = _SIZE.search(text)
            if match is None:
                raise ToolError(f"Graphviz drew a map without a size ({source.name}.svg)")
            pdf = source.with_name(source.name + ".pdf").read_bytes()
            runs.append(_Run(text, float(match[1]), float(match[2]), pdf))
    return runs


def _run_side_by_side(jobs: list[tuple[MindMapSheet, str]]) -> list[_Run]:
    """Every job laid out, in one twopi process per core, the sheets shared out by size."""
    shares: list[list[int]] = [[] for _ in range(min(len(jobs), worker_count(len(jobs))))]
    loads = [0] * len(shares)
    for index in sorted(range(len(jobs)), key=lambda index: -jobs[index][0].label_count):
        least = loads.index(min(loads))
        shares[least].append(index)
        loads[least] += jobs[index][0].label_count
    tasks = [functools.partial(_run_twopi, [jobs[index] for index in share]) for share in shares]
    runs: dict[int, _Run] = {}
    for share, done in zip(shares, run_side_by_side(tasks, stop=stop_running_tools)):
        runs.update(zip(share, done))
    return [runs[index] for index in range(len(jobs))]


def _scale(width: float, height: float) -> float:
    return min(MAP_WIDTH_PT / width, MAP_HEIGHT_PT / height, MAX_SCALE)


def _smallest_pt(sheet: MindMapSheet, scale: float) -> float:
    return LEAF_PT * scale if any(branch.leaves for branch in sheet.branches) else BRANCH_PT * scale


def _too_full(sheet: MindMapSheet, smallest: float) -> NoteError:
    labels = sheet.label_count
    keep = int(labels * smallest / MIN_PRINTED_PT)
    what = "overview" if sheet.id == "overview" else f"section '{sheet.id}'"
    return NoteError.at(
        sheet.location,
        f"the mind map of {what} is too full for one page: its labels would print at {smallest:.1f} pt "
        f"(at least {MIN_PRINTED_PT:g} pt is readable); "
        f"trim about {labels - keep} of its {labels} labels, "
        "or shorten them, or split the section",
    )


def hopeless(sheet: MindMapSheet) -> NoteError | None:
    """Refuse, before any layout, a sheet whose labels could not fit even packed edge to
    edge at the smallest readable size (the label count and sizes are known in advance)."""
    shrink = MIN_PRINTED_PT / LEAF_PT
    area = 0.0
    for branch in sheet.branches:
        for label in (branch.label, *branch.leaves):
            lines = _wrap(label, 14)
            width = max(len(line) for line in lines) * 0.5 * LEAF_PT + 12
            area += width * (len(lines) * 1.25 * LEAF_PT + 8)
    if area * shrink * shrink <= MAP_WIDTH_PT * MAP_HEIGHT_PT:
        return None
    smallest = MIN_PRINTED_PT * (MAP_WIDTH_PT * MAP_HEIGHT_PT / (area * shrink * shrink)) ** 0.5
    return _too_full(sheet, smallest)


WIDE_RING_BRANCHES = 7  # from more branches than this, the first ring needs the widest spacing


def predicted_spacing(sheet: MindMapSheet) -> str:
    """The ring spacing to lay a sheet out with, predicted from its shape so that Graphviz
    runs once: many branches need a wide first ring (measured on the shipped and test
    maps, the widest spacing prints them largest); few branches with many leaves pack
    best on the narrowest."""
    return RING_SPACINGS[-1] if len(sheet.branches) > WIDE_RING_BRANCHES else RING_SPACINGS[0]


@functools.lru_cache(maxsize=1)
def graphviz_version() -> str:
    import shutil
    import subprocess

    if shutil.which("twopi") is None:
        return "none"
    found = subprocess.run(["twopi", "-V"], capture_output=True, text=True)
    return (found.stderr or found.stdout).strip()


@functools.lru_cache(maxsize=1024)  # asked for by the sheet's own output and by mindmaps.pdf
def layout_key(sheet: MindMapSheet) -> str:
    """What a sheet's layout depends on: its DOT and every spacing it may be tried at, the
    fitting rules, and the Graphviz that lays it out."""
    digest = hashlib.sha256(graphviz_version().encode())
    digest.update(repr((MIN_PRINTED_PT, LEAF_PT, BRANCH_PT, MAX_SCALE, MAP_WIDTH_PT, MAP_HEIGHT_PT)).encode())
    digest.update(repr((predicted_spacing(sheet), RING_SPACINGS)).encode())
    # At another spacing the DOT differs only in its ranksep: one DOT stands for them all.
    digest.update(dot_source(sheet, predicted_spacing(sheet)).encode("utf-8"))
    return digest.hexdigest()


@functools.lru_cache(maxsize=256)
def dot_source(sheet: MindMapSheet, ranksep: str) -> str:
    """The sheet's DOT at a ring spacing (asked for by its layout key, then by Graphviz)."""
    return sheet_graph(sheet, ranksep).source


def _fitted(sheet: MindMapSheet, run: _Run) -> LaidOutSheet:
    width, height = run.width, run.height
    svg = re.sub(r"<!--.*?-->", "", run.svg, flags=re.S)
    # Graphviz names the bold face as a family; the page's font matching wants a weight.
    svg = svg.replace('font-family="Noto Sans Bold"', 'font-family="Noto Sans" font-weight="bold"')
    scale = _scale(width, height)
    smallest = _smallest_pt(sheet, scale)
    if smallest < MIN_PRINTED_PT:
        raise _too_full(sheet, smallest)
    width_mm, height_mm = round(width * scale * 25.4 / 72, 1), round(height * scale * 25.4 / 72, 1)
    svg = _SIZE.sub(f'<svg width="{width_mm:.1f}mm" height="{height_mm:.1f}mm"', svg, count=1)
    return LaidOutSheet(sheet, svg, scale, smallest, _page_only(run.pdf), (width_mm, height_mm))


def _page_only(pdf: bytes) -> bytes:
    """Graphviz's PDF without the time it was drawn (cairo dates it, and SOURCE_DATE_EPOCH
    does not reach it): the same map gives the same bytes, in the cache and in print."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as drawing:
        if "/Info" in drawing.trailer:
            del drawing.trailer.Info
        kept = io.BytesIO()
        drawing.save(kept, deterministic_id=True)
        return kept.getvalue()


def lay_out_sheet(sheet: MindMapSheet, cache: Path | None = None) -> LaidOutSheet:
    """One sheet laid out (see :func:`lay_out_sheets`)."""
    return lay_out_sheets((sheet,), cache)[0]


def lay_out_sheets(sheets: tuple[MindMapSheet, ...], cache: Path | None = None) -> tuple[LaidOutSheet, ...]:
    """Lay every sheet out with twopi once, at its predicted ring spacing, and size each
    drawing to the page; refuse a map whose text would be unreadable. Only when the
    prediction would print the labels too small are the other spacings tried, before
    refusing. Graphviz runs side by side on the machine's cores, and every over-full
    sheet is reported, not just the first.

    With a ``cache`` folder each layout is kept there under :func:`layout_key`, so a sheet
    whose map did not change is never laid out again (a new date or stylesheet re-renders
    the page, not the map)."""
    problems: list = []
    laid: dict[int, LaidOutSheet] = {}
    pending = []
    for index, sheet in enumerate(sheets):
        refused = hopeless(sheet)
        if refused:
            problems.extend(refused.problems)
            continue
        kept = _recalled(sheet, cache)
        if kept is not None:
            laid[index] = kept
        else:
            pending.append(index)
    predicted = [(sheets[index], predicted_spacing(sheets[index])) for index in pending]
    runs = {index: [run] for index, run in zip(pending, _run_side_by_side(predicted) if predicted else [])}
    retried = [
        (index, ranksep)
        for index in pending
        if _smallest_pt(sheets[index], _scale(runs[index][0].width, runs[index][0].height)) < MIN_PRINTED_PT
        for ranksep in RING_SPACINGS
        if ranksep != predicted_spacing(sheets[index])
    ]
    if retried:
        again = _run_side_by_side([(sheets[index], ranksep) for index, ranksep in retried])
        for (index, _), run in zip(retried, again):
            runs[index].append(run)
    for index in pending:
        best = min(runs[index], key=lambda run: max(run.width / MAP_WIDTH_PT, run.height / MAP_HEIGHT_PT))
        try:
            laid[index] = _kept(_fitted(sheets[index], best), cache)
        except NoteError as error:
            problems.extend(error.problems)
    if problems:
        raise NoteError(problems)
    return tuple(laid[index] for index in range(len(sheets)))


def _recalled(sheet: MindMapSheet, cache: Path | None) -> LaidOutSheet | None:
    key = layout_key(sheet)
    if key in _recent_layouts:
        return _recent_layouts[key]
    kept = recall(cache / f"{key}.json") if cache is not None else None
    if kept is not None:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            value = json.loads(kept)
            pdf, size = base64.b64decode(value["pdf"]), tuple(value["size_mm"])
            laid = LaidOutSheet(sheet, value["svg"], value["scale"], value["smallest_pt"], pdf, size)
            return _remember(key, laid)
    return None


def _kept(laid: LaidOutSheet, cache: Path | None) -> LaidOutSheet:
    key = layout_key(laid.sheet)
    if cache is not None:
        value = {
            "svg": laid.svg,
            "scale": laid.scale,
            "smallest_pt": laid.smallest_pt,
            "pdf": base64.b64encode(laid.pdf).decode("ascii"),
            "size_mm": laid.size_mm,
        }
        keep(cache / f"{key}.json", json.dumps(value).encode("utf-8"))
    return _remember(key, laid)


_recent_layouts: dict[str, LaidOutSheet] = {}  # this process's last layouts, if the cache is not writable
RECENT_LAYOUTS = 64


def _remember(key: str, laid: LaidOutSheet) -> LaidOutSheet:
    with _running_lock:
        _recent_layouts[key] = laid
        while len(_recent_layouts) > RECENT_LAYOUTS:
            del _recent_layouts[next(iter(_recent_layouts))]
    return laid
