"""What the division pages count under each division (persons, households …), supplied by the
apps that own those objects: they register a counter in their ``AppConfig.ready()``, so that
divisions, the lower app, never imports them.

A counter is ``counter(user, divisions, *, parent=None) -> {division id: count}``: the objects
the user may see in each division's subtree, ``parent`` (when given) being a division whose
subtree holds them all."""

from __future__ import annotations

from collections.abc import Callable, Sequence

Counter = Callable[..., dict[int, int]]

_COUNTERS: dict[str, Counter] = {}


def register_subtree_counter(key: str, counter: Counter) -> None:
    _COUNTERS[key] = counter


def subtree_counts(key: str, user, divisions: Sequence, *, parent=None) -> dict[int, int]:
    """Objects of ``key`` per subtree; zero for each when no app counts ``key``."""
    counter = _COUNTERS.get(key)
    if counter is None:
        return {d.pk: 0 for d in divisions}
    return counter(user, divisions, parent=parent)


def subtree_total(key: str, user, division) -> int:
    return subtree_counts(key, user, [division], parent=division).get(division.pk, 0)
