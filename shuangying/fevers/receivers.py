"""The labs' announcements move the fever loop: a sample taken from a person with an open
episode is its "sampled" step, the sample's result its "resulted" step. Both run inside the
lab's own transaction (labs/signals.py), so the lab's record and the episode's step commit or
roll back together. Each announcement carries a whole act (a pooled round, a results sheet):
the persons waiting for the step are found in one query, and only their episodes are touched.
Closing stays the CDC's decision (the desk lists resulted episodes)."""

from shuangying.labs.choices import Result
from shuangying.labs.signals import samples_resulted, samples_taken

from .choices import Step
from .services import persons_waiting_for, record_result, record_sampled


def on_samples_taken(sender, *, samples, actor, **kwargs) -> None:
    waiting = persons_waiting_for(Step.SAMPLED, (s.person_id for s in samples))
    for sample in samples:
        if sample.person_id in waiting:
            record_sampled(
                actor=actor, person=sample.person_id, at=sample.sampled_at, barcode=sample.barcode
            )


def on_samples_resulted(sender, *, results, actor, **kwargs) -> None:
    # An invalid result is no result: the person is on the re-sample list, and the next
    # sample's result is the step's.
    counted = [r for r in results if r.result != Result.INVALID]
    waiting = persons_waiting_for(Step.RESULTED, (r.sample.person_id for r in counted))
    for r in counted:
        if r.sample.person_id in waiting:
            record_result(
                actor=actor,
                person=r.sample.person_id,
                at=r.resulted_at,
                result=str(Result(r.result).label),
                barcode=r.sample.barcode,
                taken_at=r.sample.sampled_at,
            )


def connect() -> None:
    samples_taken.connect(on_samples_taken, dispatch_uid="fevers.samples_taken")
    samples_resulted.connect(on_samples_resulted, dispatch_uid="fevers.samples_resulted")
