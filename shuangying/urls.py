from django.urls import include, path

from .api import api

urlpatterns = [
    # The public scan (c/<token>/) is matched before the ~20 includes below.
    path("c/", include("shuangying.checkins.urls")),
    path("", include("shuangying.dashboard.urls")),
    path("", include("shuangying.core.urls")),
    path("accounts/", include("shuangying.accounts.urls")),
    path("divisions/", include("shuangying.divisions.urls")),
    path("people/", include("shuangying.people.urls")),
    path("audit/", include("shuangying.audit.urls")),
    path("imports/", include("shuangying.imports.urls")),
    path("places/", include("shuangying.places.urls")),
    path("passes/", include("shuangying.passes.urls")),
    path("checkpoints/", include("shuangying.checkpoints.urls")),
    path("healthcodes/", include("shuangying.healthcodes.urls")),
    path("cases/", include("shuangying.cases.urls")),
    path("labs/", include("shuangying.labs.urls")),
    path("supplies/", include("shuangying.supplies.urls")),
    path("fevers/", include("shuangying.fevers.urls")),
    path("quarantine/", include("shuangying.quarantine.urls")),
    path("api/", api.urls),
]
