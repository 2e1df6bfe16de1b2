"""The shared rate-limit counters' table (core/ratelimit.CounterCache, the ``ratelimit`` cache).

A migration rather than a post_migrate hook: core has no models, and Django sends post_migrate
only to apps that have, so the hook never ran and the first check-in of a fresh ``make run``
found no table. ``createcachetable`` is idempotent and creates the tables of every database
cache in settings, this one included."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
