"""Exact lookup of one ID number among the county's persons (M1): keyed hash + unique index.

Target: at most 5 ms. Baseline, same run: the same row fetched by primary key."""

import random

from common import median_ms, report, setup_django, timed

setup_django()

from shuangying.people.models import Person  # noqa: E402
from shuangying.people.services import find_person_by_document  # noqa: E402


def main() -> None:
    total = Person.objects.count()
    rng = random.Random(7)
    sample = [rng.randrange(1, total) for _ in range(200)]
    ids = list(Person.objects.filter(pk__in=sample).values_list("pk", flat=True))
    numbers = [Person.objects.get(pk=pk).reveal_id_number() for pk in ids]
    it = iter(numbers * 3)
    by_hash = timed(lambda: find_person_by_document(next(it)), repeat=len(numbers), warmup=20)
    pks = iter(ids * 3)
    by_pk = timed(lambda: Person.objects.filter(pk=next(pks)).first(), repeat=len(ids), warmup=20)
    figure, base = median_ms(by_hash), median_ms(by_pk)
    report(
        f"id lookup among {total:,} persons",
        f"{figure:.2f} ms",
        f"{base:.2f} ms by primary key",
        figure / base,
        "<= 5 ms",
        figure <= 5,
    )


if __name__ == "__main__":
    main()
