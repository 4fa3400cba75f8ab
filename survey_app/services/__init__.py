"""Domain services: take the session, add and flush; the request or CLI command commits."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

# Services accept a plain Session (CLI, scripts) or Flask-SQLAlchemy's scoped one (requests).
# Named for the type checker only, so importing a service's package stays cheap.
if TYPE_CHECKING:
    from sqlalchemy.orm import Session, scoped_session

    DbSession: TypeAlias = Session | scoped_session[Any]
else:
    DbSession = Any


def in_months(column: Any, months: Iterable[str]) -> Any:
    """``column`` (a ``YYYY-MM`` period) within ``months``: one BETWEEN for a run of whole
    months (every span is one), so a long range is two parameters, not one per month."""
    ordered = sorted(set(months))
    if not ordered:
        return column.in_([])
    first, last = ordered[0], ordered[-1]
    length = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    if length == len(ordered):
        return column.between(first, last)
    return column.in_(ordered)


def among(session: DbSession, column: Any, ids: Iterable[int]) -> Any:
    """``column IN ids``. On PostgreSQL one array parameter (``= ANY(:ids)``): a page above 500
    units passes about a thousand layanan ids to a dozen reads, and a thousand parameters
    each cost more to render and send than the read itself. Elsewhere a plain ``IN``."""
    from sqlalchemy import Integer, any_, bindparam, cast
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.types import NullType

    values = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        # sent as the array's text ('{1,2,3}'): psycopg dumps a list of 1,000 ints item by item.
        # Untyped (no ::VARCHAR), so the server reads it as an integer[] once; a varchar cast to
        # integer[] is parsed again for every row a filter tests (16 ms for 958 layanan)
        text = "{" + ",".join(str(int(value)) for value in values) + "}"
        return column == any_(cast(bindparam(None, text, type_=NullType()), ARRAY(Integer)))
    return column.in_(values)


def cacheable(statement: Any, dialect: Any, columns: Iterable[str]) -> Any:
    """``statement``, a dialect's ``INSERT ... ON CONFLICT`` with the values of ``columns``, as
    a text statement of the same SQL and typed parameters (``:name`` style, values passed by
    column name). SQLAlchemy 2.0 caches no dialect-specific INSERT and compiles it again on
    every execution, a millisecond of CPU each; a text statement is compiled once.
    ``dialect`` is the module (``sqlalchemy.dialects.postgresql`` or ``.sqlite``)."""
    from sqlalchemy import bindparam, text

    compiled = statement.compile(
        dialect=dialect.dialect(paramstyle="named"), column_keys=list(columns)
    )
    typed = [bindparam(name, type_=bind.type) for name, bind in compiled.binds.items()]
    return text(str(compiled)).bindparams(*typed)
