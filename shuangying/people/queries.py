"""SQL of the person registry for statements other apps build around it (the public
check-in's one-statement scan). Table and column names come from the model, so a rename in
this app changes those statements with it. Public: used by ``checkins.services``."""

from __future__ import annotations

from .models import Person


def person_table() -> str:
    return Person._meta.db_table


def person_column(field: str) -> str:
    """The column of a Person field (``division`` → ``division_id``)."""
    return Person._meta.get_field(field).column


def person_by_hash_sql(
    fields: tuple[str, ...], *, alias: str = "p", joins: str = "", extra: str = ""
) -> str:
    """``SELECT <fields>[, extra] FROM <person table> <alias> <joins> WHERE <alias>.<id
    hash> = %s``: one person by the keyed hash of their document number (the first
    parameter after those of ``joins``)."""
    columns = ", ".join(f"{alias}.{person_column(f)}" for f in fields)
    if extra:
        columns += f", {extra}"
    return (
        f"SELECT {columns} FROM {person_table()} {alias} {joins} "  # noqa: S608 - names from _meta
        f"WHERE {alias}.{person_column('id_number_hash')} = %s"
    )


def person_ids_by_hashes_sql() -> str:
    """PostgreSQL: ``(id hash, id)`` of the persons whose keyed document hash is in the one
    array parameter."""
    hash_, pk = person_column("id_number_hash"), Person._meta.pk.column
    return f"SELECT {hash_}, {pk} FROM {person_table()} WHERE {hash_} = ANY(%s)"  # noqa: S608
