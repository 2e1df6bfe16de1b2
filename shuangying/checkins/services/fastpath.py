"""PostgreSQL: a bound person's plain scan (nothing declared, nobody along) in one prepared
statement — the person by the keyed hash of their document number with their bound identity,
and the check-in inserted for them only when the typed name is the registry's, the typed
phone the one that bound, and the place code still usable (``places.tokens.USABLE_SQL``).

Every table and column name comes from its app (``people.queries``, ``identity.services.
binding_join``, the CheckIn model's ``_meta``): a rename there changes this statement too.
Anything else — an unknown or unbound person, a wrong name, a resend, a dead code — writes
nothing here and the general path decides (and answers) as always."""

from __future__ import annotations

import functools

from django.db import connection
from django.utils import timezone

from shuangying.core.db import prepared_cursor
from shuangying.core.ratelimit import RateLimited
from shuangying.identity.services import binding_join
from shuangying.people.models import Person, phone_hash
from shuangying.people.queries import person_by_hash_sql, person_column
from shuangying.places.tokens import USABLE_SQL

from ..models import CheckIn
from . import rows
from .common import CheckinResult, code_for
from .rows import PERSON_FIELDS as FIELDS


@functools.cache
def scan_sql(rate: str = "") -> str:
    """The statement; with ``rate`` (``ratelimit.Charge.cte``'s SQL) it also counts the
    request and inserts only when the count is within the limits, its first column ``ok``."""
    refs, join = binding_join("p.id")
    person = person_by_hash_sql(FIELDS, joins=join, extra=refs)
    values = ", ".join(
        "p.id" if f == "person" else f"%s::{rows.db_type(f)}" for f in rows.INSERT_FIELDS
    )
    name = person_column("name")
    pk = CheckIn._meta.pk.column
    unique = CheckIn._meta.get_field("client_uuid").column
    within = " AND (SELECT ok FROM rl_ok)" if rate else ""
    return (
        f"WITH {rate + ', ' if rate else ''}p AS ({person}), "  # noqa: S608 - names from _meta, values as parameters
        f"ins AS (INSERT INTO {rows.checkin_table()} ({', '.join(rows.insert_columns())}) "
        f"SELECT {values} FROM p WHERE p.{name} = %s AND p.bound_phone = %s "
        f"AND {USABLE_SQL}{within} ON CONFLICT ({unique}) DO NOTHING RETURNING {pk}) "
        + (
            "SELECT rl_ok.ok, p.*, (SELECT * FROM ins) FROM rl_ok LEFT JOIN p ON TRUE"
            if rate
            else "SELECT p.*, (SELECT * FROM ins) FROM p"
        )
    )


def scan_bound(
    *, identity, place, client_uuid, declaration, source, at, code_id, charge=None
) -> CheckinResult | None:
    """The check-in written in one statement, or None when it was not written. With
    ``charge`` (a ``ratelimit.Charge`` not yet counted) the same statement counts the request
    and raises ``RateLimited``, nothing written, when it is over its limit."""
    row = CheckIn(
        client_uuid=client_uuid,
        checked_in_at=at,
        place_id=place.pk,
        temperature=declaration.temperature,
        has_fever=declaration.has_fever,
        symptoms=",".join(declaration.symptoms),
        travel=declaration.travel,
        travel_from=declaration.travel_from,
        source=source,
    )
    # Bound on the server: psycopg adapts these Python values (datetime, UUID, Decimal) as
    # they are, without the fields' preparation.
    values = [
        getattr(row, CheckIn._meta.get_field(f).attname)
        for f in rows.INSERT_FIELDS
        if f != "person"
    ]
    params = [identity.id_hash, *values, identity.name, phone_hash(identity.phone)]
    rate = charge.cte(connection.alias) if charge is not None else None
    with prepared_cursor() as cursor:
        if rate is None:
            cursor.execute(scan_sql(), [*params, code_id, timezone.now()])
            found = cursor.fetchone()
        else:
            cursor.execute(scan_sql(rate[0]), [*rate[1], *params, code_id, timezone.now()])
            ok, *found = cursor.fetchone()
            charge.counted_in_statement(ok, cursor)
            if not ok:
                raise RateLimited
    if not found or found[-1] is None:
        return None
    width = len(FIELDS)
    person = Person.from_db(
        connection.alias, [Person._meta.get_field(f).attname for f in FIELDS], found[:width]
    )
    row.person_id, row.pk = person.pk, found[-1]
    row._state.adding = False
    return CheckinResult(row, person, True, found[width], code_for(person))
