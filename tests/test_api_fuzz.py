"""The whole API under a new user's fuzzer (issue 17): schemathesis generates requests from
the OpenAPI document, valid and not, and no answer may be a server error. Bounded (a few
examples per operation) and run by .ci/run on SQLite and on PostgreSQL, which is the one that
matters: SQLite stores a NUL or an integer beyond 64 bits where PostgreSQL refuses them.
`pytest -m fuzz tests/test_api_fuzz.py` (with DATABASE_URL for PostgreSQL).

The requests go through the real WSGI handler, not Django's test client, and each commits as
in production (``transaction=True``): inside one test transaction, the first refused statement
would abort the transaction and turn every later request into a false 500.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from shuangying.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
schema.app = get_wsgi_application()

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes the database connection around each request (Django's test
    client disconnects these receivers for the same reason): the test database's connection
    must outlive the request."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(personas, people):
    from shuangying.accounts.api import issue_token

    raw, _ = issue_token(user=personas["county"])
    return raw


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
    )
