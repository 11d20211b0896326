"""A source's text as prose: what ``draft`` and ``coverage`` read.

Students' sources are coaching PDFs, saved web pages, Word handouts and hard-wrapped text.
:func:`extract_text` reads each (a PDF through poppler's ``pdftotext``, a web page, a
``.docx``, ``.odt`` or ``.epub`` through pandoc) and gives Markdown with one block per line:

* a paragraph is one line: hard-wrapped lines are joined, and a word hyphenated at a line's
  end is whole again ("sys-" + "tems": "systems"; "Governor-" + "General" keeps its hyphen
  where the text writes it so elsewhere);
* a heading is ``## Heading`` and a list item ``- item``;
* a PDF's running heads, running feet and page numbers (lines that repeat, digits aside,
  at the top or foot of most pages) are left out, and each page opens with a marker line
  ``<!-- page 3 -->``, so that a draft can cite the page.

:func:`prose` and :func:`without_running_lines` are pure; :func:`extract_text` reads files
and runs the two tools.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from .errors import UsageError
from .markup import devanagari, in_capitals

PAGE_MARKER = re.compile(r"^<!-- page (\d+) -->$")
PLAIN_SUFFIXES = (".txt", ".md", ".markdown", ".text")
PANDOC_SUFFIXES = {".html": "html", ".htm": "html", ".docx": "docx", ".odt": "odt", ".epub": "epub"}
READABLE_SUFFIXES = (*PLAIN_SUFFIXES, *PANDOC_SUFFIXES, ".pdf")

_BULLET = re.compile(r"^(?:[-–•*▪●◦]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"""[.!?।॥]["'”’)\]]*$""")  # the danda ends a Hindi sentence
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_MIN_TEXT_PER_PAGE = 20  # characters: fewer, and the page is a picture (a scan)


def _is_heading(line: str) -> bool:
    """A line standing alone as a title: short, not ending as a sentence goes on."""
    words = line.split()
    if not words or len(words) > 12 or _BULLET.match(line):
        return False
    if in_capitals(line):
        return True  # "CHAPTER 4", "WHY IS THIS IN THE NEWS?"
    capitalised = line[0].isupper() or line[0].isdigit() or devanagari(line[0])  # Hindi has no case
    return not re.search(r"[.,;:!?।]$", line) and capitalised


def _join(before: str, after: str, hyphenated: set[str]) -> str:
    """Two lines of one paragraph as one: a word broken at the line's end is made whole,
    and a compound broken at its hyphen keeps it ("Governor-" + "General")."""
    broken = re.search(r"(\w+)[-‐\u00ad]$", before)
    if broken and after[:1].isalpha():
        rest = re.match(r"\w+", after)
        whole = f"{broken[1]}-{rest[0]}".lower() if rest else ""
        if after[0].islower() and whole not in hyphenated:
            return before[:-1] + after
        return before[:-1] + "-" + after
    return f"{before} {after}"


_OPEN_ENDED = re.compile(r"(?:\b(?:the|of|and|in|for|to|a|an|on|at|with|from|by)|[,&–-])$", re.IGNORECASE)


def hard_wrapped(lines: list[str]) -> bool:
    """Whether the text breaks its lines inside sentences (a textbook's hard wrap, a PDF's
    lines) rather than writing a paragraph, a statement or a heading a line: at least one
    line in ten ends mid-sentence with the sentence going on, lower-case (or in Hindi,
    which has no case), on the next."""
    filled = [line.strip() for line in lines if line.strip() and not PAGE_MARKER.match(line.strip())]
    going_on = sum(
        1
        for line, following in itertools.pairwise(filled)
        if not _SENTENCE_END.search(line)
        and (following[:1].islower() or (devanagari(following[:1]) and not _is_heading(line)))
    )
    return bool(filled) and going_on >= 0.1 * len(filled)


def prose(lines: list[str]) -> list[str]:
    """Hard-wrapped lines (page markers among them) as blocks, one per line: paragraphs
    joined, headings as ``## …``, list items as ``- …``, page markers kept. A paragraph
    that runs over a page or a column goes on: its page's marker comes after it. A text
    that is not :func:`hard_wrapped` keeps its lines: each is a block of its own."""
    if not hard_wrapped(lines):
        return [
            "## " + line.lstrip("#").strip() if line.startswith("#") or _is_heading(line) else line
            for line in (raw.strip() for raw in lines)
            if line
        ]
    text = "\n".join(lines)
    hyphenated = {match.lower() for match in re.findall(r"\b\w+-\w+\b", text)}
    lengths = sorted(len(line.strip()) for line in lines if line.strip() and not PAGE_MARKER.match(line))
    width = lengths[int(len(lengths) * 0.8)] if lengths else 72
    blocks: list[str] = []
    current: str | None = None
    waiting: list[str] = []  # page markers met inside a paragraph
    heading_open = False  # the last block is a heading that the next line may go on

    def flush() -> None:
        nonlocal current
        if current is not None:
            blocks.append(current)
            current = None
        blocks.extend(waiting)
        waiting.clear()

    def next_line(index: int) -> str:
        for line in lines[index + 1 :]:
            if line.strip() and not PAGE_MARKER.match(line.strip()):
                return line.strip()
        return ""

    for index, raw in enumerate(lines):
        line = raw.strip()
        if PAGE_MARKER.match(line):
            if current is not None and not _SENTENCE_END.search(current):
                waiting.append(line)
            else:
                flush()
                blocks.append(line)
            continue
        if not line:
            following = next_line(index)
            if current is not None and not _SENTENCE_END.search(current) and following[:1].islower():
                continue  # a column or a page broke the paragraph, not the writer
            flush()
            heading_open = False
            continue
        if line.startswith("#"):
            flush()
            blocks.append("## " + line.lstrip("#").strip())
            heading_open = False
            continue
        if _BULLET.match(line):
            flush()
            current = "- " + _BULLET.sub("", line)
        elif current is None or _SENTENCE_END.search(current):
            following = next_line(index)
            if (
                _is_heading(line)
                and (len(line) < 0.75 * width or in_capitals(line))
                and (not following or not following[:1].islower())
            ):
                flush()
                if heading_open and blocks and _OPEN_ENDED.search(blocks[-1]):
                    blocks[-1] += " " + line  # a heading wrapped over two lines
                else:
                    blocks.append("## " + line)
                heading_open = True
                continue
            current = line if current is None else f"{current} {line}"
        else:
            current = _join(current, line, hyphenated)
        heading_open = False
        if len(line) < 0.75 * width and _SENTENCE_END.search(line):
            flush()  # a short line that ends a sentence ends its paragraph
    flush()
    return blocks


def without_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """The pages without their running heads and feet (lines among a page's first or last
    two that repeat, digits aside, on at least half the pages) and page numbers."""

    def edges(page: list[str]) -> list[int]:
        filled = [index for index, line in enumerate(page) if line.strip()]
        return sorted(set(filled[:2] + filled[-2:]))

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.lower().split()))

    seen = Counter(key(page[index]) for page in pages for index in set(edges(page)))
    repeated = {line for line, count in seen.items() if len(pages) >= 2 and count >= max(2, len(pages) / 2)}
    kept = []
    for page in pages:
        dropped = {
            index
            for index in edges(page)
            if key(page[index]) in repeated or _PAGE_NUMBER.match(page[index].strip())
        }
        kept.append([line for index, line in enumerate(page) if index not in dropped])
    return kept


def _run(command: list[str], path: Path) -> str:
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise UsageError(
            f"{command[0]} could not read {path}: {completed.stderr.strip() or 'no reason given'}"
        )
    return completed.stdout


def _pdf_pages(path: Path) -> list[list[str]]:
    if shutil.which("pdftotext") is None:
        raise UsageError("reading a PDF needs pdftotext: apt-get install poppler-utils")
    # -raw: the order the page is drawn in, which keeps a compound's hyphen at a line's end
    # (the default reading order joins "Governor-" and "General" as "GovernorGeneral").
    pages = _run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], path).split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    if sum(len("".join(page.split())) for page in pages) < _MIN_TEXT_PER_PAGE * max(1, len(pages)):
        raise UsageError(
            f"{path.name} has no text to read (a scanned PDF is pictures of pages); make a text layer "
            "first with an OCR tool (for example: ocrmypdf in.pdf out.pdf), or save the source as text"
        )
    return [page.splitlines() for page in pages]


def _pandoc_markdown(path: Path, reader: str) -> list[str]:
    import pypandoc

    try:
        markdown = pypandoc.convert_file(
            str(path), "gfm-raw_html", format=reader, extra_args=["--wrap=none", "--quiet"]
        )
    except RuntimeError as error:
        raise UsageError(f"pandoc could not read {path}: {str(error).strip()}") from None
    markdown = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)  # pictures
    markdown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # links: their words
    markdown = re.sub(r"\*\*|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", markdown)  # emphasis marks
    markdown = re.sub(r"\\([\\`*_{}\[\]()#+\-.!'\"<>|~$])", r"\1", markdown)  # Markdown's escapes
    return markdown.splitlines()


def extract_text(path: Path) -> str:
    """The source as prose Markdown (see the module's docstring)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        lines = []
        for number, page in enumerate(without_running_lines(_pdf_pages(path)), start=1):
            lines += [f"<!-- page {number} -->", *page, ""]
    elif suffix in PANDOC_SUFFIXES:
        lines = _pandoc_markdown(path, PANDOC_SUFFIXES[suffix])
    elif suffix in PLAIN_SUFFIXES:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not UTF-8 text; save it as UTF-8") from None
    else:
        raise UsageError(
            f"notebuilder cannot read {path.name}; give it as one of: {', '.join(READABLE_SUFFIXES)}"
        )
    spaced = [re.sub(r"[\u00a0\u2000-\u200a\u202f]", " ", line) for line in lines]  # pandoc's after "e.g."
    return "\n\n".join(prose(spaced)).strip() + "\n"
