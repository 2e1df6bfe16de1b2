"""Offline upload (C2, C3): 10,000 queued check-ins in one POST /api/checkins/batch.

Target: at least 20,000 rows/s for the whole request (parse, validate, deduplicate identities,
bulk insert, per-item answer). Baseline, same run: the same 10,000 rows inserted by one
``bulk_create`` of ready-made CheckIn objects. The resend of the same batch (all duplicates)
is printed too. The process is warmed by one small request first (a server's workers have
loaded the URLconf long before an upload comes)."""

import json
import time
import uuid

from common import report, setup_django

setup_django()

from django.test import Client  # noqa: E402

from shuangying.checkins.models import CheckIn  # noqa: E402
from shuangying.divisions.models import Division  # noqa: E402
from shuangying.people.models import Person  # noqa: E402
from shuangying.places.models import Place  # noqa: E402
from shuangying.places.services import create_place  # noqa: E402
from shuangying.places.tokens import token_for  # noqa: E402
from shuangying.testing import login, make_user  # noqa: E402

ITEMS = 10_000


def main() -> None:
    division = Person.objects.order_by("pk").first().division
    place = Place.objects.filter(name="压测卡口").first() or create_place(
        type="traffic_checkpoint", name="压测卡口", division=division
    )
    token = token_for(place.codes.get(revoked_at__isnull=True))
    user = make_user(
        f"bench-checkpoint-{uuid.uuid4().hex[:6]}",
        "checkpoint_staff",
        [Division.objects.get(level=1)],
    )
    people = list(Person.objects.order_by("pk")[:2000])
    identities = [(p.name, p.reveal_id_number()) for p in people]
    items = [
        {
            "client_uuid": str(uuid.uuid4()),
            "place_token": token,
            "name": identities[i % len(identities)][0],
            "id_number": identities[i % len(identities)][1],
            "temperature": 36.5,
        }
        for i in range(ITEMS)
    ]
    body = json.dumps({"items": items})
    client = Client()
    login(client, user)
    # Warm-up: the process's first request imports the URLconf and every API module, which
    # a running server has done long before an upload arrives. One item
    # with a forged place code: answered with its error, nothing written.
    warm = {"items": [{"client_uuid": str(uuid.uuid4()), "place_token": "forged"}]}
    client.post("/api/checkins/batch", json.dumps(warm), content_type="application/json")
    before = CheckIn.objects.count()
    start = time.perf_counter()
    response = client.post("/api/checkins/batch", body, content_type="application/json")
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.content[:500]
    answer = response.json()
    written = CheckIn.objects.count() - before
    start = time.perf_counter()
    again = client.post("/api/checkins/batch", body, content_type="application/json").json()
    resend = time.perf_counter() - start
    rows = [
        CheckIn(client_uuid=uuid.uuid4(), place_id=place.pk, person_id=people[i % len(people)].pk)
        for i in range(ITEMS)
    ]
    start = time.perf_counter()
    CheckIn.objects.bulk_create(rows, batch_size=2000)
    base = time.perf_counter() - start
    rate, base_rate = ITEMS / elapsed, ITEMS / base
    print(
        f"  batch: {answer['created']} created, {answer['errors']} errors, {written} rows, "
        f"{elapsed:.2f} s; resend: {again['duplicates']} duplicates in {resend:.2f} s",
        flush=True,
    )
    report(
        f"offline upload of {ITEMS:,} check-ins",
        f"{rate:,.0f} rows/s",
        f"{base_rate:,.0f} rows/s bare bulk_create",
        rate / base_rate,
        ">= 20,000 rows/s",
        rate >= 20_000 and written == ITEMS == answer["created"],
    )


if __name__ == "__main__":
    main()
