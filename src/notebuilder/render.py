"""Stage 5, render: turn an assembled :class:`Document` into HTML with the Jinja layouts.

Layouts are looked up first in the project root's own ``layouts/`` (when it has one),
then in notebuilder's. Autoescaping is on and undefined variables are errors; a broken
layout is reported as a :class:`NoteError` at the layout's file and line.
"""

from __future__ import annotations

import traceback
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .dates import display_date
from .errors import Location, NoteError, Problem, printable
from .i18n import css_page_counter, translations
from .load import outside_project
from .markup import curly_quotes
from .model import Book, Document

PACKAGE_LAYOUTS = Path(__file__).resolve().parent / "layouts"  # shipped inside the package
PAPER_SIZES = {"a4": "A4", "letter": "letter"}


def layout_directories(root: Path) -> tuple[Path, ...]:
    """Where layouts are looked up, first to last: the project's own ``layouts/`` (a file
    there replaces notebuilder's of the same name), then notebuilder's."""
    own = root.resolve() / "layouts"
    return tuple(dict.fromkeys(path for path in (own, PACKAGE_LAYOUTS) if path.is_dir()))


def make_environment(root: Path) -> jinja2.Environment:
    """The layouts' Jinja environment. A layout of the project's that is a symbolic link
    leading outside the project is refused (nothing outside it is read)."""
    own = root.resolve() / "layouts"
    if own.is_dir():
        problems = [
            Problem(
                Location(path.relative_to(root.resolve()).as_posix()), f"cannot read the layout: {leaves}"
            )
            for path in sorted(own.rglob("*"))
            if path.is_file() and (leaves := outside_project(path, root))
        ]
        if problems:
            raise NoteError(problems)
    return _environment(jinja2.FileSystemLoader([str(path) for path in layout_directories(root)]), "en")


def _environment(loader: jinja2.BaseLoader, language: str) -> jinja2.Environment:
    """An environment of the layouts in ``loader`` printing ``language``'s words."""
    environment = jinja2.Environment(
        extensions=["jinja2.ext.i18n"],
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_printed,
    )
    environment.filters["printable"] = _file_name
    environment.filters["date"] = _date  # one date style everywhere: {{ d | date(style) }}
    environment.globals["page_counter"] = _page_counter  # "page 3 of 22" in CSS, in the language
    environment.globals["Markup"] = Markup  # markup placed into a translated sentence
    environment.filters["curly"] = curly_quotes  # printed quotes in text placed into a sentence
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    environment.globals["language"] = language  # for dates and page numbers in imported macros too
    return environment


def _printed(value):
    """Every plain string a layout prints, with printed quotes: a title, a heading, a glossary
    entry (“Galwan”, India’s). Markup is already HTML, made from the notes by inline_html."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return curly_quotes(value)
    return value


@jinja2.pass_context
def _date(context, text, style: str = "short") -> str:
    return display_date(text, style, context.get("language", "en"))


@jinja2.pass_context
def _page_counter(context, template: str = "page %(page)s of %(pages)s") -> Markup:
    """CSS content for a running page number, in the language of the page."""
    return Markup(css_page_counter(context.get("language", "en"), template))


def _file_name(name: str) -> Markup:
    """A name from the file system, as it is: control characters escaped, quotes straight."""
    return escape(printable(name))


def _layout_location(filename: str | None, line: int | None, root: Path) -> Location:
    path = Path(filename) if filename else Path("layouts")
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = path.as_posix()
    return Location(shown, line or 1, 1)


_LANGUAGES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _in_language(environment: jinja2.Environment, language: str) -> jinja2.Environment:
    """The layouts of ``environment`` printing ``language``'s words: an environment of its
    own per language, templates and globals alike (gettext is a global, and a template
    keeps the globals it was loaded with: an overlay, sharing them, printed one language's
    words in another's pages)."""
    if environment.globals.get("language") == language:
        return environment  # it prints this language already
    own = _LANGUAGES.setdefault(environment, {})
    if language not in own:
        assert environment.loader is not None
        own[language] = _environment(environment.loader, language)
    return own[language]


def render_layout(
    environment: jinja2.Environment, name: str, root: Path, language: str = "en", **context
) -> str:
    """Render one layout in ``language`` (the words notebuilder prints come from its
    catalogue, i18n.py); layout mistakes become NoteErrors with the layout's file and line."""
    environment = _in_language(environment, language)
    try:
        return environment.get_template(name).render(language=language, **context)
    except jinja2.TemplateSyntaxError as error:
        raise NoteError.at(
            _layout_location(error.filename, error.lineno, root), f"layout syntax error: {error.message}"
        ) from None
    except jinja2.TemplateNotFound as error:
        raise NoteError.at(Location("layouts/" + str(error.name)), "layout not found") from None
    except (jinja2.UndefinedError, TypeError, AttributeError) as error:
        frames = [
            frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.endswith(".j2")
        ]
        if not frames:
            raise
        frame = frames[-1]
        raise NoteError.at(
            _layout_location(frame.filename, frame.lineno, root), f"layout error: {error}"
        ) from None


def render_booklet(
    environment: jinja2.Environment,
    document: Document,
    root: Path,
    paper: str = "a4",
    duplex: bool = False,
    marked: frozenset[str] = frozenset(),
) -> str:
    """The booklet's HTML; the points in ``marked`` (changed since the last print) carry a
    change bar in the margin."""
    return render_layout(
        environment,
        "booklet.html.j2",
        root,
        document.topic.language,
        doc=document,
        page_size=PAPER_SIZES[paper],
        duplex=duplex,
        marked=sorted(marked),
    )


def render_comparison(
    environment: jinja2.Environment, document: Document, root: Path, paper: str = "a4"
) -> str:
    return render_layout(
        environment,
        "comparison.html.j2",
        root,
        document.topic.language,
        doc=document,
        page_size=PAPER_SIZES[paper],
    )


@dataclass(frozen=True)
class SheetDrawing:
    """A mind-map sheet to print, numbered, with its drawing: its laid-out map
    (LaidOutSheet.svg in the preview; in print, the empty slot its PDF drawing is laid into)."""

    sheet: object  # a mind map's sheet: its title and id are shown
    number: int
    drawing: str


def render_mindmaps(
    environment: jinja2.Environment, document: Document, pages: Sequence[SheetDrawing], count: int, root: Path
) -> str:
    """Mind-map sheets, a page each, in one HTML document (of ``count`` sheets in all)."""
    return render_layout(
        environment, "mindmaps.html.j2", root, document.topic.language, doc=document, pages=pages, count=count
    )


def render_epub_html(environment: jinja2.Environment, document: Document, sheets, root: Path) -> str:
    return render_layout(
        environment, "epub.html.j2", root, document.topic.language, doc=document, sheets=sheets
    )


def render_combined(
    environment: jinja2.Environment, book: Book, root: Path, paper: str = "a4", duplex: bool = False
) -> str:
    return render_layout(
        environment,
        "combined.html.j2",
        root,
        book.language,
        book=book,
        page_size=PAPER_SIZES[paper],
        duplex=duplex,
    )


def render_combined_epub(environment: jinja2.Environment, book: Book, sheets: dict, root: Path) -> str:
    return render_layout(environment, "combined-epub.html.j2", root, book.language, book=book, sheets=sheets)


def render_selftest(
    environment: jinja2.Environment, test, root: Path, paper: str = "a4", duplex: bool = False
) -> str:
    return render_layout(
        environment,
        "selftest.html.j2",
        root,
        test.document.topic.language,
        test=test,
        page_size=PAPER_SIZES[paper],
        duplex=duplex,
    )


def render_coverage(environment: jinja2.Environment, topic, results, root: Path) -> str:
    return render_layout(environment, "coverage.html.j2", root, topic.language, topic=topic, results=results)
