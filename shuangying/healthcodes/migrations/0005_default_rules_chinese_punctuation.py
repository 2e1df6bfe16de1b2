"""Databases seeded before 0002 wrote Chinese punctuation keep the default rule set's reason
and notes with ASCII commas and colons; bring them in line with what 0002 now seeds."""

from django.db import migrations

OLD_NEW = {
    "来自低风险地区,待审核": "来自低风险地区，待审核",
    "红码:确诊、疑似、密接、隔离中,14天;黄码:来自风险地区、申报症状,7天;次密接黄码7天。": (
        "红码：确诊、疑似、密接、隔离中，14天；黄码：来自风险地区、申报症状，7天；次密接黄码7天。"
    ),
}


def forwards(apps, schema_editor):
    Rule = apps.get_model("healthcodes", "Rule")
    RuleSet = apps.get_model("healthcodes", "RuleSet")
    for old, new in OLD_NEW.items():
        Rule.objects.filter(reason=old).update(reason=new)
        RuleSet.objects.filter(notes=old).update(notes=new)


class Migration(migrations.Migration):
    dependencies = [("healthcodes", "0004_medical_event_permission")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
