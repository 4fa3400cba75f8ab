"""The zisurvey web application: public survey forms, the staff area, public results, the CLI.

Importing the package is cheap (the file commands of the CLI start without the web stack);
:func:`create_app` imports Flask and the rest when it is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then SURVEY_* environment variables, then ``settings``."""
    from survey_app.app import create_app as build

    return build(settings)
