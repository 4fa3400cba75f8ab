"""The `zisurvey` console script: file commands start without the web stack.

`zisurvey score ...`, `compliance`, `mapping`, `assess` and `sample-size` read files only
(INTERCHANGE.md), so they run from :mod:`survey_app.filecli` alone; every other command (and
`zisurvey --help`) is the Flask CLI of :mod:`survey_app.cli`.
"""

from __future__ import annotations

import sys

FILE_COMMANDS = ("score", "compliance", "mapping", "assess", "sample-size")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in FILE_COMMANDS:
        from survey_app.filecli import files

        files(prog_name="zisurvey")
    else:
        from survey_app.cli import main as web

        web()
