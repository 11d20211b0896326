"""The one error type for the user's mistakes, and the locations it carries.

Every stage reports problems in the user's notes as :class:`Problem` values with a
:class:`Location`; a stage that finds any raises a single :class:`NoteError` holding all
of them, so one run shows every mistake at once (like MkDocs' config validation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# What a terminal acts on rather than shows: C0 and C1 controls, DEL, and the marks that
# reorder text (bidirectional overrides and isolates). A crafted file name holding them
# could hide or rewrite what a message says, so they are shown as escapes.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u202e``)."""
    return _UNPRINTABLE.sub(lambda found: ascii(found[0])[1:-1], text)


@dataclass(frozen=True, order=True)
class Location:
    """A place in a user's file: the path as shown to the user, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{printable(self.path)}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    location: Location
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {printable(self.message)}"


class NoteError(Exception):
    """Raised when the user's input (notes, sources, layouts) cannot be built.

    It carries every problem found, sorted by location, each printed as
    ``path:line:col: error: message``.
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(sorted(set(problems)))
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @classmethod
    def at(cls, location: Location, message: str) -> NoteError:
        return cls([Problem(location, message)])


class ProblemLog:
    """Collects problems during one stage, then raises them together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, location: Location, message: str) -> None:
        self.problems.append(Problem(location, message))

    def warning(self, location: Location, message: str) -> None:
        self.problems.append(Problem(location, message, "warning"))

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise NoteError(self.errors)


SAME_KIND_SHOWN = 20  # warnings of one kind printed before the rest are counted


def _kind(problem: Problem) -> str:
    """What a warning says with its particulars (quoted names, numbers) left out."""
    return re.sub(r"\d+", "#", re.sub(r"'[^']*'", "'…'", problem.message))


def summarised(warnings: Iterable[Problem], shown: int = SAME_KIND_SHOWN) -> list[str]:
    """The warnings to print: the first ``shown`` of each kind, then one line saying how
    many more of that kind there are (a hundred thousand near-duplicates are not read)."""
    lines: list[str] = []
    counts: dict[str, int] = {}
    for warning in warnings:
        kind = _kind(warning)
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] <= shown:
            lines.append(str(warning))
    for kind, count in counts.items():
        if count > shown:
            lines.append(
                f"notebuilder: {count - shown} more warning{'s' if count - shown != 1 else ''} like "
                f'"{printable(kind)}" (the first {shown} are shown; mend those and build again)'
            )
    return lines


class UsageError(Exception):
    """A mistake on the command line (an unknown topic, say): exit code 2, like argparse."""


class ToolError(Exception):
    """An external tool (pandoc, WeasyPrint, Graphviz) failed on input that validated."""


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM: unwinds the build so that staged outputs are discarded."""


def raise_interrupted(signum, frame):
    raise Interrupted
