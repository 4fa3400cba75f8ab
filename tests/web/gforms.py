"""The worked example (tests/fixtures/worked_example.csv) as units really export it: a Google
Forms export (question texts as headers, the form's labels as answers, Google's timestamps, an
email column) and the same sheet saved by Excel in an Indonesian locale (``;``, CRLF, dd/mm/yyyy
times in the unit's zone)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from survey_app.services.catalogue import load_catalogue
from tests.conftest import FIXTURES

EMAIL = "Alamat email"


def _rows() -> list[dict[str, str]]:
    with open(FIXTURES / "worked_example.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _headers() -> tuple[list[str], dict[str, str]]:
    """The export's headers, and for each item code its header."""
    catalogue = load_catalogue()
    items: dict[str, str] = {}
    number = 0
    for instrument in catalogue.instruments.values():
        for item in instrument.items:
            number += 1
            items[item.code] = f"{number}. {item.question.id}"
    profile = [q.label.id for q in catalogue.profile]
    headers = ["Cap waktu", EMAIL, "Jenis layanan", *profile, *items.values(), "Saran dan masukan"]
    return headers, items


def _labels(value: str, labels: tuple) -> str:
    return labels[int(value) - 1].id if value else ""


def _profile(key: str, value: str) -> str:
    question = next(q for q in load_catalogue().profile if q.key == key)
    if key == "umur":
        years = int(value)
        choice = next(c for c in question.choices if c.min_years <= years <= c.max_years)
        return choice.text.id
    return next(c.text.id for c in question.choices if c.value == value)


def gforms_rows(names: dict[str, str], stamp) -> list[list[str]]:
    catalogue = load_catalogue()
    labels = {item.code: item.labels for i in catalogue.instruments.values() for item in i.items}
    headers, items = _headers()
    out = [headers]
    for number, row in enumerate(_rows(), start=1):
        when = datetime.fromisoformat(row["submitted_at"])
        out.append(
            [
                stamp(when),
                f"responden{number}@contoh.id",
                names[row["layanan"]],
                *[_profile(q.key, row[q.key]) for q in catalogue.profile],
                *[_labels(row[code], labels[code]) for code in items],
                row["saran"],
            ]
        )
    return out


def google_forms(names: dict[str, str]) -> bytes:
    """The Google Forms export: ``2026/01/05 8:00:00 AM GMT+8``, labels, an email column."""

    def stamp(when: datetime) -> str:
        hours = int(when.utcoffset().total_seconds() // 3600)
        clock = when.strftime("%I:%M:%S %p").lstrip("0")
        return f"{when:%Y/%m/%d} {clock} GMT{hours:+d}"

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(gforms_rows(names, stamp))
    return out.getvalue().encode("utf-8")


def excel_id(names: dict[str, str], zone: str) -> bytes:
    """The same sheet saved by Excel set to Indonesian: ``;``, CRLF, a BOM, and the times as
    ``05/01/2026 08:00`` in the unit's zone (no offset)."""

    def stamp(when: datetime) -> str:
        return f"{when.astimezone(ZoneInfo(zone)):%d/%m/%Y %H:%M}"

    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(gforms_rows(names, stamp))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
