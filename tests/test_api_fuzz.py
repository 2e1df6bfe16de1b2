"""The whole API under a new user's fuzzer (issue 17): schemathesis generates requests from
the OpenAPI document, valid and not, and no answer may be a server error. Bounded (a few
examples per operation) and run by .ci/run on SQLite: `pytest -m fuzz tests/test_api_fuzz.py`.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from shuangying.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
schema.app = get_wsgi_application()

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


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
