"""``notebuilder import-anki FILE``: the reviews a student made in Anki, brought back.

A student who reviews the deck's cards in Anki as well as on paper exports the
collection (``.colpkg``) or the deck with its scheduling (``.apkg``). Both are zip files
holding an SQLite collection: ``collection.anki21b`` (compressed with Zstandard, since
Anki 2.1.50), else ``collection.anki21`` or ``collection.anki2``. Its review log is read,
each review is matched to its recall item by the card's GUID (the deck makes it from
the topic and the point, cards.py), and is added to ``review/<topic>.json`` beside the
paper grades, once: a review is known by its id in Anki's log, so importing the same
export again changes nothing. A review's day is its UTC day. Cards that notebuilder did
not make, and its conflict cards (they ask for sources, not for a point), are left out.
"""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import UsageError
from ..revision import ANKI_EASE, Review, with_anki
from .review import project_items, read_log, write_log

_COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")  # newest first


@dataclass(frozen=True)
class Imported:
    added: int  # reviews recorded now
    known: int  # reviews recorded by an earlier import
    unmatched: int  # reviews of cards that are not a recall item of the notes


def _collection(package: Path, scratch: Path) -> Path:
    """The SQLite collection inside an exported package, written into ``scratch``."""
    try:
        with zipfile.ZipFile(package) as archive:
            names = set(archive.namelist())
            name = next((name for name in _COLLECTIONS if name in names), None)
            if name is None:
                raise UsageError(
                    f"{package} holds no Anki collection; export it from Anki as .colpkg or .apkg"
                )
            data = archive.read(name)
    except (zipfile.BadZipFile, OSError) as error:
        raise UsageError(f"cannot read {package} as an Anki export: {error}") from None
    if name.endswith("21b"):
        import zstandard

        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    database = scratch / "collection.sqlite"
    database.write_bytes(data)
    return database


def _logged(database: Path) -> list[tuple[int, int, str]]:
    """(review id, ease, note GUID) of every graded review, oldest first."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute(
            "select r.id, r.ease, n.guid from revlog r join cards c on r.cid = c.id "
            "join notes n on c.nid = n.id where r.ease between 1 and 4 order by r.id"
        ).fetchall()
    except sqlite3.DatabaseError as error:
        raise UsageError(f"cannot read the review log of the Anki export: {error}") from None
    finally:
        connection.close()


def import_anki(root: Path, out: Path, package: Path) -> Imported:
    """Add the Anki export's reviews to the review state (see the module's docstring)."""
    import genanki

    root = root.resolve()
    if not package.is_file():
        raise UsageError(f"no file {package}")
    items = {genanki.guid_for(item.topic, item.point): item for item in project_items(root, out, ())[0]}
    with tempfile.TemporaryDirectory(prefix="notebuilder-anki-") as scratch:
        logged = _logged(_collection(package, Path(scratch)))
    found: dict[tuple[str, str], list[Review]] = {}
    unmatched = 0
    for review_id, ease, guid in logged:
        item = items.get(guid)
        if item is None:
            unmatched += 1
            continue
        day = datetime.fromtimestamp(review_id / 1000, UTC).date()
        found.setdefault((item.topic, item.point), []).append(Review(day, ANKI_EASE[ease], review_id))
    added = known = 0
    for topic in sorted({topic for topic, _ in found}):
        log = read_log(root, topic)
        for (item_topic, point), reviews in found.items():
            if item_topic != topic:
                continue
            before = log.get(point, ())
            log[point] = with_anki(before, reviews)
            added += len(log[point]) - len(before)
            known += len(reviews) - (len(log[point]) - len(before))
        write_log(root, topic, log)
    return Imported(added, known, unmatched)
