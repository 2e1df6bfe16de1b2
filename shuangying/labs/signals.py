"""What labs announces, sent inside the transaction that did it (so a receiver's failure rolls
the act back and a receiver's writes commit with it). Fever episodes connect to these.

One signal per act, with every sample of the act (a whole pooled round or results sheet in
chunks of a few thousand), so that a receiver looks its samples' persons up in one query,
not one per sample:

``samples_taken(samples=[Taken, …], actor=)``: samples were taken (their ``person_id``,
``barcode`` and ``sampled_at``).
``samples_resulted(results=[Resulted, …], actor=)``: persons' samples (``Resulted.sample``, a
``Taken``) have a result (a negative
pool gives each member its negative; a positive or invalid pool gives its members no result:
they go on the re-sample list). A correction sends it again with the new result; an identical
repeat sends nothing."""

from dataclasses import dataclass
from datetime import datetime

from django.dispatch import Signal

samples_taken = Signal()
samples_resulted = Signal()


@dataclass(frozen=True, slots=True)
class Taken:
    """What a receiver learns of a sample: built from the rows the act already holds, not
    read back as model instances (a pooled round has 100,000 of them)."""

    person_id: int
    barcode: str
    sampled_at: datetime


@dataclass(frozen=True)
class Resulted:
    sample: Taken
    result: str  # labs.choices.Result
    resulted_at: datetime
