"""Every text a person sees has its English translation."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "survey_app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_every_extracted_message_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "survey_app"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as extracted_file, CATALOGUE.open("rb") as catalogue_file:
        extracted = {m.id for m in read_po(extracted_file) if m.id}
        translated = {m.id: m.string for m in read_po(catalogue_file) if m.id}
    assert sorted(extracted - set(translated)) == []
    assert sorted(k for k in extracted if not translated[k]) == []
