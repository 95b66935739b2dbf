"""Races between concurrent requests, for the tests that check a row lock really serialises them
(tests/awards/proposals/test_budget_race.py, tests/funding/test_payment_race.py). Only PostgreSQL runs such transactions
concurrently (SQLite has one writer), so those tests are skipped on SQLite."""
import threading

import pytest

from grantportal.core.db import db


def skip_unless_postgres(is_postgres, checks):
    if not is_postgres:
        pytest.skip(f"concurrent {checks} need PostgreSQL row locks (SQLite serialises writers, so there "
                    "is no race to test); run with GRANTPORTAL_TEST_DATABASE_URL")


def run_together(app, jobs, load, act, what):
    """For every job (a tuple of ids and values) start a thread with its own app context and database session;
    each calls ``load(*job)`` to read its objects, then all are released at the same moment by a barrier to
    call ``act(*loaded)``, commit on success and roll back on any exception. Returns, per job, "ok" or the
    exception (an expected refusal or a bug, for the test to judge). ``what`` names a job in the deadlock
    message ("a payment")."""
    db.session.commit()  # the test's own session holds no transaction (and no lock) while the threads race
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        with app.app_context():
            try:
                loaded = load(*job)
                barrier.wait(timeout=20)
                act(*loaded)
                db.session.commit()
                results[i] = "ok"
            except Exception as e:  # noqa: BLE001 - a refusal or a bug, reported by the test, not lost in the thread
                db.session.rollback()
                results[i] = e
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), f"{what} never finished (deadlock?)"
    return results
