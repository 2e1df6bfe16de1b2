"""The person tags every county uses (B1, B4)."""

from django.db import migrations

TAGS = [
    ("returnee", "返乡人员"),
    ("returning_worker", "返岗人员"),
    ("key_group", "重点人群"),
    ("risk_area_arrival", "重点地区来人"),
    ("elderly_alone", "独居老人"),
]


def add_tags(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    for code, name in TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
