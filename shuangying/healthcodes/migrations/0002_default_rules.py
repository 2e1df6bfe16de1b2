"""The default palette and rule set v1 (ANCHORS, "Health codes in China"): red for
confirmed, suspected, close contact and quarantine, 14 days; yellow for arrivals from a risk
area and declared symptoms, 7 days; secondary contacts yellow 7 days; green otherwise."""

import datetime

from django.db import migrations

PALETTE = [
    ("green", "绿码", "#1E9E4A", 10, True),
    ("yellow", "黄码", "#E6A700", 20, False),
    ("red", "红码", "#D32F2F", 30, False),
]

# kind, risk level, colour, days, priority, reason shown
RULES = [
    ("quarantine_started", "", "red", 14, 100, "正在隔离"),
    ("confirmed", "", "red", 14, 90, "确诊病例"),
    ("suspected", "", "red", 14, 80, "疑似病例"),
    ("close_contact", "", "red", 14, 70, "密切接触者"),
    ("fever_unresolved", "", "yellow", 14, 60, "发热未排除"),
    ("secondary_contact", "", "yellow", 7, 50, "次密切接触者"),
    ("risk_area_arrival", "high", "yellow", 7, 45, "来自高风险地区"),
    ("risk_area_arrival", "medium", "yellow", 7, 44, "来自中风险地区"),
    ("risk_area_arrival", "low", "yellow", 7, 43, "来自低风险地区，待审核"),
    ("symptoms_declared", "", "yellow", 7, 30, "申报有症状"),
]


def seed(apps, schema_editor):
    seed_defaults(
        apps.get_model("healthcodes", "PaletteColour"),
        apps.get_model("healthcodes", "RuleSet"),
        apps.get_model("healthcodes", "Rule"),
    )


def seed_defaults(PaletteColour, RuleSet, Rule):
    """Also called by services.ensure_default_rules (tests that flush the database)."""
    for code, label, hex_, severity, default in PALETTE:
        PaletteColour.objects.update_or_create(
            code=code,
            defaults={"label": label, "hex": hex_, "severity": severity, "is_default": default},
        )
    if RuleSet.objects.filter(version=1).exists():
        return
    ruleset = RuleSet.objects.create(
        version=1,
        name="默认赋码规则",
        effective_from=datetime.date(2020, 1, 1),
        notes="红码：确诊、疑似、密接、隔离中，14天；黄码：来自风险地区、申报症状，7天；次密接黄码7天。",
    )
    for kind, level, colour, days, priority, reason in RULES:
        Rule.objects.create(
            ruleset=ruleset,
            kind=kind,
            risk_level=level,
            colour_id=colour,
            duration_days=days,
            priority=priority,
            reason=reason,
        )


class Migration(migrations.Migration):
    dependencies = [("healthcodes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
