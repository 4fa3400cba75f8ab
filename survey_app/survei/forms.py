"""The public survey form, built from the instrument definitions (one radio group per item)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, Signer
from werkzeug.datastructures import MultiDict
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from analysis.kuesioner import sub_code
from instruments import Extra, Instrument, ProfileQuestion
from instruments.variant import SHORT_TEXT_MAX, TIDAK, YA
from survey_app.formtext import Form
from survey_app.services.collection.submissions import (
    ALASAN,
    ALASAN_MAX,
    Response,
    reason_fields,
)

KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
FIXED_FIELDS = {"csrf_token", "kunci", "layanan", "mulai", "saran", "bahasa", "versi"}
LANGUAGES = ("id", "en")  # the form's language buttons post one of these (answers kept)
TAMBAHAN = "tambahan-"  # the variant's extra question ``tahu_dari`` is the field tambahan-tahu_dari
SELECT_PROFILE = {"umur", "pendidikan", "pekerjaan"}


class StartStamp:
    """When the form was rendered, signed with the app's secret and bound to the form's key and
    to its layanan (by the layanan's token: a form of one unit's KUNJ posted to another unit's
    KUNJ is refused, not stored there).

    The seconds between rendering and sending flag answers given faster than one can read.
    """

    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, salt="zisurvey-mulai")

    def sign(self, layanan_token: str, kunci: str, now: datetime) -> str:
        return self._signer.sign(f"{layanan_token}.{kunci}.{int(now.timestamp())}").decode()

    def read(self, stamp: str, layanan_token: str, kunci: str) -> datetime | None:
        """The render time, or None when the stamp is missing, forged or for another form."""
        try:
            value = self._signer.unsign(stamp).decode()
        except BadSignature:
            return None
        bound, _, seconds = value.rpartition(".")
        if bound != f"{layanan_token}.{kunci}" or not (seconds.isascii() and seconds.isdigit()):
            return None
        return datetime.fromtimestamp(int(seconds), UTC)


class SurveyForm(Form):
    kunci = HiddenField(validators=[InputRequired()])
    layanan = HiddenField(validators=[InputRequired()])
    mulai = HiddenField(validators=[InputRequired()])
    versi = HiddenField()  # the variant version the form was given under ('' for the base)

    item_codes: tuple[str, ...] = ()  # the names of the scored radio groups
    # field name -> stored code: a sub-question's field U3-1 is stored as U3.1/2
    stored: tuple[tuple[str, str], ...] = ()
    extra_codes: tuple[str, ...] = ()  # the variant's extra questions, never scored
    profile_keys: tuple[str, ...] = ()
    asks_alasan = False  # the unit asks why an item was answered 1 or 2

    def item_fields(self) -> list[Field]:
        return [self[code] for code in self.item_codes]

    def alasan_field(self, name: str) -> Field | None:
        """The field "Apa yang perlu diperbaiki?" beside the radio group ``name`` (an item
        ``U1`` or a sub-question ``U3-1``), when the unit asks."""
        found = ALASAN + name
        return self[found] if self.asks_alasan and found in self._fields else None

    def field_of(self, code: str, part: int = 0) -> Field:
        """The radio group of item ``code`` (``part`` j >= 1: its j-th sub-question)."""
        return self[f"{code}-{part}" if part else code]

    def extra_fields(self) -> list[Field]:
        return [self[TAMBAHAN + kode] for kode in self.extra_codes]

    def alasan_errors(self) -> list[Field]:
        fields = (self.alasan_field(code) for code in self.item_codes)
        return [f for f in fields if f is not None and f.errors]

    def profile_fields(self) -> list[Field]:
        return [self[key] for key in self.profile_keys]

    def response(self) -> Response:
        return respond(type(self), {name: field.data for name, field in self._fields.items()})


def respond(form: type[SurveyForm], data: Mapping[str, Any]) -> Response:
    """What a valid post of ``form`` (a class) says, from each field's data by name: the
    form's own fields after validation, or :func:`survey_app.survei.posted.read` of a post."""
    names = dict(form.stored)
    return Response(
        answers={names.get(name, name): int(data[name]) for name in form.item_codes},
        profile={key: data[key] or "" for key in form.profile_keys},
        saran=data["saran"],
        idempotency_key=data["kunci"],
        alasan={  # beside a plain item and beside each sub-question (stored as U3.1/2)
            names.get(name, name): data[ALASAN + name] or ""
            for name in form.item_codes
            if form.asks_alasan and ALASAN + name in data
        },
        tambahan={
            kode: str(value).strip()
            for kode in form.extra_codes
            if (value := data[TAMBAHAN + kode])
        },
        kuesioner_versi_id=int(versi) if (versi := data.get("versi") or "").isdigit() else None,
    )


@lru_cache(maxsize=64)
def form_class(
    instruments: tuple[Instrument, ...],
    profile: tuple[ProfileQuestion, ...],
    language: str,
    saran_max: int,
    asks_alasan: bool = False,
    extras: tuple[Extra, ...] = (),
) -> type[SurveyForm]:
    """A form class for one layanan: its instruments' items (each with its optional reason
    when ``asks_alasan``), then the optional profile.

    An item with sub-questions (a unit's variant) is one required radio group per sub-question;
    a variant's extra questions (never scored, all optional) follow the items.

    Cached: a class depends only on its (frozen) instruments and extra questions, the language,
    the saran limit and whether the unit asks for reasons.
    """
    attrs: dict[str, Any] = {
        "item_codes": tuple(code for i in instruments for code in i.codes),
        "profile_keys": tuple(q.key for q in profile),
        "asks_alasan": asks_alasan,
        "saran": TextAreaField(
            _l("Saran dan masukan (tidak wajib)"),
            validators=[Optional(), Length(max=saran_max, message=_l("Saran terlalu panjang."))],
        ),
    }
    names, stored = [], []
    for instrument in instruments:
        for item in instrument.items:
            choices = [
                SelectChoice(str(v), text.get(language)) for v, text in enumerate(item.labels, 1)
            ]
            for part, sub in enumerate(item.sub, 1):
                name = f"{item.code}-{part}"
                label = f"{item.question.get(language)} {sub.get(language)}"
                attrs[name] = _item_field(label, choices)
                names.append(name)
                stored.append((name, sub_code(item.code, part, len(item.sub))))
                if asks_alasan:  # beside each sub-question: says which part falls short
                    attrs[ALASAN + name] = _alasan_field()
            if not item.sub:
                attrs[item.code] = _item_field(item.question.get(language), choices)
                names.append(item.code)
                if asks_alasan:
                    attrs[ALASAN + item.code] = _alasan_field()
    attrs |= {"item_codes": tuple(names), "stored": tuple(stored)}
    attrs["extra_codes"] = tuple(extra.kode for extra in extras)
    for extra in extras:
        attrs[TAMBAHAN + extra.kode] = _extra_field(extra, language)
    for question in profile:
        choices = [SelectChoice(c.value, c.text.get(language)) for c in question.choices]
        field = SelectField if question.key in SELECT_PROFILE else RadioField
        if field is SelectField:
            choices = [SelectChoice("", str(_l("(tidak diisi)"))), *choices]
        else:  # a tapped optional answer can be taken back
            choices = [*choices, SelectChoice("", str(_l("Tidak diisi")))]
        attrs[question.key] = field(
            question.label.get(language),
            choices=choices,
            validators=[Optional()],
            validate_choice=False,
        )
    return type("LayananSurveyForm", (SurveyForm,), attrs)


def _item_field(label: str, choices: list[SelectChoice]) -> RadioField:
    return RadioField(
        label,
        choices=choices,
        validators=[InputRequired(message=_l("Pertanyaan ini belum dijawab."))],
    )


def _extra_field(extra: Extra, language: str) -> Field:
    """An optional extra question: yes/no and one choice as radios (a tapped answer can be
    taken back), a short text of at most 200 characters."""
    label = extra.pertanyaan.get(language)
    if extra.jenis == "teks":
        return StringField(
            label,
            filters=[lambda text: text.strip() if isinstance(text, str) else text],
            validators=[
                Optional(),
                Length(
                    max=SHORT_TEXT_MAX,
                    message=_l(
                        "Jawaban terlalu panjang: paling banyak %(n)d karakter.", n=SHORT_TEXT_MAX
                    ),
                ),
            ],
        )
    values = extra_values(extra)
    choices = [SelectChoice(v, t.get(language)) for v, t in zip(values, extra.choices, strict=True)]
    return RadioField(
        label,
        choices=[*choices, SelectChoice("", str(_l("Tidak diisi")))],
        validators=[Optional()],
    )


def extra_values(extra: Extra) -> tuple[str, ...]:
    """The stored answers of an extra question with choices: ``ya``/``tidak``, or the option's
    number (``1``..``8``; its wording is in the version the answer keeps)."""
    if extra.jenis in ("ya_tidak", "pengarahan"):
        return (YA, TIDAK)
    return tuple(str(n) for n in range(1, len(extra.choices) + 1))


def _alasan_field() -> StringField:
    return StringField(
        _l("Apa yang perlu diperbaiki?"),
        filters=[lambda text: text.strip() if isinstance(text, str) else text],
        validators=[
            Optional(),
            Length(
                max=ALASAN_MAX,
                message=_l("Alasan terlalu panjang: paling banyak %(n)d karakter.", n=ALASAN_MAX),
            ),
        ],
    )


def tampering(
    posted: MultiDict[str, str],
    kode: str,
    instruments: Sequence[Instrument],
    profile: Sequence[ProfileQuestion],
    extras: Sequence[Extra] = (),
) -> str | None:
    """Why a post cannot come from our form (unknown field, value off the scale, wrong layanan).

    A reason (``alasan-<item>``, ``alasan-<item>-<part>`` beside a sub-question) of any
    question of the form is accepted even when the unit has stopped asking since the form was
    opened: it is then not stored.
    """
    scales = {code: i.scale for i in instruments for code in i.codes}
    reasons = set(reason_fields(instruments))
    for instrument in instruments:
        for item in instrument.items:
            for part in range(1, len(item.sub) + 1):
                scales[f"{item.code}-{part}"] = instrument.scale
            if item.sub:
                del scales[item.code]
    choices: Mapping[str, tuple[str, ...]] = {q.key: q.values for q in profile} | {
        TAMBAHAN + x.kode: extra_values(x) for x in extras if x.jenis != "teks"
    }
    texts = {TAMBAHAN + x.kode for x in extras if x.jenis == "teks"}
    for name in posted:
        values = posted.getlist(name)
        if len(values) > 1:
            return f"field {name} was sent more than once"
        value = values[0]
        if name in scales:
            if value not in {str(v) for v in range(1, scales[name] + 1)}:
                return f"item {name}: value {value!r} is outside 1-{scales[name]}"
        elif name in choices:
            if value and value not in choices[name]:
                return f"{name}: value {value!r} is not one of the choices"
        elif name not in FIXED_FIELDS and name not in reasons and name not in texts:
            return f"field {name} is not on this form"
    if posted.get("layanan", kode) != kode:
        return "the form was sent for another layanan"
    if not KEY.match(posted.get("kunci", "")):
        return "the form's submission key is missing or malformed"
    return None
