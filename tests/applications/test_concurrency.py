"""Races: simultaneous submissions get distinct numbers; a simultaneous double submit makes one."""
import threading

from grantportal.applications.models import Application, AppStatus
from grantportal.core.db import db
from tests import factories as f
from tests.applications.helpers import SIGNED, ready


def _post_together(app, user, urls_and_data):
    """POST from several signed-in clients at the same moment; return the status codes."""
    from tests.conftest import Auth

    clients = []
    for _ in urls_and_data:
        client = app.test_client()
        Auth(client).login(user)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    codes = [None] * len(clients)

    def run(i, client, url, data):
        with app.app_context():
            barrier.wait()
            codes[i] = client.post(url, data=data).status_code
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c, url, data))
               for i, (c, (url, data)) in enumerate(zip(clients, urls_and_data))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return codes


def test_simultaneous_submissions_in_one_call_get_distinct_numbers(app):
    call = f.CallFactory(code="CC", max_applications_per_org=4)
    user, first = ready(call=call)
    _, second = ready(call=call, org=user.org, member=False)
    codes = _post_together(app, user, [(f"/applications/{a.id}/submit", {"version": str(a.version), **SIGNED})
                                       for a in (first, second)])
    assert codes == [302, 302]
    db.session.expire_all()
    numbers = sorted(db.session.scalars(db.select(Application.number)).all())
    assert numbers == ["CC-2026-0001", "CC-2026-0002"]


def test_simultaneous_double_submit_makes_one_submission(app):
    user, application = ready()
    data = {"version": str(application.version), **SIGNED}
    codes = _post_together(app, user, [(f"/applications/{application.id}/submit", data)] * 2)
    assert sorted(codes) == [302, 409]
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert stored.status == AppStatus.SUBMITTED and stored.number.endswith("-0001")
