"""Questionnaire definitions: versioned YAML files loaded into frozen dataclasses.

Glossary: an *instrument* is one questionnaire (SKM, anti-corruption, service quality); an
*item* is one question (an *unsur* of the SKM, an *indikator* otherwise), identified by its code
(``U1``, ``AK3``, ``PK8``), never by its position. Answers run from 1 to ``scale``; the highest is
always the best.
"""

from instruments.loader import (
    Instrument,
    InstrumentError,
    Item,
    ProfileQuestion,
    Text,
    estimate_minutes,
    load_directory,
    load_file,
    load_profile_questions,
)
from instruments.variant import (
    Extra,
    ItemChange,
    Variant,
    VariantError,
    apply_variant,
    content,
    extras,
    parse_variant,
)

__all__ = [
    "Extra",
    "ItemChange",
    "Variant",
    "VariantError",
    "apply_variant",
    "content",
    "extras",
    "parse_variant",
    "Instrument",
    "InstrumentError",
    "Item",
    "ProfileQuestion",
    "Text",
    "estimate_minutes",
    "load_directory",
    "load_file",
    "load_profile_questions",
]
