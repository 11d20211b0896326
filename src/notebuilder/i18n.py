"""The words notebuilder itself prints, in the topic's language (gettext, through Babel).

Every word of the booklet's furniture ("Contents", "Sources differ", "page 3 of 22", the
self-test's instructions) is a message in the layouts (``{{ _("Contents") }}``) or in the
code (:func:`gettext`), and its translation is in ``locale/<language>.po``, a catalogue
Babel reads (English is the messages themselves; ``en.po`` lists them). A language with no
catalogue prints English. Dates are written with Babel's calendar for the language:
"21 August 2025", "21 अगस्त 2025".
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

LOCALE_DIRECTORY = Path(__file__).parent / "locale"
# The languages notebuilder prints its own words in: one catalogue each.
PRINTED_LANGUAGES = tuple(sorted(path.stem for path in LOCALE_DIRECTORY.glob("*.po")))
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def language_problem(language: str) -> tuple[str, str] | None:
    """What is wrong with a topic's or a syllabus's ``language:``, as ("error", message)
    when it is no language code ("hindi": the code it means is suggested, from Babel's
    names of languages) or ("warning", message) when notebuilder has no words in it."""
    printed = " or ".join(PRINTED_LANGUAGES)
    if not _LANGUAGE_CODE.fullmatch(language):
        from babel import Locale

        names = {name.lower(): code for code, name in Locale("en").languages.items()}
        for code in PRINTED_LANGUAGES:
            names |= {name.lower(): known for known, name in Locale(code).languages.items()}
        meant = names.get(language.strip().lower())
        hint = f"; did you mean '{meant}'?" if meant else f"; notebuilder prints {printed}"
        return "error", f"'{language}' is not a language code (ISO 639-1, e.g. 'hi'){hint}"
    if language not in PRINTED_LANGUAGES:
        return "warning", (
            f"notebuilder has no words in '{language}' yet ({printed}): "
            "its headings and instructions print in English"
        )
    return None


def N_(message: str) -> str:
    """Marks a message for the catalogues that is translated where it is used, by value."""
    return message


MESSAGES_USED_BY_VALUE = (
    N_("page %(page)s of %(pages)s"),  # running page numbers (css_page_counter)
    N_("self-test · page %(page)s of %(pages)s"),
    # A source's kind, as the sources list prints it.
    N_("coaching notes"),
    N_("personal note"),
    N_("academy handout"),
    N_("newspaper"),
    N_("book"),
    N_("government"),
    N_("other"),
)


@functools.lru_cache(maxsize=8)
def translations(language: str):
    """The catalogue of ``language`` as gettext translations (NullTranslations without one)."""
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALE_DIRECTORY / f"{language}.po"
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as file:
        catalog = read_po(file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


def ngettext(language: str, singular: str, plural: str, count: int) -> str:
    return translations(language).ngettext(singular, plural, count)


def css_page_counter(language: str, template: str = "page %(page)s of %(pages)s") -> str:
    """A running page number as CSS ``content`` ("page " counter(page) " of "
    counter(pages)), in the language's words and order."""
    words = gettext(language, template)
    parts = re.split(r"(%\((?:page|pages)\)s)", words)
    tokens = []
    for part in parts:
        if part == "%(page)s":
            tokens.append("counter(page)")
        elif part == "%(pages)s":
            tokens.append("counter(pages)")
        elif part:
            tokens.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(tokens)


def written_date(day, language: str, with_day: bool = True) -> str:
    """A day ("21 अगस्त 2025"), or its month, as the language writes it. Months are written
    out whatever the topic's date style: abbreviations (अग॰) are not what its reader expects."""
    from babel.dates import format_date

    pattern = "d MMMM y" if with_day else "MMMM y"
    return format_date(day, format=pattern, locale=language if _known(language) else "en")


@functools.lru_cache(maxsize=16)
def _known(language: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(language)
        return True
    except (UnknownLocaleError, ValueError):
        return False
