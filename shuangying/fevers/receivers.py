"""The labs' announcements move the fever loop: a sample taken from a person with an open
episode is its "sampled" step, the sample's result its "resulted" step. Both run inside the
lab's own transaction (labs/signals.py), so the lab's record and the episode's step commit or
roll back together. Closing stays the CDC's decision (the desk lists resulted episodes)."""

from shuangying.labs.choices import Result
from shuangying.labs.signals import sample_resulted, sample_taken

from .services import record_result, record_sampled


def on_sample_taken(sender, *, person_id, barcode, taken_at, actor, **kwargs) -> None:
    record_sampled(actor=actor, person=person_id, at=taken_at, barcode=barcode)


def on_sample_resulted(
    sender, *, sample, person_id, barcode, result, resulted_at, actor, **kwargs
) -> None:
    # An invalid result is no result: the person is on the re-sample list, and the next
    # sample's result is the step's.
    if result == Result.INVALID:
        return
    record_result(
        actor=actor,
        person=person_id,
        at=resulted_at,
        result=str(Result(result).label),
        barcode=barcode,
        taken_at=sample.sampled_at,
    )


def connect() -> None:
    sample_taken.connect(on_sample_taken, dispatch_uid="fevers.sample_taken")
    sample_resulted.connect(on_sample_resulted, dispatch_uid="fevers.sample_resulted")
