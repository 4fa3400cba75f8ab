"""The integrity flags read what a variant version asked (issue 22, docs/kuesioner.md §7):
``cepat`` counts its sub-questions and extra questions, ``identik`` and ``seragam`` compare the
sub-question answers too. Hand-built submissions under the worked example's variant (U3 split
in two, U4 left out, two extra questions) through :func:`record_submission`."""

from datetime import timedelta

from analysis.periods import span_of
from survey_app.extensions import db
from survey_app.services.collection.integrity import report
from survey_app.services.collection.submissions import Origin, Response, record_submission
from tests.web.test_kuesioner import catalogue

IPAK = {f"AK{i}": 3 for i in range(1, 6)}
IPKP = {f"PK{i}": 3 for i in range(1, 9)}
SKM = ["U1", "U2", "U3.1/2", "U3.2/2", "U5", "U6", "U7", "U8", "U9"]


def submit(app, layanan, versi, clock, skm, *, durasi=600, key, minutes=7, **answers):
    """One submission under ``versi`` ``minutes`` after the previous one; ``skm`` gives the
    nine SKM answers in :data:`SKM` order, the IPAK and IPKP ones are 3 unless given."""
    clock.now += timedelta(minutes=minutes)
    response = Response(
        answers=dict(zip(SKM, skm, strict=True)) | IPAK | IPKP | answers,
        profile={},
        saran=None,
        idempotency_key=f"kunci-integritas-{key:04d}",
        kuesioner_versi_id=versi.id,
    )
    found, new = record_submission(
        db.session, catalogue(app), layanan, response, clock(), origin=Origin(durasi=durasi)
    )
    assert new
    db.session.commit()
    return found.id


def flagged(app, layanan):
    found = report(db.session, catalogue(app), layanan.unit, [layanan.id], span_of("2026-01"))
    return {row.submission_id: set(row.flags) for row in found.rows}


def test_cepat_counts_the_sub_questions_and_the_extra_questions_the_version_asked(
    app,
    varian,  # noqa: F811
    clock,
):
    """The version asks 7 plain SKM items + 2 sub-questions + 5 IPAK + 8 IPKP = 22 questions
    and 2 extra questions: 24 x 2 s = 48 s. Counting the plain columns only (20 x 2 s = 40 s)
    would let 47 s pass."""
    layanan, versi = varian
    values = [4, 3, 3, 4, 3, 4, 4, 3, 3]
    fast = submit(app, layanan, versi, clock, values, durasi=47, key=1)
    enough = submit(app, layanan, versi, clock, values[::-1], durasi=48, key=2)
    found = flagged(app, layanan)
    assert "cepat" in found[fast]
    assert "cepat" not in found.get(enough, set())


def test_identik_and_seragam_read_the_sub_question_answers(
    app,
    varian,  # noqa: F811
    clock,
):
    layanan, versi = varian
    # three respondents ten minutes apart, the same answers but for the second sub-question
    plain = [4, 3, 3, 4, 3, 4, 4, 3, 3]
    first = [
        submit(app, layanan, versi, clock, [*plain[:3], part, *plain[4:]], key=k, minutes=10)
        for k, part in enumerate((4, 2, 1), 1)
    ]
    assert not any("identik" in flags for flags in flagged(app, layanan).values())
    # three more an hour later giving the very same answers, sub-questions included
    clock.now += timedelta(hours=1)
    same = [submit(app, layanan, versi, clock, plain, key=k, minutes=10) for k in (4, 5, 6)]
    found = flagged(app, layanan)
    assert all("identik" in found[i] for i in same)
    assert not any("identik" in found.get(i, set()) for i in first)
    # every answer 4 (IPAK and IPKP too) but one sub-question 1: not straight-lining
    fours = {code: 4 for code in [*IPAK, *IPKP]}
    clock.now += timedelta(hours=1)
    mixed = submit(app, layanan, versi, clock, [4, 4, 4, 1, 4, 4, 4, 4, 4], key=7, **fours)
    straight = submit(app, layanan, versi, clock, [4] * 9, key=8, **fours)
    found = flagged(app, layanan)
    assert "seragam" not in found.get(mixed, set())
    assert "seragam" in found[straight]
