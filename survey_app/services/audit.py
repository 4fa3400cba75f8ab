"""The audit log: who changed what, when, with the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from survey_app.models import AuditLog, Pengguna
from survey_app.services import DbSession


def record(
    session: DbSession,
    user: Pengguna | None,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
) -> AuditLog:
    entry = AuditLog(
        at=now,
        pengguna_id=user.id if user else None,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
    )
    session.add(entry)
    return entry
