"""Text as people paste it, made storable and printable: Word's line break (vertical tab) and
page break become line breaks, other control characters go. A DOCX (XML 1.0) cannot hold
them at all, and no one typed them on purpose."""

from __future__ import annotations

import re

_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n"})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` with line and page breaks as ``\\n`` (``\\r\\n`` too) and every other control
    character (C0 but tab and newline, DEL, the two non-characters) removed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").translate(_BREAKS))
