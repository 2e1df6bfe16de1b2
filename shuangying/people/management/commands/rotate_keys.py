"""Re-encrypt personal data under the active key (M1 key rotation).

Put the new key first in SHUANGYING_DATA_KEYS, keep the old one after it, run this command,
then drop the old key. Rows already under the active key are left alone, so it can resume.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from shuangying.core import crypto
from shuangying.people.models import ID_CONTEXT, PHONE_CONTEXT, Person


class Command(BaseCommand):
    help = "Re-encrypt document numbers and phones under the active data key"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch, **options):
        active = crypto.active_key_id()
        prefix = f"{active}$"
        done = 0
        while True:
            with transaction.atomic():
                rows = list(
                    Person.objects.exclude(id_number_enc__startswith=prefix)
                    .only("id", "id_number_enc", "phone_enc")
                    .select_for_update()[:batch]
                )
                if not rows:
                    break
                for person in rows:
                    person.id_number_enc = crypto.encrypt(
                        crypto.decrypt(person.id_number_enc, context=ID_CONTEXT), context=ID_CONTEXT
                    )
                    if person.phone_enc:
                        person.phone_enc = crypto.encrypt(
                            crypto.decrypt(person.phone_enc, context=PHONE_CONTEXT),
                            context=PHONE_CONTEXT,
                        )
                Person.objects.bulk_update(rows, ["id_number_enc", "phone_enc"])
                done += len(rows)
        # Phones under an old key on rows whose number was already rotated.
        stale = Person.objects.exclude(phone_enc="").exclude(phone_enc__startswith=prefix)
        for person in stale.only("id", "phone_enc").iterator(chunk_size=batch):
            person.phone_enc = crypto.encrypt(
                crypto.decrypt(person.phone_enc, context=PHONE_CONTEXT), context=PHONE_CONTEXT
            )
            person.save(update_fields=["phone_enc"])
            done += 1
        self.stdout.write(f"re-encrypted {done} rows under key {active}")
