"""Where a request comes from, as the day's salted hash; raw addresses go nowhere.

The hash keys the rate limits (memory or Redis) and is stored with a submission to find bursts.
Access logs of the development server have addresses blanked by :class:`RedactAddresses`.
"""

from __future__ import annotations

import logging
import re

from flask import current_app, g, request

from survey_app.services.collection.sources import source_hash

ADDRESS = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}\b")


def request_source() -> str:
    """The salted hash of this request's address, computed once per request."""
    if "sumber" not in g:
        g.sumber = source_hash(
            current_app.extensions["zisurvey.salts"],
            request.remote_addr or "-",
            current_app.config["CLOCK"](),
        )
    found: str = g.sumber
    return found


class RedactAddresses(logging.Filter):
    """Blank IPv4 and IPv6 addresses in a log record before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if ADDRESS.search(message):
            record.msg, record.args = ADDRESS.sub("-", message), ()
        return True


def install_log_filter() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactAddresses) for f in logger.filters):
        logger.addFilter(RedactAddresses())
