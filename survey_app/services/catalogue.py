"""The instruments and profile questions the app serves, loaded once at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from instruments import (
    Instrument,
    ProfileQuestion,
    load_directory,
    load_profile_questions,
)
from instruments.loader import DEFAULT_DIRECTORY

if TYPE_CHECKING:
    from analysis.responses import Schema

DEFAULT_INSTRUMENTS = ("skm", "ipak")


@dataclass(frozen=True)
class Catalogue:
    instruments: Mapping[str, Instrument]
    profile: tuple[ProfileQuestion, ...]

    def schema(self) -> Schema:
        """What a responses file may hold, for :func:`analysis.responses.read_responses`."""
        from analysis.responses import Schema  # pandas: only when a file is read

        umur = next((q for q in self.profile if q.key == "umur"), None)
        bands = [
            (c.value, c.min_years, c.max_years)
            for c in (umur.choices if umur else ())
            if c.min_years is not None and c.max_years is not None
        ]
        items = [item for i in self.instruments.values() for item in i.items]
        return Schema(
            item_scales={c: i.scale for i in self.instruments.values() for c in i.codes},
            choices={q.key: q.values for q in self.profile},
            age_bands=bands,
            # The form's own wording (both languages) is accepted as well as the numbers/codes.
            item_labels={
                item.code: {
                    text.strip().casefold(): value
                    for value, label in enumerate(item.labels, start=1)
                    for text in (label.id, label.en)
                }
                for item in items
            },
            choice_labels={
                q.key: {
                    text.strip().casefold(): c.value
                    for c in q.choices
                    for text in (c.value, c.text.id, c.text.en)
                }
                for q in self.profile
            },
        )

    def item_codes(self) -> list[str]:
        return [c for i in self.instruments.values() for c in i.codes]

    def owner(self, code: str) -> Instrument | None:
        """The instrument an item code belongs to."""
        for instrument in self.instruments.values():
            if code in instrument.codes:
                return instrument
        return None

    def owner_id(self, code: str) -> str | None:
        instrument = self.owner(code)
        return instrument.id if instrument else None


@cache
def load_catalogue(directory: Path | str | None = None) -> Catalogue:
    """Read the instrument files once per directory (they do not change while running)."""
    return Catalogue(
        instruments=load_directory(Path(directory) if directory else DEFAULT_DIRECTORY),
        profile=load_profile_questions(),
    )
