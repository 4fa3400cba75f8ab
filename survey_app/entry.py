"""The `zisurvey` console script: file commands start without the web stack.

`zisurvey score ...`, `compliance`, `mapping`, `assess` and `sample-size` read files only
(INTERCHANGE.md), so they run from :mod:`survey_app.filecli` alone; every other command (and
`zisurvey --help`) is the Flask CLI of :mod:`survey_app.cli`.
"""

from __future__ import annotations

import os
import sys

FILE_COMMANDS = ("score", "compliance", "mapping", "assess", "sample-size")


def small_files_only(arguments: list[str]) -> bool:
    """Whether every file named on a command line is below the fast reader's size.

    Parameters
    ----------
    arguments
        The command line after the command's name (``sys.argv[2:]``); an argument that names an
        existing file counts, any other is an option or a value.

    Returns
    -------
    bool
        True when no named file reaches :data:`analysis.FAST_MIN_BYTES` (also when none is
        named): then nothing the command does can use pyarrow (issue 20.2).
    """
    from analysis import FAST_MIN_BYTES

    return all(
        os.stat(argument).st_size < FAST_MIN_BYTES
        for argument in arguments
        if os.path.isfile(argument)
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in FILE_COMMANDS:
        if small_files_only(sys.argv[2:]):
            # pandas imports pyarrow whenever it is installed (0.1-0.2 s of a 0.5 s budget);
            # a file this small is read by pandas' own parser, so the import is kept out.
            # Only here, in a process of one command: pandas loaded this way cannot use
            # pyarrow later in the same process.
            sys.modules["pyarrow"] = None  # type: ignore[assignment]
        from survey_app.filecli import files

        files(prog_name="zisurvey")
    else:
        from survey_app.cli import main as web

        web()
