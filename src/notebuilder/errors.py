"""The one error type for the user's mistakes, and the locations it carries.

Every stage reports problems in the user's notes as :class:`Problem` values with a
:class:`Location`; a stage that finds any raises a single :class:`NoteError` holding all
of them, so one run shows every mistake at once (like MkDocs' config validation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A place in a user's file: the path as shown to the user, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    location: Location
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


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


class UsageError(Exception):
    """A mistake on the command line (an unknown topic, say): exit code 2, like argparse."""


class ToolError(Exception):
    """An external tool (pandoc, WeasyPrint, Graphviz) failed on input that validated."""


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM: unwinds the build so that staged outputs are discarded."""


def raise_interrupted(signum, frame):
    raise Interrupted
