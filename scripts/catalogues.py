"""Update the message catalogues (src/notebuilder/locale/<language>.po) from the layouts
and the code, through Babel: each catalogue keeps its translations, gains the new
messages (untranslated, so English is printed until they are) and loses the old.
Run: .venv/bin/python scripts/catalogues.py"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "notebuilder"
LANGUAGES = ("en", "hi")
METHODS = [("layouts/**.j2", "jinja2.ext:babel_extract"), ("layouts/**.css", "jinja2.ext:babel_extract")]


def extracted() -> Catalog:
    template = Catalog(project="notebuilder", fuzzy=False)
    for filename, line, message, comments, context in extract_from_dir(
        PACKAGE, METHODS, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        if filename.endswith((".j2", ".css")):
            template.add(message, locations=[(filename, line)], auto_comments=comments, context=context)
    for filename, line, message, comments, context in extract_from_dir(
        PACKAGE, [("**.py", "python")], keywords={"gettext": (2,), "ngettext": (2, 3), "N_": None}
    ):
        template.add(message, locations=[(filename, line)], auto_comments=comments, context=context)
    return template


def main() -> None:
    template = extracted()
    for language in LANGUAGES:
        path = PACKAGE / "locale" / f"{language}.po"
        if path.is_file():
            with path.open("rb") as file:
                catalog = read_po(file, locale=language)
        else:
            catalog = Catalog(locale=language, project="notebuilder")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        language_name = catalog.locale.english_name if catalog.locale else language
        catalog.header_comment = (
            f"# The words notebuilder prints, in {language_name} (see src/notebuilder/i18n.py).\n"
            "# Update the messages with: .venv/bin/python scripts/catalogues.py"
        )
        with path.open("wb") as file:
            write_po(file, catalog, omit_header=False, sort_output=True, include_lineno=False, width=100)
        print(f"{path}: {len(catalog)} messages")


if __name__ == "__main__":
    main()
