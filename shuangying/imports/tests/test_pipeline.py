"""The import's database lane: parsing overlaps the database work, in order, in the caller's
transaction; a failure on either side stops both and nothing is half written (B1)."""

import threading
from functools import partial

import pytest
from django.db import IntegrityError, transaction

from shuangying.imports import services
from shuangying.imports.pipeline import DatabaseLane
from shuangying.people.ledgers import PersonLedger
from shuangying.people.models import Person, Tag
from shuangying.people.tests.test_person_import import ledger_with_five_bad_rows

from .xlsx import GRID1A, PERSON_HEADERS, make_xlsx, person_row

pytestmark = pytest.mark.django_db


def test_work_runs_in_order_on_another_thread_in_the_callers_transaction():
    done, threads = [], set()

    def work(i):
        threads.add(threading.get_ident())
        Tag.objects.create(code=f"lane{i}", name=f"通道{i}")
        done.append(i)

    with transaction.atomic():
        with DatabaseLane(threaded=True) as lane:
            for i in range(10):
                lane.submit(partial(work, i))
        assert done == list(range(10))
        assert threads and threading.get_ident() not in threads
        assert Tag.objects.filter(code__startswith="lane").count() == 10
        transaction.set_rollback(True)
    assert not Tag.objects.filter(code__startswith="lane").exists()


def test_a_failure_in_the_writer_is_raised_in_the_caller_and_stops_the_rest():
    done = []

    def fail():
        raise IntegrityError("duplicate key")

    lane = DatabaseLane(threaded=True)
    lane.submit(fail)
    with pytest.raises(IntegrityError):
        for i in range(50):  # raised at a later submit or at close, never lost
            lane.submit(partial(done.append, i))
        lane.close()
    lane.close()  # closing twice is harmless
    assert len(done) < 50


def test_a_failure_in_the_caller_skips_the_queued_work():
    gate, done = threading.Event(), []
    with pytest.raises(ValueError), DatabaseLane(threaded=True, depth=5) as lane:
        lane.submit(gate.wait)
        for i in range(3):
            lane.submit(partial(done.append, i))
        gate.set()
        raise ValueError("bad file")
    assert len(done) < 3


@pytest.mark.parametrize("threaded", [True, False])
def test_import_through_either_lane_gives_the_same_report(personas, people, monkeypatch, threaded):
    monkeypatch.setattr(services, "DatabaseLane", partial(DatabaseLane, threaded=threaded))
    before = Person.objects.count()
    report = services.import_persons_file(
        ledger_with_five_bad_rows(), personas["village1"], "valid"
    )
    assert (report.created, report.error_rows) == (95, 5)
    assert Person.objects.count() == before + 95


def test_a_writer_failure_rolls_the_whole_import_back(personas, people, monkeypatch):
    monkeypatch.setattr(services, "DatabaseLane", partial(DatabaseLane, threaded=True))
    monkeypatch.setattr(PersonLedger, "batch_size", 10)
    real_process, calls = PersonLedger.process, []

    def process(self, records):
        calls.append(len(records))
        if len(calls) == 3:
            raise IntegrityError("duplicate key value violates unique constraint")
        real_process(self, records)

    monkeypatch.setattr(PersonLedger, "process", process)
    before = Person.objects.count()
    rows = [person_row(5000 + i, GRID1A) for i in range(60)]
    report = services.import_persons_file(make_xlsx(PERSON_HEADERS, rows), personas["village1"])
    assert "同时登记" in report.file_error
    assert not report.committed
    assert Person.objects.count() == before
