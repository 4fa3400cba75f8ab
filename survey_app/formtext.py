"""WTForms' built-in messages in the person's language.

WTForms ships no Indonesian catalogue, so a staff form answered "This field is required." and
"Not a valid choice." (issue 15, 16.10). Every form's ``Meta`` takes its translations from here:
each built-in message has an Indonesian msgid with a format hint where one helps, and its
English text through the language switch.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

MESSAGES = {
    "This field is required.": _l("Wajib diisi."),
    "Not a valid choice.": _l("Pilih salah satu dari daftar."),
    "'%(value)s' is not a valid choice for this field.": _l("Pilih salah satu dari daftar."),
    "'%(value)s' is not a valid choice for this field.|'%(value)s' are not valid choices for this field.": _l(  # noqa: E501
        "Pilih salah satu dari daftar."
    ),
    "Invalid input.": _l("Isian tidak sah."),
    "Not a valid integer value.": _l("Tulis angka bulat, misalnya 30."),
    "Not a valid decimal value.": _l("Tulis angka, misalnya 87,55."),
    "Number must be between %(min)s and %(max)s.": _l("Angka harus antara %(min)s dan %(max)s."),
    "Number must be at least %(min)s.": _l("Angka paling kecil %(min)s."),
    "Number must be at most %(max)s.": _l("Angka paling besar %(max)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Panjangnya %(min)d sampai %(max)d karakter."
    ),
    "Field cannot be longer than %(max)d characters.": _l("Paling banyak %(max)d karakter."),
    "Field must be at least %(min)d characters long.": _l("Paling sedikit %(min)d karakter."),
    "Field must be exactly %(max)d characters long.": _l("Harus tepat %(max)d karakter."),
    # WTForms asks these three with a singular and a plural (ngettext)
    "Field cannot be longer than %(max)d character.": _l("Paling banyak %(max)d karakter."),
    "Field must be at least %(min)d character long.": _l("Paling sedikit %(min)d karakter."),
    "Field must be exactly %(max)d character long.": _l("Harus tepat %(max)d karakter."),
    "Not a valid date value.": _l("Tanggal tidak sah: tulis seperti 2026-12-15."),
    "Not a valid time value.": _l("Jam tidak sah: tulis seperti 08:00."),
    "The CSRF token is missing.": _l("Formulir kedaluwarsa: muat ulang halaman, lalu kirim lagi."),
    "The CSRF token is invalid.": _l("Formulir kedaluwarsa: muat ulang halaman, lalu kirim lagi."),
    "The CSRF token has expired.": _l("Formulir kedaluwarsa: muat ulang halaman, lalu kirim lagi."),
    "The CSRF tokens do not match.": _l(
        "Formulir kedaluwarsa: muat ulang halaman, lalu kirim lagi."
    ),
}


class Translations:
    """The object WTForms asks for text: built-in messages from :data:`MESSAGES`, in the
    request's language; any other text as given."""

    def gettext(self, string: str) -> str:
        found = MESSAGES.get(string)
        return str(found) if found is not None else str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The text for ``n``, placeholders left for WTForms to fill (never formatted here:
        ``%(max)d`` is WTForms' to fill, not ``n``)."""
        found = MESSAGES.get(f"{singular}|{plural}") or MESSAGES.get(singular)
        if found is not None:
            return str(found)
        return str(get_translations().ungettext(singular, plural, n))


TRANSLATIONS = Translations()


class Form(FlaskForm):
    """A FlaskForm whose built-in messages are in the person's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Translations:
            return TRANSLATIONS
