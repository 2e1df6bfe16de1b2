"""Every page × role × (own grid, sibling grid, other township) → the expected status (A4).

The table names every URL of the site outside /api/ (the API has its own table in
shuangying/core/tests/test_api.py). A route without an entry fails `test_every_route_has_an_entry`,
so a new page cannot ship without saying who may open it.

Objects are taken from grid1a's point of view: "own" lives in grid1a, "sibling" in grid1b (same
village), "other" in grid2a (another township). A scoped cell reads "own/sibling/other".
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from shuangying.accounts.services import deactivate_user
from shuangying.cases.services import open_case
from shuangying.labs.services import create_lab
from shuangying.passes.services import apply_for_pass, issue_pass, save_rule
from shuangying.people.models import Person
from shuangying.people.services import create_household
from shuangying.places.models import PosterBatch
from shuangying.places.services import create_place
from shuangying.testing import login

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "grid1a", "town1", "county", "dept", "auditor", "admin", "security")

# route: (method, object kind or None, statuses in PERSONAS order). A scoped status reads
# own/sibling/other. POSTs carry no form data: "allowed" shows as the form's own answer
# (400 invalid, 302 done), "not allowed" as 403 or 404 before any form is read.
MATRIX = {
    #                                                anon         grid1a         town1          county         dept           auditor        admin          security
    "dashboard:home": ("GET", None, "302 200 200 200 200 200 200 200"),
    "core:healthz": ("GET", None, "200 200 200 200 200 200 200 200"),
    "core:lookup": ("GET", None, "302 404 404 404 404 404 404 404"),
    "accounts:login": ("GET", None, "200 302 302 302 302 302 302 302"),
    "accounts:logout": ("POST", None, "302 302 302 302 302 302 302 302"),
    "accounts:totp_setup": ("GET", None, "302 200 200 200 200 200 200 200"),
    "accounts:totp_verify": ("GET", None, "302 302 302 302 302 302 302 302"),
    "accounts:profile": ("GET", None, "302 200 200 200 200 200 200 200"),
    "accounts:password_change": ("GET", None, "302 200 200 200 200 200 200 200"),
    "accounts:totp_remove": ("GET", None, "302 302 302 302 302 302 302 302"),
    "accounts:user_list": ("GET", None, "302 403 403 403 403 403 200 200"),
    "accounts:user_create": ("GET", None, "302 403 403 403 403 403 200 403"),
    "accounts:user_detail": ("GET", "user", "302 403 403 403 403 403 200/200/200 200/200/200"),
    "accounts:user_update": ("GET", "user", "302 403 403 403 403 403 200/200/200 403"),
    "accounts:user_activation": ("POST", "user", "302 403 403 403 403 403 302/302/302 403"),
    "accounts:user_roles": ("GET", "user", "302 403 403 403 403 403 403 200/200/200"),
    "accounts:user_totp_reset": ("POST", "user", "302 403 403 403 403 403 403 302/302/302"),
    "accounts:lockout_list": ("GET", None, "302 403 403 403 403 403 403 200"),
    "accounts:user_unlock": ("POST", None, "302 403 403 403 403 403 403 302"),
    "accounts:change_list": ("GET", None, "302 403 403 403 403 403 403 200"),
    "accounts:change_decide": ("POST", "account_change", "302 403 403 403 403 403 403 302"),
    "audit:event_list": ("GET", None, "302 403 403 403 403 200 403 403"),
    "divisions:division_tree": ("GET", None, "302 200 200 200 200 403 200 403"),
    "divisions:division_detail": (
        "GET",
        "division",
        "302 200/404/404 200/200/404 200/200/200 404/404/404 403 404/404/404 403",
    ),
    "divisions:assignment_create": (
        "POST",
        "division",
        "302 403 403 400/400/400 403 403 404/404/404 403",
    ),
    # An account is found here only when it holds or answers for a division in the viewer's
    # jurisdiction (own: grid1a's worker, sibling: grid1b's, other: grid2a's).
    "divisions:leader_assignments": (
        "GET",
        "user",
        "302 200/404/404 200/200/404 200/200/200 404/404/404 403 404/404/404 403",
    ),
    "people:person_list": ("GET", None, "302 200 200 200 200 403 403 403"),
    "people:person_create": ("GET", None, "302 200 200 200 403 403 403 403"),
    "people:person_export": ("GET", None, "302 403 200 200 200 403 403 403"),
    "people:person_detail": (
        "GET",
        "person",
        "302 200/404/404 200/200/404 200/200/200 404/404/404 403 403 403",
    ),
    "people:person_update": (
        "GET",
        "person",
        "302 200/404/404 200/200/404 200/200/200 403 403 403 403",
    ),
    "people:person_reveal": (
        "POST",
        "person",
        "302 403 400/400/404 400/400/400 403 403 403 403",
    ),
    "people:household_list": ("GET", None, "302 200 200 200 200 403 403 403"),
    "people:household_export": ("GET", None, "302 403 200 200 200 403 403 403"),
    "people:household_detail": (
        "GET",
        "household",
        "302 200/404/404 200/200/404 200/200/200 404/404/404 403 403 403",
    ),
    "people:staff_survey_list": ("GET", None, "302 403 403 200 200 403 403 403"),
    "people:staff_survey_create": ("GET", None, "302 403 403 403 200 403 403 403"),
    "people:staff_survey_export": ("GET", None, "302 403 403 200 200 403 403 403"),
    "places:place_list": ("GET", None, "302 200 200 200 200 403 403 403"),
    "places:place_detail": (
        "GET",
        "place",
        "302 200/404/404 200/200/404 200/200/200 404/404/404 403 403 403",
    ),
    # The one gate page: recording checks or checking passes (grid workers man compound gates).
    "checkpoints:checkpoint_mode": ("GET", None, "302 200 200 200 403 403 403 403"),
    "checkpoints:service_worker": ("GET", None, "200 200 200 200 200 200 200 200"),
    "checkpoints:fever_alerts": ("GET", None, "302 403 200 200 403 403 403 403"),
    "checkpoints:fever_partial": ("GET", None, "302 403 200 200 403 403 403 403"),
    "checkpoints:fever_handle": (
        "POST",
        "fever",
        "302 403 302/302/404 302/302/302 403 403 403 403",
    ),
    "checkpoints:dashboard": ("GET", None, "302 403 200 200 403 403 403 403"),
    "checkpoints:dashboard_export": ("GET", None, "302 403 200 200 403 403 403 403"),
    "checkins:public_checkin": ("GET", "token", "200 200 200 200 200 200 200 200"),
    # A result link that was not signed by the check-in is "not found" for everyone.
    "checkins:checkin_result": ("GET", "signed", "404 404 404 404 404 404 404 404"),
    "checkins:person_trajectory": (
        "GET",
        "person",
        "302 200/404/404 200/200/404 200/200/200 404/404/404 403 403 403",
    ),
    "checkins:person_trajectory_export": (
        "GET",
        "person",
        "302 403 200/200/404 200/200/200 404/404/404 403 403 403",
    ),
    # Declarations from unbound check-ins wait for the person's grid worker (and those above);
    # a decision without a choice goes back to the list with a message (302).
    "checkins:pending_declarations": ("GET", None, "302 200 200 200 403 403 403 403"),
    "checkins:decide_declaration": (
        "POST",
        "declaration",
        "302 302/404/404 302/302/404 302/302/302 403 403 403 403",
    ),
    "checkins:place_visitors": (
        "GET",
        "place",
        "302 200/404/404 200/200/404 200/200/200 404/404/404 403 403 403",
    ),
    "checkins:place_visitors_export": (
        "GET",
        "place",
        "302 403 200/200/404 200/200/200 404/404/404 403 403 403",
    ),
    "places:place_create": ("GET", None, "302 403 200 200 403 403 403 403"),
    "places:place_export": ("GET", None, "302 200 200 200 200 403 403 403"),
    "places:place_update": ("GET", "place", "302 403 200/200/404 200/200/200 403 403 403 403"),
    "places:code_reissue": ("POST", "place", "302 403 302/302/404 302/302/302 403 403 403 403"),
    "places:code_revoke": ("POST", "place", "302 403 302/302/404 302/302/302 403 403 403 403"),
    "places:place_poster": (
        "GET",
        "place",
        "302 200/404/404 200/200/404 200/200/200 404/404/404 403 403 403",
    ),
    "places:poster_batch_create": ("POST", None, "302 302 302 302 302 403 403 403"),
    # A bulk poster PDF is its requester's alone (town1's here).
    "places:poster_batch": ("GET", "batch", "302 404 200 404 404 403 403 403"),
    "passes:pass_list": ("GET", None, "302 200 200 200 403 403 403 403"),
    "passes:pass_create": ("GET", None, "302 200 200 200 403 403 403 403"),
    "passes:pass_detail": (
        "GET",
        "pass",
        "302 200/404/404 200/200/404 200/200/200 403 403 403 403",
    ),
    "passes:pass_print": ("GET", "pass", "302 200/404/404 200/200/404 200/200/200 403 403 403 403"),
    "passes:pass_revoke": (
        "POST",
        "pass",
        "302 302/404/404 302/302/404 302/302/302 403 403 403 403",
    ),
    "passes:rule_list": ("GET", None, "302 200 200 200 403 403 403 403"),
    "passes:rule_create": ("GET", None, "302 403 200 200 403 403 403 403"),
    "passes:rule_lift": ("POST", "rule", "302 403 302/302/404 302/302/302 403 403 403 403"),
    # The old address of the pass check leads to the one gate page (GET); POST still checks.
    "passes:gate_check": ("GET", None, "302 302 302 302 403 403 403 403"),
    "passes:check_list": ("GET", None, "302 200 200 200 403 403 403 403"),
    # Transport-pass applications: issuers decide those in their jurisdiction (an empty POST
    # is a decline without a reason: refused with a message, 302). The enterprise contact who
    # applies is no persona here (shuangying/passes/tests/test_applications.py).
    "passes:application_list": ("GET", None, "302 200 200 200 403 403 403 403"),
    "passes:application_decide": (
        "POST",
        "application",
        "302 302/404/404 302/302/404 302/302/302 403 403 403 403",
    ),
    "imports:import_list": ("GET", None, "302 403 200 200 403 403 200 403"),
    "imports:import_new": ("GET", None, "302 403 200 200 403 403 200 403"),
    "imports:import_template": ("GET", "kind", "302 403 200 200 403 403 403 403"),
    # An import job is its uploader's alone (town1's here): everyone else gets 404.
    "imports:import_detail": ("GET", "job", "302 404 200 404 404 404 404 404"),
    "imports:import_progress": ("GET", "job", "302 404 200 404 404 404 404 404"),
    "imports:import_commit": ("POST", "job", "302 404 302 404 404 404 404 404"),
    "imports:import_retry": ("POST", "job", "302 404 302 404 404 404 404 404"),
    # Health codes (D1–D3). The code page and its POSTs are scoped by the person's grid.
    "healthcodes:person_code": (
        "GET",
        "person",
        "302 200/404/404 200/200/404 200/200/200 404/404/404 403 403 403",
    ),
    "healthcodes:person_appeal": (
        "POST",
        "person",
        "302 400/404/404 400/400/404 400/400/400 404/404/404 403 403 403",
    ),
    # Manual colours come from the health role only (issue 17), none of these personas.
    "healthcodes:person_override": ("POST", "person", "302 403 403 403 403 403 403 403"),
    "healthcodes:person_arrival_review": (
        "POST",
        "person",
        "302 403 400/400/404 400/400/400 403 403 403 403",
    ),
    "healthcodes:override_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    "healthcodes:appeal_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    "healthcodes:riskarea_list": ("GET", None, "302 200 200 200 200 403 403 403"),
    "healthcodes:riskarea_import": ("GET", None, "302 403 403 200 403 403 403 403"),
    "healthcodes:ruleset_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    # Verification needs no login: a gate or a passer-by with the code sees colour and masked name.
    "healthcodes:verify": ("GET", None, "200 200 200 200 200 200 200 200"),
    # A resident's own codes from the check-in device cookie: no login, nothing without it.
    "healthcodes:my_code": ("GET", None, "200 200 200 200 200 200 200 200"),
    # Emergency supplies (H1–H8). The objects live in the county reserve; the dispatch order
    # and its batch go to a recipient in town1, so town1 sees and signs for them; dept (卫健局)
    # sees the purchase because it takes part in its joint pre-review. Only the supplies
    # officer (no persona here) buys, receives and issues; see shuangying/supplies/tests.
    "supplies:stock_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    "supplies:stock_export": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:move_list": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:move_export": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:transfer_create": ("GET", None, "302 403 403 403 403 403 403 403"),
    "supplies:item_list": ("GET", None, "302 403 200 200 200 403 403 403"),
    "supplies:item_create": ("GET", None, "302 403 403 403 403 403 403 403"),
    "supplies:item_update": ("GET", "item", "302 403 403 403 403 403 403 403"),
    "supplies:location_create": ("GET", None, "302 403 403 403 403 403 403 403"),
    "supplies:recipient_create": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:purchase_list": ("GET", None, "302 403 403 200 200 403 403 403"),
    "supplies:purchase_create": ("GET", None, "302 403 403 403 403 403 403 403"),
    "supplies:purchase_detail": ("GET", "purchase", "302 403 403 200 200 403 403 403"),
    "supplies:purchase_submit": ("POST", "purchase", "302 403 403 403 403 403 403 403"),
    "supplies:purchase_review": ("POST", "purchase", "302 403 403 403 302 403 403 403"),
    "supplies:purchase_order": ("POST", "purchase", "302 403 403 403 403 403 403 403"),
    "supplies:purchase_accept": ("GET", "purchase", "302 403 403 403 403 403 403 403"),
    "supplies:donation_list": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:donation_create": ("GET", None, "302 403 403 403 403 403 403 403"),
    "supplies:donation_public": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:donation_detail": ("GET", "donation", "302 403 403 200 403 403 403 403"),
    "supplies:donation_accept": ("POST", "donation", "302 403 403 403 403 403 403 403"),
    "supplies:donation_letter": ("GET", "donation", "302 403 403 200 403 403 403 403"),
    "supplies:processing_list": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:processing_create": ("GET", None, "302 403 403 403 403 403 403 403"),
    "supplies:dispatch_list": ("GET", None, "302 403 200 200 200 403 403 403"),
    "supplies:dispatch_create": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:dispatch_detail": ("GET", "order", "302 403 200 200 404 403 403 403"),
    "supplies:issue_create": ("POST", "order", "302 403 403 403 403 403 403 403"),
    "supplies:dispatch_cancel": ("POST", "order", "302 403 403 302 403 403 403 403"),
    "supplies:issue_detail": ("GET", "issue", "302 403 200 200 404 403 403 403"),
    "supplies:issue_note": ("GET", "issue", "302 403 200 200 404 403 403 403"),
    "supplies:issue_sign": ("POST", "issue", "302 403 302 302 404 403 403 403"),
    "supplies:issue_cancel": ("POST", "issue", "302 403 403 403 403 403 403 403"),
    "supplies:request_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    "supplies:request_create": ("GET", None, "302 403 200 200 403 403 403 403"),
    "supplies:request_meet": ("POST", "request", "302 403 403 403 403 403 403 403"),
    "supplies:report_items": ("GET", None, "302 403 200 200 403 403 403 403"),
    "supplies:report_items_export": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:report_recipients": ("GET", None, "302 403 200 200 403 403 403 403"),
    "supplies:report_recipients_export": ("GET", None, "302 403 403 200 403 403 403 403"),
    "supplies:report_reserves": ("GET", None, "302 403 200 200 403 403 403 403"),
    "supplies:report_reserves_export": ("GET", None, "302 403 403 200 403 403 403 403"),
    # Cases and labs (E3–E5): townships read their own area's cases, samples and beds; the
    # county reads and exports; the health officer and lab staff (no persona here) write: see
    # shuangying/cases/tests/test_views.py and shuangying/labs/tests/test_views.py.
    "cases:case_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    "cases:case_export": ("GET", None, "302 403 403 200 403 403 403 403"),
    "cases:case_detail": ("GET", "case", "302 403 200/200/404 200/200/200 403 403 403 403"),
    "cases:case_reclassify": ("POST", "case", "302 403 403 403 403 403 403 403"),
    "cases:case_admit": ("POST", "case", "302 403 403 403 403 403 403 403"),
    "cases:admission_discharge": ("POST", "case", "302 403 403 403 403 403 403 403"),
    "cases:hospital_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    "cases:hospital_export": ("GET", None, "302 403 403 200 403 403 403 403"),
    "cases:team_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    "cases:team_export": ("GET", None, "302 403 403 200 403 403 403 403"),
    "labs:lab_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    "labs:queue": ("GET", "lab", "302 403 200 200 403 403 403 403"),
    "labs:queue_export": ("GET", "lab", "302 403 403 200 403 403 403 403"),
    "labs:sample_create": ("GET", None, "302 403 403 403 403 403 403 403"),
    "labs:result_entry": ("GET", None, "302 403 403 403 403 403 403 403"),
    "labs:result_upload": ("GET", None, "302 403 403 403 403 403 403 403"),
    "labs:resample_list": ("GET", None, "302 403 200 200 403 403 403 403"),
    "labs:resample_export": ("GET", None, "302 403 403 200 403 403 403 403"),
    # The fever loop (E1, E2): grid workers, townships and the command follow episodes in
    # their jurisdiction; the command only reads and exports; the public pages need no login
    # (the matrix's place code is a market's, not a pharmacy's: 404 for everyone).
    "fevers:episode_list": ("GET", None, "302 200 200 200 403 403 403 403"),
    "fevers:desk": ("GET", None, "302 200 200 200 403 403 403 403"),
    "fevers:episode_export": ("GET", None, "302 403 200 200 403 403 403 403"),
    "fevers:episode_detail": (
        "GET",
        "episode",
        "302 200/404/404 200/200/404 200/200/200 403 403 403 403",
    ),
    "fevers:report_list": ("GET", None, "302 200 200 200 403 403 403 403"),
    "fevers:report_create": ("GET", None, "302 200 200 403 403 403 403 403"),
    "fevers:clinic_register": ("GET", None, "302 200 200 403 403 403 403 403"),
    "fevers:pharmacy_register": ("GET", None, "302 200 200 403 403 403 403 403"),
    "fevers:report_resolve": (
        "GET",
        "fever_report",
        "302 200/404/404 200/200/404 403 403 403 403 403",
    ),
    "fevers:tipoff": ("GET", None, "200 200 200 200 200 200 200 200"),
    "fevers:pharmacy_public": ("GET", "token", "404 404 404 404 404 404 404 404"),
    # Quarantine (F1, F2, F4): townships keep the desk (change, release, rooms); a grid worker
    # orders and follows their grid's orders; the command reads and exports. The matrix's
    # orders are home orders still running (no certificate yet: 404 where visible), its rooms
    # free (cleaning refused with a message: 302). A place code's token verifies no release.
    "quarantine:desk": ("GET", None, "302 200 200 200 403 403 403 403"),
    "quarantine:order_export": ("GET", None, "302 403 200 200 403 403 403 403"),
    "quarantine:order_create": ("GET", None, "302 200 200 403 403 403 403 403"),
    "quarantine:order_detail": (
        "GET",
        "quarantine_order",
        "302 200/404/404 200/200/404 200/200/200 403 403 403 403",
    ),
    "quarantine:order_notice": (
        "GET",
        "quarantine_order",
        "302 200/404/404 200/200/404 200/200/200 403 403 403 403",
    ),
    "quarantine:order_certificate": (
        "GET",
        "quarantine_order",
        "302 404/404/404 404/404/404 404/404/404 403 403 403 403",
    ),
    "quarantine:order_change": (
        "POST",
        "quarantine_order",
        "302 403 400/400/404 403 403 403 403 403",
    ),
    "quarantine:order_release": (
        "POST",
        "quarantine_order",
        "302 403 400/400/404 403 403 403 403 403",
    ),
    "quarantine:order_room": (
        "POST",
        "quarantine_order",
        "302 403 400/400/404 403 403 403 403 403",
    ),
    "quarantine:order_report": (
        "POST",
        "quarantine_order",
        "302 400/404/404 400/400/404 403 403 403 403 403",
    ),
    "quarantine:missing": ("GET", None, "302 200 200 200 403 403 403 403"),
    # The matrix's token is a place code's: not a report link, refused for everyone.
    "quarantine:public_report": ("GET", "token", "403 403 403 403 403 403 403 403"),
    "quarantine:site_list": ("GET", None, "302 200 200 200 403 403 403 403"),
    "quarantine:site_board": (
        "GET",
        "quarantine_site",
        "302 200/404/404 200/200/404 200/200/200 403 403 403 403",
    ),
    "quarantine:site_export": (
        "GET",
        "quarantine_site",
        "302 403 200/200/404 200/200/200 403 403 403 403",
    ),
    "quarantine:room_cleaned": (
        "POST",
        "quarantine_room",
        "302 403 302/302/404 403 403 403 403 403",
    ),
    "quarantine:verify": ("GET", "token", "404 404 404 404 404 404 404 404"),
}


def all_route_names():
    names = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.append(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_route_has_an_entry():
    missing = sorted(set(all_route_names()) - set(MATRIX))
    assert not missing, f"routes without a permission-matrix entry: {missing}"
    assert not set(MATRIX) - set(all_route_names()), "stale entries"


@pytest.fixture
def objects(personas, people, county):
    """One object of each kind in grid1a (own), grid1b (sibling) and grid2a (other)."""
    from shuangying.checkins.models import PendingDeclaration
    from shuangying.imports.models import ImportJob

    scopes = {}
    for scope, person, grid, worker in (
        ("own", people.in_grid1a, county.grid1a, "grid1a"),
        ("sibling", people.in_grid1b, county.grid1b, "grid1b"),
        ("other", people.in_grid2a, county.grid2a, "grid2a"),
    ):
        household = create_household(actor=None, division=grid, number="H1", address=scope)
        Person.objects.filter(pk=person.pk).update(household=household)
        place = create_place(type="market", name=f"{scope}市场", division=grid)
        scopes[scope] = {
            "place": place.pk,
            "rule": save_rule(actor=None, division=grid).pk,
            "pass": issue_pass(
                actor=None,
                type="household",
                division=grid,
                household=household,
                valid_from=timezone.now(),
                valid_until=timezone.now() + timedelta(days=7),
            ).pk,
            "application": apply_for_pass(
                actor=None,
                division=grid,
                holder_name=f"{scope}企业",
                plate="晋L12345",
                route="厂区—县城",
                valid_from=timezone.now(),
                valid_until=timezone.now() + timedelta(days=7),
            ).pk,
            "person": person.pk,
            "fever": _fever_at(grid, scope).pk,
            "episode": _episode_of(person).pk,
            "fever_report": _tipoff_in(grid).pk,
            "declaration": PendingDeclaration.objects.create(
                checkin_id=1,
                person=person,
                place=place,
                checked_in_at=timezone.now(),
                has_fever=True,
            ).pk,
            "household": household.pk,
            "case": open_case(person=person)[0].pk,
            "division": grid.pk,
            "user": personas[worker].pk,
            **_quarantine_objects(person, grid, scope),
        }
    job = ImportJob.objects.create(kind="persons", file_name="a.xlsx", created_by=personas["town1"])
    batch = PosterBatch.objects.create(division=county.town1, requested_by=personas["town1"])
    supplies = _supplies_objects(county)
    lab = create_lab(name="矩阵实验室", division=county.county, daily_capacity=10)
    # A pending change to a protected account (the auditor's), for the approval routes.
    change = deactivate_user(actor=personas["admin"], user=personas["auditor"], reason="矩阵")
    for scope in scopes.values():
        scope["account_change"] = change.pk
        scope["job"] = job.pk
        scope["batch"] = batch.pk
        scope["lab"] = lab.pk
        scope.update(supplies)
    return scopes


def _supplies_objects(county) -> dict[str, int]:
    """A purchase in pre-review, an accepted donation, a dispatch order to a checkpoint in
    town1 with one issued batch, and an enterprise request, all in the county reserve."""
    from datetime import date
    from decimal import Decimal

    from shuangying.accounts.models import Department
    from shuangying.supplies import services as s
    from shuangying.supplies.models import Category, Item

    for code, name in (
        ("finance", "财政局"),
        ("market_regulation", "市场监管局"),
        ("industry", "工信局"),
    ):
        Department.objects.get_or_create(code=code, defaults={"name": name})
    item = Item.objects.create(
        category=Category.objects.create(name="医疗防护"), name="医用外科口罩", unit="个"
    )
    store = s.create_location(name="县储备库", kind="county_reserve", division=county.county)
    purchase = s.create_purchase_request(
        location=store,
        supplier_name="供应商",
        reason="防控",
        lines=[s.Line(item=item, quantity=Decimal(10), price=Decimal(1))],
    )
    s.submit_purchase_request(purchase=purchase)
    donation = s.record_donation(
        donor_kind="enterprise",
        donor_name="捐赠企业",
        location=store,
        lines=[s.Line(item=item, quantity=Decimal(100), price=Decimal(100))],
        received_on=date(2020, 2, 1),
    )
    s.accept_donation(donation=donation, acceptance_team="发改局")
    recipient = s.create_recipient(name="一镇卡口", kind="checkpoint", division=county.town1)
    order = s.create_dispatch_order(
        source=store, recipient=recipient, lines=[s.Line(item=item, quantity=Decimal(20))]
    )
    issue = s.issue_batch(order=order, quantities={order.lines.get().pk: Decimal(5)})
    enterprise = s.create_recipient(name="一镇企业", kind="enterprise", division=county.town1)
    request = s.create_enterprise_request(recipient=enterprise, item=item, quantity=Decimal(3))
    return {
        "item": item.pk,
        "purchase": purchase.pk,
        "donation": donation.pk,
        "order": order.pk,
        "issue": issue.pk,
        "request": request.pk,
    }


def _quarantine_objects(person, grid, scope) -> dict[str, int]:
    from shuangying.quarantine import services as q

    order = q.open_order(person=person, kind="home", reason="close_contact").order
    site = q.create_site(name=f"{scope}隔离点", kind="hotel", division=grid)
    room = q.create_room(site=site, number="101")
    return {"quarantine_order": order.pk, "quarantine_site": site.pk, "quarantine_room": room.pk}


def _episode_of(person):
    from shuangying.fevers.services import report_fever

    return report_fever(actor=None, channel="village", person=person).episode


def _tipoff_in(grid):
    from shuangying.fevers.services import report_fever

    return report_fever(
        actor=None, channel="tipoff", name="老王", address="3号", division=grid
    ).report


def _fever_at(grid, scope):
    from shuangying.checkpoints.tests.factories import make_checkpoint, make_record

    return make_record(make_checkpoint(grid, f"{scope}卡口", "village_gate"), temperature="38.5")


def cells():
    for route, (method, kind, statuses) in MATRIX.items():
        for persona, status in zip(PERSONAS, statuses.split(), strict=True):
            parts = status.split("/")
            if kind is None or len(parts) == 1:
                yield route, method, kind, persona, "own", parts[0]
            else:
                for scope, expected in zip(("own", "sibling", "other"), parts, strict=True):
                    yield route, method, kind, persona, scope, expected


@pytest.mark.parametrize("route, method, kind, persona, scope, expected", list(cells()))
def test_matrix(client, personas, objects, route, method, kind, persona, scope, expected):
    if kind is None:
        url = reverse(route)
    elif kind == "kind":
        url = reverse(route, kwargs={"kind": "persons"})
    elif kind == "token":
        from shuangying.places.models import Place
        from shuangying.places.services import issue_place_code
        from shuangying.places.tokens import token_for

        place = Place.objects.get(pk=objects[scope]["place"])
        url = reverse(route, kwargs={"token": token_for(issue_place_code(place=place))})
    elif kind == "signed":
        url = reverse(route, kwargs={"signed": "1:forged"})
    else:
        url = reverse(route, kwargs={"pk": objects[scope][kind]})
    if persona != "anonymous":
        login(client, personas[persona])
    response = client.post(url) if method == "POST" else client.get(url)
    assert response.status_code == int(expected), f"{method} {url} as {persona}"
    if expected == "302" and persona == "anonymous":
        assert response.url.startswith(reverse("accounts:login")) or route == "accounts:logout"


def test_pages_enforce_csrf(personas, people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, personas["town1"])
    url = reverse("people:person_reveal", args=[people.in_grid1a.pk])
    body = {"purpose": "verify_identity", "reason": "核实返乡身份"}
    assert client.post(url, body).status_code == 403
    page = client.get(reverse("people:person_detail", args=[people.in_grid1a.pk]))
    token = page.context["csrf_token"]
    assert client.post(url, {**body, "csrfmiddlewaretoken": str(token)}).status_code == 200
