"""Invariants held by the database itself, and the privacy promise of the schema."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.models import Answer, Submission


def _submission(layanan, key="k" * 20, **fields):
    values = dict(
        layanan=layanan,
        submitted_at=datetime(2026, 1, 5, tzinfo=UTC),
        period="2026-01",
        idempotency_key=key,
    )
    values.update(fields)
    return Submission(**values)


@pytest.mark.parametrize("value", [0, 5])
def test_answer_outside_its_scale_is_refused_by_the_database(layanan, value):
    answer = Answer(
        item_code="U1", instrument_id="skm", instrument_version="2017.1", scale=4, value=value
    )
    db.session.add(_submission(layanan, answers=[answer]))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_idempotency_key_is_unique_in_the_database(layanan):
    db.session.add_all([_submission(layanan), _submission(layanan)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_profile_values_are_checked_by_the_database(layanan):
    db.session.add(_submission(layanan, jenis_kelamin="X"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_submissions_hold_no_identity_or_address():
    columns = {c.name for c in Submission.__table__.columns}
    assert not columns & {"ip", "ip_address", "nama", "name", "nik", "phone", "telepon", "email"}
