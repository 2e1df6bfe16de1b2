"""What labs announces, sent inside the transaction that did it (so a receiver's failure rolls
the act back and a receiver's writes commit with it). Fever episodes connect to these.

``sample_taken(sample=, person_id=, barcode=, taken_at=, actor=)``: a sample was taken.
``sample_resulted(sample=, person_id=, barcode=, result=, resulted_at=, actor=)``: a person's
sample has a result (a negative pool gives each member its negative; a positive or invalid
pool gives its members no result: they go on the re-sample list). A correction sends it again
with the new result; an identical repeat sends nothing."""

from django.dispatch import Signal

sample_taken = Signal()
sample_resulted = Signal()
