"""Roles are data: groups holding permission codenames (A4). ``sync_roles`` makes the groups
match this table after every migrate; the same codenames guard views, API and tests.

System administrator, security administrator and auditor are separate (三权分立): the
administrator manages accounts but cannot read the audit log; the security administrator
assigns roles and lifts lockouts; the auditor reads the audit log and changes nothing.
"""

from typing import cast

from django.utils.translation import gettext_lazy as _

PERSON_READ = [
    "people.view_person",
    "people.view_household",
    "divisions.view_division",
    "places.view_place",
    "checkins.view_checkin",
]
PLACE_WRITE = ["places.add_place", "places.change_place"]
# Checkpoint records (C3): staff record and see their checkpoints; the command and townships
# also see the fever alerts and counters of the checkpoints in their jurisdiction.
CHECKPOINT_RECORD = [
    "checkpoints.add_checkpointrecord",
    "checkpoints.view_checkpointrecord",
    "checkpoints.change_checkpointrecord",  # mark a fever alert handled
]
CHECKPOINT_COMMAND = [*CHECKPOINT_RECORD, "checkpoints.export_checkpointrecord"]
PERSON_WRITE = [
    "people.add_person",
    "people.change_person",
    "people.add_household",
    "people.change_household",
    "people.import_person",
    "people.export_person",
]

ROLES: dict[str, tuple[str, list[str]]] = {
    "county_commander": (
        _("县指挥部"),
        [
            *PERSON_READ,
            *PERSON_WRITE,
            "people.reveal_person",
            "people.view_staffsurvey",
            "divisions.change_division",
            "divisions.add_division",
            "divisions.import_division",
            "divisions.view_assignment",
            "divisions.add_assignment",
            *PLACE_WRITE,
            *CHECKPOINT_COMMAND,
        ],
    ),
    "department_officer": (
        _("部门工作人员"),
        [
            *PERSON_READ,
            "people.export_person",
            "people.view_staffsurvey",
            "people.add_staffsurvey",
            "people.change_staffsurvey",
            "divisions.view_assignment",
        ],
    ),
    "township_officer": (
        _("乡镇（街道）工作人员"),
        [
            *PERSON_READ,
            *PERSON_WRITE,
            "people.reveal_person",
            "divisions.view_assignment",
            "divisions.add_division",
            "divisions.change_division",
            *PLACE_WRITE,
            *CHECKPOINT_COMMAND,
        ],
    ),
    "village_officer": (
        _("村（社区）工作人员"),
        [
            *PERSON_READ,
            *PERSON_WRITE,
            "people.reveal_person",
            "divisions.view_assignment",
        ],
    ),
    "grid_worker": (
        _("网格员"),
        [
            *PERSON_READ,
            "people.add_person",
            "people.change_person",
            "people.add_household",
            "people.change_household",
            "divisions.view_assignment",
        ],
    ),
    "checkpoint_staff": (
        _("卡口值守人员"),
        [
            "divisions.view_division",
            "places.view_place",
            *CHECKPOINT_RECORD,
            "checkins.add_checkin",  # offline check-in uploads
        ],
    ),
    "enterprise_contact": (_("企业联络人"), []),
    "auditor": (_("审计员"), ["audit.view_auditevent"]),
    "system_admin": (
        _("系统管理员"),
        [
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "accounts.view_department",
            "accounts.add_department",
            "accounts.change_department",
            "divisions.view_division",
            "divisions.add_division",
            "divisions.change_division",
            "divisions.import_division",
            "divisions.view_assignment",
            "divisions.add_assignment",
            "divisions.change_assignment",
        ],
    ),
    "security_admin": (_("安全管理员"), ["accounts.view_user", "accounts.manage_roles"]),
}


# Health codes (D1–D3): every officer sees codes and files appeals; townships and the county
# record what they observe and decide appeals; only the health role (卫健 staff) records
# medical findings (confirmed, suspected, contacts, quarantine, clearances) and proposes manual
# colours, which the county approves (a second person). Which event kind needs which codename
# is the table in healthcodes/permissions.py. The county keeps the risk-area list and
# publishes rule sets.
HEALTHCODE_READ = [
    "healthcodes.view_healthcodestate",
    "healthcodes.view_healthevent",
    "healthcodes.view_riskarea",
    "healthcodes.add_appeal",
]
HEALTHCODE_RECORD = [*HEALTHCODE_READ, "healthcodes.add_healthevent"]
HEALTHCODE_OFFICER = [
    *HEALTHCODE_RECORD,
    "healthcodes.view_overriderequest",
    "healthcodes.view_appeal",
    "healthcodes.change_appeal",
    "healthcodes.view_ruleset",
    "healthcodes.add_arrivalreview",
]
ROLES["health_officer"] = (
    _("卫健部门工作人员"),
    [
        *PERSON_READ,
        "people.view_staffsurvey",
        "divisions.view_assignment",
        "healthcodes.record_medical_event",
        "healthcodes.add_overriderequest",
        "checkpoints.view_checkpointrecord",  # checkpoint passages in trajectories
    ],
)
HEALTHCODE_ROLES = {
    "health_officer": HEALTHCODE_OFFICER,
    "county_commander": [
        *HEALTHCODE_OFFICER,
        "healthcodes.approve_override",
        "healthcodes.add_riskarea",
        "healthcodes.change_riskarea",
        "healthcodes.delete_riskarea",
        "healthcodes.add_ruleset",
    ],
    "township_officer": HEALTHCODE_OFFICER,
    "village_officer": HEALTHCODE_RECORD,
    "grid_worker": HEALTHCODE_RECORD,
    "department_officer": HEALTHCODE_READ,
    # Staff at a gate observe fevers and take declarations (observed kinds only: permissions.py).
    "checkpoint_staff": ["healthcodes.view_riskarea", "healthcodes.add_healthevent"],
}
for _role, _codenames in HEALTHCODE_ROLES.items():
    ROLES[_role][1].extend(_codenames)


# Closed management and passes (C4, C6): officers and grid workers issue and revoke passes;
# townships, villages and the county set the rules; checkpoint staff check passes at gates.
PASS_ISSUE = [
    "passes.view_passapplication",
    "passes.change_passapplication",
    "passes.view_pass",
    "passes.add_pass",
    "passes.change_pass",
    "passes.view_closedmanagementrule",
    "passes.view_passcheck",
    "passes.add_passcheck",  # officers and grid workers man compound and village gates too
]
PASS_RULES = [*PASS_ISSUE, "passes.add_closedmanagementrule", "passes.change_closedmanagementrule"]
PASS_ROLES = {
    "county_commander": PASS_RULES,
    "township_officer": PASS_RULES,
    "village_officer": PASS_RULES,
    "grid_worker": PASS_ISSUE,
    "checkpoint_staff": ["passes.add_passcheck", "passes.view_passcheck"],
    # An enterprise asks for transport passes; the township issues them (PassApplication).
    "enterprise_contact": [
        "passes.view_pass",
        "passes.view_passapplication",
        "passes.add_passapplication",
    ],
}
for _role, _codenames in PASS_ROLES.items():
    ROLES[_role][1].extend(_codenames)


# Declarations of unbound public check-ins (issue 17): the person's grid worker (and the
# officers above) confirm or reject them before they reach the health-code rules.
CHECKIN_DECLARATIONS = [
    "checkins.view_pendingdeclaration",
    "checkins.change_pendingdeclaration",
]
for _role in ("county_commander", "township_officer", "village_officer", "grid_worker"):
    ROLES[_role][1].extend(CHECKIN_DECLARATIONS)


# Emergency supplies (H1–H8). The supplies officer (发改局's store) keeps the catalogue, buys,
# takes in donations, processes and issues; the command reads everything and gives dispatch
# orders (调用指令); finance, health, market regulation and industry officers take part in the
# joint pre-review (the service checks the department); whoever holds the recipient's township
# or department signs for a batch (never the officer who issued it).
SUPPLIES_VIEW = [
    "supplies.view_category",
    "supplies.view_item",
    "supplies.view_location",
    "supplies.view_recipient",
    "supplies.view_dispatchorder",
    "supplies.view_issue",
]
SUPPLIES_READ = [
    *SUPPLIES_VIEW,
    "supplies.view_budget",
    "supplies.view_stockbalance",
    "supplies.view_stockmove",
    "supplies.view_purchaserequest",
    "supplies.view_donation",
    "supplies.view_processingrun",
    "supplies.view_enterpriserequest",
    "supplies.export_stockbalance",
]
SUPPLIES_OFFICER = [
    *SUPPLIES_READ,
    "supplies.add_category",
    "supplies.add_item",
    "supplies.change_item",
    "supplies.add_budget",
    "supplies.add_location",
    "supplies.add_recipient",
    "supplies.add_stockmove",
    "supplies.add_purchaserequest",
    "supplies.change_purchaserequest",
    "supplies.add_donation",
    "supplies.change_donation",
    "supplies.add_processingrun",
    "supplies.add_issue",
    "supplies.change_issue",
    "supplies.add_enterpriserequest",
    "supplies.change_enterpriserequest",
    "divisions.view_division",
]
ROLES["supplies_officer"] = (_("物资保障人员"), SUPPLIES_OFFICER)
SUPPLIES_ROLES = {
    "county_commander": [
        *SUPPLIES_READ,
        "supplies.add_dispatchorder",
        "supplies.change_dispatchorder",
        "supplies.add_recipient",
        "supplies.sign_issue",
        "supplies.add_enterpriserequest",
    ],
    "township_officer": [
        *SUPPLIES_VIEW,
        "supplies.view_stockbalance",
        "supplies.view_enterpriserequest",
        "supplies.add_enterpriserequest",
        "supplies.sign_issue",
    ],
    "village_officer": [*SUPPLIES_VIEW, "supplies.sign_issue"],
    # Until the resumption module brings its portal, an enterprise's contact asks for supplies
    # for its own enterprise (Recipient.contact_account) and follows its requests.
    "enterprise_contact": [
        "supplies.view_recipient",
        "supplies.view_enterpriserequest",
        "supplies.add_enterpriserequest",
    ],
    "checkpoint_staff": [*SUPPLIES_VIEW, "supplies.sign_issue"],
    "department_officer": [
        *SUPPLIES_VIEW,
        "supplies.view_purchaserequest",
        "supplies.review_purchaserequest",
        "supplies.sign_issue",
    ],
}
for _role, _codenames in SUPPLIES_ROLES.items():
    ROLES[_role][1].extend(_codenames)


# Labs and cases (E3–E5). Lab staff (a new role) take samples, run their lab's queue and
# enter or import results; the CDC's health officer keeps the cases (reclassify, admit,
# discharge) and sees the labs; the command reads everything; a township officer reads the
# cases, samples and beds of their own area (jurisdiction narrows the rows).
LABS_READ = ["labs.view_lab", "labs.view_samplingpoint", "labs.view_sample"]
LABS_SAMPLE = [*LABS_READ, "labs.add_sample", "labs.export_sample"]
CASES_READ = [
    "cases.view_case",
    "cases.view_hospital",
    "cases.view_ward",
    "cases.view_admission",
    "cases.view_team",
]
CASES_KEEP = [
    *CASES_READ,
    "cases.add_case",
    "cases.change_case",
    "cases.export_case",
    "cases.add_admission",
    "cases.change_admission",
    "cases.export_hospital",
    "cases.export_team",
]
ROLES["lab_staff"] = (
    cast(str, _("检测机构人员")),
    [*LABS_SAMPLE, "labs.record_result", "divisions.view_division", "people.view_person"],
)
LAB_CASE_ROLES = {
    "health_officer": [*LABS_SAMPLE, *CASES_KEEP],
    "county_commander": [
        *LABS_READ,
        "labs.export_sample",
        *CASES_READ,
        "cases.export_case",
        "cases.export_hospital",
        "cases.export_team",
    ],
    "township_officer": [*LABS_READ, *CASES_READ],
}
for _role, _codenames in LAB_CASE_ROLES.items():
    ROLES[_role][1].extend(_codenames)
# The fever loop (E1, E2). The health side (卫健/疾控, the CDC's fever desk) sees every
# episode in its jurisdiction, records samples and results and closes episodes; townships,
# villages and grid workers report, register, isolate and resolve tip-offs in theirs; the
# command reads and exports. A pharmacy logs in as a place user (药店) that may only report
# the buyers of fever and cough drugs at the pharmacies it holds.
FEVER_REPORT = ["fevers.add_feverreport", "fevers.view_feverreport", "fevers.change_feverreport"]
FEVER_LOCAL = [
    *FEVER_REPORT,
    "fevers.view_feverepisode",
    "fevers.change_feverepisode",
    "fevers.export_feverepisode",
]
FEVER_ROLES = {
    "health_officer": [
        *FEVER_LOCAL,
        "fevers.sample_feverepisode",
        "fevers.close_feverepisode",
    ],
    "county_commander": [
        "fevers.view_feverepisode",
        "fevers.view_feverreport",
        "fevers.export_feverepisode",
    ],
    "township_officer": FEVER_LOCAL,
    "village_officer": FEVER_LOCAL,
    "grid_worker": [*FEVER_REPORT, "fevers.view_feverepisode", "fevers.change_feverepisode"],
}
for _role, _codenames in FEVER_ROLES.items():
    ROLES[_role][1].extend(_codenames)
# Quarantine (F1, F2, F4). The township's quarantine desk and the health side order, change
# and release, run the sites' rooms and export; villages order and change; a grid worker orders
# for the households of their grid (home quarantine) and sees them; the command reads.
QUARANTINE_READ = [
    "quarantine.view_quarantineorder",
    "quarantine.view_dailyreport",
    "quarantine.view_orderchange",
    "quarantine.view_site",
    "quarantine.view_room",
    "quarantine.view_stay",
]
QUARANTINE_ORDER = [
    *QUARANTINE_READ,
    "quarantine.add_quarantineorder",
    "quarantine.change_quarantineorder",
    "quarantine.export_quarantineorder",
    "quarantine.add_dailyreport",
]
QUARANTINE_DESK = [
    *QUARANTINE_ORDER,
    "quarantine.release_quarantineorder",
    "quarantine.add_stay",
    "quarantine.change_stay",
    "quarantine.change_room",
    "quarantine.export_site",
]
QUARANTINE_ROLES = {
    "health_officer": QUARANTINE_DESK,
    "township_officer": QUARANTINE_DESK,
    "village_officer": QUARANTINE_ORDER,
    "grid_worker": [
        *QUARANTINE_READ,
        "quarantine.add_quarantineorder",
        "quarantine.add_dailyreport",
    ],
    "county_commander": [
        *QUARANTINE_READ,
        "quarantine.export_quarantineorder",
        "quarantine.export_site",
    ],
}
for _role, _codenames in QUARANTINE_ROLES.items():
    ROLES[_role][1].extend(_codenames)
ROLES["pharmacy"] = (
    cast(str, _("药店")),
    ["fevers.add_feverreport", "places.view_place", "healthcodes.add_healthevent"],
)


def role_label(name: str) -> str:
    return str(ROLES[name][0]) if name in ROLES else name


def sync_roles(*, strict: bool = True) -> list[str]:
    """Make every role group hold exactly its codenames. Returns the codenames that do not
    exist (yet); with ``strict`` a missing one is an error."""
    from django.contrib.auth.models import Group, Permission

    perms = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    missing = sorted({c for _l, codes in ROLES.values() for c in codes if c not in perms})
    if missing and strict:
        raise LookupError(f"roles name unknown permissions: {missing}")
    for name, (_label, codenames) in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([perms[c] for c in codenames if c in perms])
    return missing


def sync_roles_after_migrate(sender, **kwargs):
    # post_migrate runs once per app: permissions of apps later in the order do not exist yet,
    # so each run syncs what exists; the last run has them all. A codename that never exists
    # (a typo) is caught by accounts/tests/test_roles.py, which syncs strictly.
    sync_roles(strict=False)
