"""cards.apkg: an Anki deck of the points (cloze and question cards, see cards.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..cards import plan_cards
from ..pool import scratch_folder
from .base import Output, RenderContext, WriteContext


def deck_data(cards) -> list[dict]:
    """Cards as the deck writer takes them (plain data: they travel to a worker process)."""
    return [dataclasses.asdict(card) for card in cards]


class Deck(Output):
    name = "cards.apkg"
    format = "anki"

    def render(self, context: RenderContext, document) -> list[dict]:
        return deck_data(plan_cards(document))

    def write(self, payload: list[dict], target: Path, context: WriteContext) -> None:
        write_deck(payload, target, context.epoch)


DECK_CSS = """
.card { font-family: "Noto Serif", Georgia, serif; font-size: 20px; line-height: 1.45; text-align: left; }
.cloze { font-weight: bold; color: #1f3a5f; }
.sources, .also, .differ {
  font-family: "Noto Sans", sans-serif; font-size: 14px; color: #444; margin-top: 6px;
}
.differ { border-left: 3px solid #111; padding-left: 6px; color: #111; }
"""


def write_deck(cards: list[dict], target: Path, epoch: int) -> None:
    """Pack cards (:class:`notebuilder.cards.Card` as dicts) into an Anki .apkg with genanki.

    The collection is written with the build's epoch and the zip with fixed dates, so the
    same notes give the same bytes; GUIDs and ids are stable (see cards.py)."""
    import sqlite3
    import zipfile
    from datetime import UTC, datetime
    from itertools import count

    import genanki

    from ..cards import stable_id

    def note_type(name: str, fields: tuple[str, str], front: str, back: str, kind: int) -> genanki.Model:
        template = {"name": "Card 1", "qfmt": front, "afmt": f"{back}<hr id=answer>{{{{{fields[1]}}}}}"}
        return genanki.Model(
            stable_id(f"{name} 1"),
            name,
            fields=[{"name": field} for field in fields],
            templates=[template],
            css=DECK_CSS,
            model_type=kind,
        )

    cloze = note_type(
        "notebuilder cloze", ("Text", "Extra"), "{{cloze:Text}}", "{{cloze:Text}}", genanki.Model.CLOZE
    )
    question = note_type(
        "notebuilder question",
        ("Question", "Answer"),
        "{{Question}}",
        "{{FrontSide}}",
        genanki.Model.FRONT_BACK,
    )
    decks: dict[str, genanki.Deck] = {}
    for card in cards:
        deck = decks.setdefault(card["deck"], genanki.Deck(stable_id(card["deck"]), card["deck"]))
        model = cloze if card["kind"] == "cloze" else question
        deck.add_note(
            genanki.Note(
                model=model,
                fields=list(card["fields"]),
                tags=list(card["tags"]),
                guid=genanki.guid_for(*card["identity"]),
            )
        )
    package = genanki.Package(list(decks.values()))
    with scratch_folder("deck") as scratch:
        database = Path(scratch) / "collection.anki2"
        connection = sqlite3.connect(database)
        package.write_to_db(connection.cursor(), float(epoch), count(epoch * 1000))
        connection.commit()
        connection.close()
        stamp = datetime.fromtimestamp(max(epoch, 315532800), UTC).timetuple()[:6]  # zip dates start in 1980
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo("collection.anki2", stamp), database.read_bytes())
            archive.writestr(zipfile.ZipInfo("media", stamp), "{}")


def outputs(document) -> list[Output]:
    return [Deck()]
