"""The site's URLs plus the baseline: a minimal view that inserts one check-in row."""

import os
import uuid

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from shuangying.checkins.models import CheckIn
from shuangying.urls import urlpatterns as site

PLACE_ID = int(os.environ.get("BENCH_PLACE_ID", "0"))
PERSON_ID = int(os.environ.get("BENCH_PERSON_ID", "0"))


@csrf_exempt
def minimal_insert(request):
    CheckIn.objects.create(
        place_id=PLACE_ID, person_id=PERSON_ID, client_uuid=uuid.uuid4(), source="api"
    )
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal-insert/", minimal_insert), *site]
